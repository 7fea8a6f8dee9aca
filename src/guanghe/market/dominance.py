"""Exact pre-solve: drop candidates that enough cheaper-and-better candidates dominate.

j dominates i when p_j <= p_i and v_j >= v_i (ties by position). If a selection S holds i, it holds at most
K - 1 others (K = N, or the most creators the budget can buy). Swapping i for a dominator j outside S keeps
the price and count and does not lower the value; it breaks no cap when j has no MCN, and for j in MCN m it
is blocked only if S already holds M members of m. So covering all dominators costs S at least
f + sum_m min(a_m, M) places (f dominators without MCN, a_m in MCN m); when that reaches K, some optimum
avoids i. Applied to all such i at once this is still exact: each swap moves to a dominator, earlier in the
order (price, -value, position), so among the optima one with the least sum of ranks holds none of them.
(Dominators in i's own MCN are counted at most M times too: a safe undercount, that swap is never blocked.)
"""

from __future__ import annotations

import heapq

import numpy as np


def max_count(price: np.ndarray, budget: int, max_creators: int | None) -> int:
    """The most creators any feasible selection holds: N, or fewer if the budget buys fewer."""
    affordable = int(np.searchsorted(np.cumsum(np.sort(price)), budget, side="right"))
    return affordable if max_creators is None else min(affordable, max_creators)


def undominated(
    price: np.ndarray, value: np.ndarray, mcn: np.ndarray, must: np.ndarray,
    budget: int, max_creators: int | None, max_per_mcn: int | None,
) -> np.ndarray:  # fmt: skip
    """Mask of the candidates to keep (must-includes always kept)."""
    k = max_count(price, budget, max_creators)
    keep = must.copy()
    if k == 0:
        return keep
    order = np.lexsort((np.arange(price.size), -value, price))
    # `top`: min-heap of the k largest counted values so far, (value, position); `alive` its live positions.
    # Counted: every earlier candidate without an MCN and the M best earlier members of each MCN. When an
    # MCN's M-th best is displaced by a better member, the counted multiset swaps a value for a larger one.
    top: list[tuple[float, int]] = []
    alive: set[int] = set()
    groups: dict[int, list[tuple[float, int]]] = {}
    cap = max_per_mcn
    for i, v, m in zip(order.tolist(), value[order].tolist(), mcn[order].tolist(), strict=True):
        while top and top[0][1] not in alive:
            heapq.heappop(top)
        if len(alive) < k or top[0][0] < v:
            keep[i] = True
        if m != 0 and cap is not None:
            group = groups.setdefault(m, [])
            if len(group) == cap and (cap == 0 or group[0][0] >= v):
                continue  # not among its MCN's M best: does not count
            if len(group) == cap:
                _, out = heapq.heapreplace(group, (v, i))
                if out in alive:  # swap out -> i inside the top k
                    alive.discard(out)
                    heapq.heappush(top, (v, i))
                    alive.add(i)
                    continue
            else:
                heapq.heappush(group, (v, i))
        if len(alive) < k:
            heapq.heappush(top, (v, i))
            alive.add(i)
        elif v > top[0][0]:
            alive.discard(heapq.heapreplace(top, (v, i))[1])
            alive.add(i)
    return keep
