"""Daily traffic of works: organic impressions, support-program boosts, engagement and follows gained.

Rows are column dicts of numpy arrays (``Rows``); a work gets traffic for a few days after publication, so
rows can fall in the next month and are carried over by the caller.
"""

from __future__ import annotations

import numpy as np

from guanghe.synth.activity import Works
from guanghe.synth.config import Month, SynthConfig
from guanghe.synth.population import Population

Rows = dict[str, np.ndarray]


def program_weights(
    pop: Population, followers: np.ndarray, month: Month, contracted: np.ndarray
) -> np.ndarray:
    """Eligibility weight of each creator for each program (creators x programs); ``contracted``: creators
    under an MCN contract in the month."""
    new = (month.index - pop.join_month <= 6) & (pop.join_month >= 0)
    waist_up = followers >= 10_000
    return np.stack(
        [
            pop.quality,  # general_support
            2.5 * new,  # guanghe: new quality creators
            1.5 * contracted,  # juguang: MCN agencies' creators
            4.0 * pop.is_local_life,  # feiniao: local life
            3.0 * (pop.is_ecommerce & (followers < 1_000_000)),  # ecom_tail: mid/long-tail e-commerce
            0.6 * waist_up,  # brand_star
            0.5 * (waist_up & (followers < 1_000_000)),  # xiaomai
        ],
        axis=1,
    ).astype(np.float32)


def _pick(weights: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    cum = np.cumsum(weights, axis=1)
    u = rng.random(len(weights)) * cum[:, -1]
    return np.minimum((cum <= u[:, None]).sum(axis=1), weights.shape[1] - 1).astype(np.int8)


def supported(
    cfg: SynthConfig, pop: Population, followers: np.ndarray, active: np.ndarray, month: Month, rng,
    contracted: np.ndarray,
):  # fmt: skip
    """Support decisions of the month: program and second program (-1: none) and budget per creator."""
    n = pop.size
    program = np.full(n, -1, np.int8)
    second = np.full(n, -1, np.int8)
    budget = np.zeros(n)
    idx = np.flatnonzero(active)
    w = program_weights(pop, followers, month, contracted)[idx]
    total = w.sum(axis=1)
    chosen = rng.random(len(idx)) < np.minimum(0.9, cfg.support_share * total / 0.7)
    idx, w = idx[chosen], w[chosen]
    program[idx] = _pick(w, rng)
    two = rng.random(len(idx)) < cfg.second_program
    other = _pick(w[two], rng)
    keep = other != program[idx[two]]
    second[idx[two][keep]] = other[keep]
    tier_boost = 1.0 + np.log1p(followers[idx] / 10_000.0)
    budget[idx] = cfg.boost_median * tier_boost * np.exp(cfg.boost_sigma * rng.standard_normal(len(idx)))
    return program, second, budget


def organic_follow_rate(cfg: SynthConfig, pop: Population, followers: np.ndarray) -> np.ndarray:
    """Follows per organic impression: quality x follow rate x follow_scale, saturating with audience size."""
    return pop.quality * pop.follow_rate * cfg.follow_scale / np.sqrt(1.0 + followers / cfg.follow_saturation)


def work_days(
    cfg: SynthConfig, pop: Population, works: Works, followers: np.ndarray, support: tuple, last_day: int, rng
) -> tuple[Rows, Rows, Rows, Rows]:
    """Work-day rows of the given works: (work_daily up to last_day, work_daily after it, and the same two for
    work_boost). work_daily rows carry a private ``_cidx`` column (creator index)."""
    program, second, budget = support
    n = len(works.work_id)
    life = np.minimum(rng.geometric(cfg.life_p, n), cfg.life_max).astype(np.int32)
    w = np.repeat(np.arange(n, dtype=np.int32), life)  # sorted, so per-work gathers below are sequential
    d = (np.arange(len(w), dtype=np.int32) - np.repeat(np.cumsum(life) - life, life)).astype(np.int8)
    date = works.day[w] + d
    later = date > last_day
    n_now = len(w) - int(later.sum())
    if n_now < len(w):  # rows after last_day go last, so the split below is a slice
        order = np.concatenate([np.flatnonzero(~later), np.flatnonzero(later)])
        w, d, date = w[order], d[order], date[order]
    del later
    wc = works.cidx
    q = pop.quality[wc].astype(np.float32)
    reach = (cfg.reach_base + cfg.reach_coef * followers.astype(np.float64) ** cfg.reach_exp)[wc]
    per_work = (reach * (0.5 + q) * works.viral * (1 - cfg.decay)).astype(np.float32)
    shape = (cfg.decay ** np.arange(cfg.life_max)).astype(np.float32)
    u1 = rng.random(len(w), dtype=np.float32)
    u2 = rng.random(len(w), dtype=np.float32)
    organic = np.maximum(1, (per_work[w] * shape[d] * (0.6 + 0.8 * u1) + u2).astype(np.int64))

    # Boosts: the first boost_days days of every work of a supported creator.
    b = np.flatnonzero((program[wc] >= 0)[w] & (d < cfg.boost_days))
    bc = wc[w[b]]
    x = np.maximum(1, budget[bc] * np.exp(0.4 * rng.standard_normal(len(b)))).astype(np.int64)
    has2 = second[bc] >= 0
    x2 = np.maximum(1, x[has2] * rng.uniform(0.2, 0.8, int(has2.sum()))).astype(np.int64)
    boosted = np.zeros(len(w), np.int64)
    boosted[b] = x
    boosted[b[has2]] += x2

    fq = organic_follow_rate(cfg, pop, followers)[wc].astype(np.float32)
    follows = (organic * fq[w] + u1).astype(np.int64)
    follows[b] += rng.poisson(pop.theta[bc] * pop.s[bc] * np.log1p(boosted[b] / pop.s[bc]))

    total = organic + boosted if len(b) else organic
    plays_f = total * ((0.35 + 0.3 * q)[w] * (0.8 + 0.4 * u2))
    plays = plays_f.astype(np.int64)
    rows: Rows = {
        "work_id": works.work_id[w],
        "date": date,
        "organic_impressions": organic,
        "boosted_impressions": boosted,
        "plays": plays,
        "completed_plays": (plays * ((0.15 + 0.5 * q)[w] * u1)).astype(np.int64),
        "likes": (plays_f * ((0.02 + 0.08 * q)[w] * (0.5 + u2))).astype(np.int64),
        "comments": (plays_f * (0.004 * (0.5 + u1)) + u2).astype(np.int64),
        "shares": (plays_f * (0.002 * (0.5 + u2)) + u1).astype(np.int64),
        "follows_gained": follows,
        "_cidx": wc[w],
    }
    # work_boost: first programs of all boosted rows, then second programs; reorder so rows up to last_day
    # come first (b is sorted, so its first b_now entries are those rows).
    b_now = int(np.searchsorted(b, n_now))
    hp = np.flatnonzero(has2)
    k_now = int(np.searchsorted(hp, b_now))
    nb = len(b)
    perm = np.concatenate(
        [np.arange(b_now), nb + np.arange(k_now), np.arange(b_now, nb), nb + np.arange(k_now, len(hp))]
    )
    nb_now = b_now + k_now
    bw = np.concatenate([b, b[hp]])[perm]
    boost: Rows = {
        "work_id": works.work_id[w[bw]],
        "date": date[bw],
        "program": np.concatenate([program[bc], second[bc[hp]]])[perm],
        "impressions": np.concatenate([x, x2])[perm],
        "_cidx": np.concatenate([bc, bc[hp]])[perm],
    }
    return (
        {k: v[:n_now] for k, v in rows.items()},
        {k: v[n_now:] for k, v in rows.items()},
        {k: v[:nb_now] for k, v in boost.items()},
        {k: v[nb_now:] for k, v in boost.items()},
    )


def concat(a: Rows | None, b: Rows, columns: tuple[str, ...] | None = None) -> Rows:
    keys = columns or tuple(b)
    return {k: b[k] for k in keys} if a is None else {k: np.concatenate([a[k], b[k]]) for k in keys}
