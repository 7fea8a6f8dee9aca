"""Simple allocation rules to compare the allocator with; each respects budgets, caps and tier floors.

Every program's budget is split in pots: first each floored tier's share among that tier's eligible creators,
then the rest among all eligible creators (with the caps they have left). Within a pot:
- ``uniform``: the same amount to every creator (water-filling up to caps),
- ``followers``: proportional to followers + 1 (water-filling up to caps),
- ``quality``: greedy, best quality first, each creator up to its cap until the pot is spent.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from guanghe.allocate.problem import AllocationProblem

Fill = Callable[[np.ndarray, np.ndarray, float], np.ndarray]


def proportional(weights: np.ndarray, room: np.ndarray, pot: float) -> np.ndarray:
    """min(room, t * weights) with t chosen so the amounts sum to the pot (or everything when room < pot)."""
    if pot <= 0 or room.size == 0:
        return np.zeros_like(room)
    if room.sum() <= pot:
        return room.copy()
    w = np.maximum(weights, 1e-300)
    lo, hi = 0.0, float(np.max(np.where(room > 0, room / w, 0.0)))
    for _ in range(100):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if np.minimum(room, mid * w).sum() < pot else (lo, mid)
    out = np.minimum(room, hi * w)
    return out * min(1.0, pot / max(out.sum(), 1e-300))


def greedy(order_key: np.ndarray, room: np.ndarray, pot: float) -> np.ndarray:
    """Highest ``order_key`` first, each up to its room, until the pot is spent."""
    order = np.argsort(-order_key, kind="stable")
    r = room[order]
    before = np.cumsum(r) - r
    out = np.zeros_like(room)
    out[order] = np.clip(pot - before, 0.0, r)
    return out


def allocate(problem: AllocationProblem, key: np.ndarray, fill: Fill) -> np.ndarray:
    """Apply a pot-filling rule program by program: floored tiers' pots first, then the remainder."""
    caps = problem.effective_caps()
    x = np.zeros((problem.n, problem.k))
    for k in range(problem.k):
        budget = float(problem.budgets[k])
        for t in range(3):
            pot = problem.floors[k, t] * budget
            rows = np.flatnonzero((problem.tier == t) & problem.eligible[:, k])
            if pot > 0 and rows.size:
                x[rows, k] += fill(key[rows], caps[rows, k] - x[rows, k], pot)
        rows = np.flatnonzero(problem.eligible[:, k])
        rest = budget - x[:, k].sum()
        if rest > 0 and rows.size:
            x[rows, k] += fill(key[rows], caps[rows, k] - x[rows, k], rest)
    return x


def uniform(problem: AllocationProblem) -> np.ndarray:
    return allocate(problem, np.ones(problem.n), proportional)


def by_followers(problem: AllocationProblem, followers: np.ndarray) -> np.ndarray:
    return allocate(problem, followers.astype(float) + 1.0, proportional)


def greedy_quality(problem: AllocationProblem, quality: np.ndarray) -> np.ndarray:
    return allocate(problem, quality.astype(float), greedy)
