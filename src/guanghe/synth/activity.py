"""Who posts in a month (a two-state active/dormant chain per creator) and the works they publish."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from guanghe.data.schema import CATEGORIES, TABLES, WORK_KINDS
from guanghe.synth.arrow import hex64, strings, timestamps, titles
from guanghe.synth.config import DAY_US, Month, SynthConfig
from guanghe.synth.population import Population


def next_active(cfg: SynthConfig, pop: Population, month: Month, prev: np.ndarray, rng: np.random.Generator):
    """Active flags for this month from last month's: churn (falling with retention_trend) and comebacks."""
    u = rng.random(pop.size)
    present = pop.join_month < month.index
    new = pop.join_month == month.index
    churn = pop.churn * np.exp(-cfg.retention_trend * month.index)
    stay = prev & (u >= churn)
    back = ~prev & present & (u < pop.comeback)
    joined = new & (u < cfg.joiner_active)
    return stay | back | joined


@dataclass
class Works:
    work_id: np.ndarray
    cidx: np.ndarray  # creator index (creator_id - 1)
    published_us: np.ndarray
    day: np.ndarray  # int32 days since epoch
    viral: np.ndarray  # reach multiplier of the work
    table: pa.Table


def publish(cfg: SynthConfig, pop: Population, month: Month, active: np.ndarray, first_id: int, rng) -> Works:
    """Works of the active creators: 1 + Poisson(rate * exp(posting_trend * month)) each, in time order."""
    idx = np.flatnonzero(active)
    counts = 1 + rng.poisson(pop.posting_rate[idx] * np.exp(cfg.posting_trend * month.index))
    cidx = np.repeat(idx, counts)
    n = len(cidx)
    lo = np.maximum(pop.join_day[cidx] - month.first_day, 0)  # joiners post from their joining day
    day = (lo + np.floor(rng.random(n) * (month.days - lo))).astype(np.int16)
    order = np.argsort(day, kind="stable")  # radix sort: ids follow the publication day
    cidx, day = cidx[order], day[order]
    published = (month.first_day + day.astype(np.int64)) * DAY_US + np.floor(rng.random(n) * DAY_US).astype(
        np.int64
    )
    work_id = np.arange(first_id, first_id + n, dtype=np.int64)

    kind = np.searchsorted(np.cumsum(cfg.kind_weights) / sum(cfg.kind_weights), rng.random(n)).astype(np.int8)
    own = rng.random(n) < cfg.own_category
    category = np.where(own, pop.category[cidx], rng.integers(0, len(CATEGORIES), n, dtype=np.int8))
    duration = np.zeros(n, np.int32)
    video, live = np.flatnonzero(kind == 0), np.flatnonzero(kind == 1)
    duration[video] = 5 + rng.gamma(1.5, 30.0, len(video))
    duration[live] = 600 + rng.gamma(2.0, 1500.0, len(live))
    viral = np.exp(cfg.viral_sigma * rng.standard_normal(n) - cfg.viral_sigma**2 / 2)
    table = pa.Table.from_arrays(
        [
            pa.array(work_id),
            pa.array(pop.creator_id[cidx]),
            timestamps(published),
            strings(WORK_KINDS, kind),
            strings(CATEGORIES, category),
            pa.array(duration, pa.int32()),
            titles(CATEGORIES, category, work_id),
            hex64(rng, n),
        ],
        schema=TABLES["works"].arrow_schema(),
    )
    return Works(work_id, cidx, published, (month.first_day + day).astype(np.int32), viral, table)
