"""The creator population: who exists, when they join, and their latent traits (drawn once)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from guanghe.data.schema import CATEGORIES, REGIONS, TABLES
from guanghe.synth.arrow import strings
from guanghe.synth.config import SynthConfig


@dataclass
class Population:
    creator_id: np.ndarray  # int64, 1..N, increasing with the join date
    join_day: np.ndarray  # int32 days since epoch
    join_month: np.ndarray  # int16 month index in the window; -1 for creators existing at its start
    region: np.ndarray  # int8 index into REGIONS
    category: np.ndarray  # int8 index into CATEGORIES
    mcn_id: np.ndarray  # int64, 0 when none
    is_ecommerce: np.ndarray
    is_local_life: np.ndarray
    quality: np.ndarray  # content quality in (0, 1)
    follow_rate: np.ndarray  # organic follows per impression per unit quality (before follow_scale)
    posting_rate: np.ndarray  # Poisson rate of extra works in an active month
    churn: np.ndarray  # monthly P(active -> dormant) at the window start
    comeback: np.ndarray  # monthly P(dormant -> active)
    monetisation: np.ndarray  # propensity to earn (multiplies channel uptake)
    theta: np.ndarray  # true boost response: follows(x) = theta * s * ln(1 + x / s)
    s: np.ndarray
    followers0: np.ndarray  # int64 followers at the window start (0 for joiners)
    active0: np.ndarray  # bool: posted in the month before the window

    @property
    def size(self) -> int:
        return len(self.creator_id)


def _lognormal(rng: np.random.Generator, median: float, sigma: float, n: int) -> np.ndarray:
    return median * np.exp(sigma * rng.standard_normal(n))


def build(cfg: SynthConfig, ss: np.random.SeedSequence) -> Population:
    rng = np.random.default_rng(ss)
    n = cfg.creators
    months = cfg.window()
    # Joiners per month grow geometrically; the rest exist at the window start.
    n_join = round(n * cfg.joiner_share)
    weights = np.exp(cfg.joiner_trend * np.arange(cfg.months))
    per_month = np.floor(n_join * weights / weights.sum()).astype(np.int64)
    per_month[-1] += n_join - per_month.sum()
    n0 = n - n_join
    join_month = np.concatenate(
        [np.full(n0, -1, np.int16), np.repeat(np.arange(cfg.months, dtype=np.int16), per_month)]
    )
    first = months[0].first_day
    join_day = np.empty(n, np.int32)
    join_day[:n0] = np.sort(first - 1 - np.floor(rng.exponential(700.0, n0)).astype(np.int32))
    jm = join_month[n0:]
    starts = np.array([m.first_day for m in months])[jm]
    lens = np.array([m.days for m in months])[jm]
    join_day[n0:] = np.sort(starts + np.floor(rng.random(n_join) * lens).astype(np.int32))

    # Latent traits: a shared "talent" factor links posting rate, quality and follower count.
    talent = rng.standard_normal(n)
    quality = rng.beta(*cfg.quality_beta, n)
    posting = np.minimum(
        cfg.posting_median * np.exp(cfg.posting_sigma * (0.6 * talent + 0.8 * rng.standard_normal(n))),
        cfg.posting_max,
    )
    z = 0.5 * talent + 0.5 * (quality - 0.38) / 0.18 + 0.7 * rng.standard_normal(n)
    followers0 = np.floor(cfg.followers_median * np.exp(cfg.followers_sigma * z / np.std(z))).astype(np.int64)
    followers0[n0:] = 0
    churn = rng.beta(*cfg.churn_beta, n)
    comeback = rng.beta(*cfg.return_beta, n)
    active0 = rng.random(n) < comeback / (comeback + churn)  # stationary share of the activity chain
    active0[n0:] = False

    is_mcn = rng.random(n) < cfg.mcn_share * (0.6 + 0.8 * (followers0 > 10_000))
    agency = 1 + np.floor(cfg.mcn_agencies * rng.random(n) ** 2).astype(np.int64)  # a few big agencies
    return Population(
        creator_id=np.arange(1, n + 1, dtype=np.int64),
        join_day=join_day,
        join_month=join_month,
        region=rng.integers(0, len(REGIONS), n, dtype=np.int8),
        category=rng.choice(len(CATEGORIES), n, p=_category_weights()).astype(np.int8),
        mcn_id=np.where(is_mcn, agency, 0),
        is_ecommerce=rng.random(n) < cfg.ecommerce_share,
        is_local_life=rng.random(n) < cfg.local_life_share,
        quality=quality,
        follow_rate=_lognormal(rng, cfg.follow_rate_median, cfg.follow_rate_sigma, n),
        posting_rate=posting,
        churn=churn,
        comeback=comeback,
        monetisation=np.exp(cfg.monetisation_sigma * rng.standard_normal(n) - cfg.monetisation_sigma**2 / 2),
        theta=cfg.theta_median * (0.5 + quality) * np.exp(cfg.theta_sigma * rng.standard_normal(n)),
        s=_lognormal(rng, cfg.s_median, cfg.s_sigma, n),
        followers0=followers0,
        active0=active0,
    )


def _category_weights() -> np.ndarray:
    w = np.linspace(2.0, 0.6, len(CATEGORIES))  # comedy, food, rural ... most common first
    return w / w.sum()


def creators_table(pop: Population) -> pa.Table:
    schema = TABLES["creators"].arrow_schema()
    mcn = pa.array(pop.mcn_id, mask=pop.mcn_id == 0, type=pa.int64())
    cols = [
        pa.array(pop.creator_id),
        pa.array(pop.join_day, pa.int32()).cast(pa.date32()),
        strings(REGIONS, pop.region),
        strings(CATEGORIES, pop.category),
        mcn,
        pa.array(pop.is_ecommerce),
        pa.array(pop.is_local_life),
    ]
    return pa.Table.from_arrays(cols, schema=schema)
