"""Matching without a solver: an exact dynamic program for small pools and the greedy-by-ratio baseline."""

from __future__ import annotations

import math
import time
from itertools import combinations

import numpy as np

from guanghe.market.matching import Campaign, Match, Pool, candidates, result


def _options(members: list[int], must: set[int], cap: int) -> list[tuple[int, ...]]:
    """Every subset of a group with at most `cap` members that keeps all its must-include creators."""
    return [s for r in range(min(cap, len(members)) + 1) for s in combinations(members, r) if must <= set(s)]


def match_dp(pool: Pool, campaign: Campaign, max_states: int = 50_000_000) -> Match:
    """Exact reference for small pools: each MCN group picks one subset of <= M members (multiple-choice
    knapsack), DP over (creators chosen, budget in units of the gcd of prices)."""
    started = time.perf_counter()
    idx = candidates(pool, campaign)
    price = pool.price_fen[idx]
    unit = math.gcd(*price.tolist()) or 1
    cost, cap = (price // unit).tolist(), campaign.budget_fen // unit
    slots = idx.size if campaign.max_creators is None else min(campaign.max_creators, idx.size)
    mcn, must = pool.mcn_id[idx], set(np.flatnonzero(pool.must[idx]).tolist())
    groups: dict[int, list[int]] = {}
    for i in range(idx.size):
        key = -1 - i if campaign.max_per_mcn is None or mcn[i] == 0 else int(mcn[i])  # unlimited: alone
        groups.setdefault(key, []).append(i)
    if (slots + 1) * (cap + 1) * max(len(groups), 1) > max_states:
        raise ValueError("match_dp is a reference for small pools: too many states")
    per_group = [
        _options(m, must & set(m), len(m) if key < 0 else int(campaign.max_per_mcn or 0))
        for key, m in groups.items()
    ]
    best = np.full((slots + 1, cap + 1), -np.inf)  # best[c, b]: value with exactly c creators costing b units
    best[0, 0] = 0.0
    choices = []
    for options in per_group:
        new, choice = np.full_like(best, -np.inf), np.zeros(best.shape, np.int32)
        for j, subset in enumerate(options):
            k, w = len(subset), sum(cost[i] for i in subset)
            if k > slots or w > cap:
                continue
            cand = best[: slots + 1 - k, : cap + 1 - w] + float(pool.value[idx[list(subset)]].sum())
            region, picked = new[k:, w:], choice[k:, w:]
            better = cand > region
            region[better], picked[better] = cand[better], j
        best = new
        choices.append(choice)
    c, b = np.unravel_index(int(np.argmax(best)), best.shape)
    chosen: list[int] = []
    for options, choice in zip(reversed(per_group), reversed(choices), strict=True):
        subset = options[choice[c, b]]
        chosen += subset
        c, b = c - len(subset), b - sum(cost[i] for i in subset)
    match = result(pool, idx[chosen], "optimal", None, started)
    match.bound, match.gap = match.value, 0.0
    return match


def match_greedy(pool: Pool, campaign: Campaign) -> Match:
    """Baseline: must-includes first, then by value / price descending (ties: higher value, lower id),
    taking every creator that still fits the budget and the caps."""
    started = time.perf_counter()
    idx = candidates(pool, campaign)
    ratio = pool.value[idx] / pool.price_fen[idx]
    order = idx[np.lexsort((pool.creator_id[idx], -pool.value[idx], -ratio, ~pool.must[idx]))]
    left = campaign.budget_fen
    slots = campaign.max_creators if campaign.max_creators is not None else order.size
    per_mcn = campaign.max_per_mcn if campaign.max_per_mcn is not None else order.size
    taken: dict[int, int] = {}
    chosen = []
    rows = zip(order.tolist(), pool.price_fen[order].tolist(), pool.mcn_id[order].tolist(), strict=True)
    for i, p, m in rows:
        if len(chosen) == slots:
            break
        if p > left or (m != 0 and taken.get(m, 0) == per_mcn):
            continue
        chosen.append(i)
        left -= p
        taken[m] = taken.get(m, 0) + 1
    return result(pool, np.array(chosen, dtype=np.int64), "greedy", None, started)
