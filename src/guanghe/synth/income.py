"""Monthly income settlements per (creator, channel), with tier-dependent uptake; amounts in integer fen."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from guanghe.data.schema import CHANNELS, TABLES
from guanghe.synth.arrow import timestamps
from guanghe.synth.config import DAY_US, Month, SynthConfig
from guanghe.synth.population import Population


def _uptake(cfg: SynthConfig, pop: Population, channel: str, logf: np.ndarray, month: Month) -> np.ndarray:
    """P(earning in the channel this month) before trend and activity; the per-tier bases are interpolated
    on log10(followers): tail up to 1k, waist at 10k, head from 1M (no jump at the tier boundaries)."""
    tail, waist, head, _ = cfg.channels[channel]
    p = np.interp(logf, [3.0, 4.0, 6.0], [tail, waist, head])
    if channel == "ad_share":  # open to everyone: uptake does not depend on earlier monetisation
        return p if month.label >= cfg.ad_share_launch else np.zeros_like(p)
    if channel == "local_life":
        return p * pop.is_local_life
    if channel == "affiliate":
        p = p * np.where(pop.is_ecommerce, 15.0, 1.0)
    elif channel == "task":
        return p * np.sqrt(pop.monetisation)
    return p * pop.monetisation


def settle(
    cfg: SynthConfig,
    pop: Population,
    month: Month,
    followers: np.ndarray,
    active: np.ndarray,
    earned: np.ndarray,
    rng: np.random.Generator,
) -> pa.Table:
    """Income rows of the month: at most one settlement per (creator, channel), at a random time.

    ``earned`` (creators paid before this month) is updated in place; ad_share favours first-time earners.
    """
    logf = np.log10(followers + 1.0)
    present = pop.join_month <= month.index
    scale = np.exp(cfg.uptake_trend * month.index) * np.where(active, 1.0, cfg.inactive_income) * present
    size = ((followers + 1_000.0) / 6_000.0) ** cfg.amount_follower_exp * np.exp(
        cfg.monetisation_trend * month.index
    )
    lo_day = np.maximum(pop.join_day.astype(np.int64), month.first_day)
    hi = (month.first_day + month.days) * DAY_US
    parts = []
    for channel in CHANNELS:
        p = _uptake(cfg, pop, channel, logf, month) * scale
        if channel == "ad_share":
            p = p * np.where(earned, 1.0, cfg.ad_share_new_earner)
        p = np.minimum(0.95, p)
        idx = np.flatnonzero(rng.random(pop.size) < p)
        median = cfg.channels[channel][3]
        noise = np.exp(cfg.amount_sigma * rng.standard_normal(len(idx)))
        amount = np.maximum(1, np.floor(median * size[idx] * noise)).astype(np.int64)
        lo = lo_day[idx] * DAY_US
        at = lo + np.floor(rng.random(len(idx)) * (hi - lo)).astype(np.int64)
        ids = pc.cast(pa.array(pop.creator_id[idx]), pa.string())
        prefix = f"{channel}-{month.label}-"
        parts.append(
            pa.Table.from_arrays(
                [
                    pc.binary_join_element_wise(prefix, ids, ""),
                    pa.array(pop.creator_id[idx]),
                    pa.array(np.full(len(idx), channel, dtype=object), pa.string()),
                    pa.array(amount),
                    timestamps(at),
                    pa.array(
                        np.full(len(idx), f"settlement/{month.label}/{channel}", dtype=object), pa.string()
                    ),
                    pa.nulls(len(idx), pa.string()),
                    pa.array(np.full(len(idx), "earning", dtype=object), pa.string()),
                ],
                schema=TABLES["income"].arrow_schema(),
            )
        )
    for part in parts:
        earned[part["creator_id"].to_numpy() - 1] = True
    return pa.concat_tables(parts)
