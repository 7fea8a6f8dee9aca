"""Reject infeasible rule sets before solving, naming the conflicting constraints.

Floors of one tier compete for that tier's creators; with per-creator total caps the exact test (max-flow /
min-cut on programs -> creators -> sink) is: for every set S of floored programs,
sum_{k in S} floor[k] <= sum_{i in tier} min(sum_{k in S} c[i, k], total_cap_i). Without total caps the
single-program tests are enough. Budgets never conflict with floors once each program's floors sum to <= 1.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np

from guanghe.allocate.problem import TIER_NAMES, AllocationProblem, InfeasibleProblem

CHUNK = 1 << 18


def _capacity(problem: AllocationProblem, tiers: dict[int, list[tuple[int, ...]]]) -> dict[int, np.ndarray]:
    """Per tier t and set S of its floored programs: sum over tier t's creators of min(sum_{k in S} c[i, k],
    total_cap_i), one pass over the creators in row chunks (the effective caps of a chunk at a time)."""
    out = {t: np.zeros(len(sets)) for t, sets in tiers.items()}
    cmax = problem.total_cap
    for lo in range(0, problem.n, CHUNK):
        c = problem.effective_caps(slice(lo, lo + CHUNK))
        tier = problem.tier[lo : lo + CHUNK]
        for t, sets in tiers.items():
            pick = tier == t
            block = c[pick]
            for j, subset in enumerate(sets):
                room = block[:, list(subset)].sum(axis=1)
                if cmax is not None:
                    room = np.minimum(room, cmax[lo : lo + CHUNK][pick])
                out[t][j] += room.sum()
    return out


def check(problem: AllocationProblem) -> None:
    """Raise InfeasibleProblem listing every conflict found; return None when a feasible plan exists."""
    conflicts = []
    names = problem.names
    for k, name in enumerate(names):
        total = problem.floors[k].sum()
        if total > 1 + 1e-12:
            parts = " + ".join(
                f"{TIER_NAMES[t]} {problem.floors[k, t]:g}" for t in range(3) if problem.floors[k, t]
            )
            conflicts.append(f"{name}: tier floors sum to {total:g} > 1 ({parts})")
    floor_amt = problem.floors * problem.budgets[:, None]
    tiers: dict[int, list[tuple[int, ...]]] = {}
    for t, tname in enumerate(TIER_NAMES):
        rows = problem.tier == t
        floored = [k for k in range(problem.k) if floor_amt[k, t] > 0]
        empty = [k for k in floored if not np.any(problem.eligible[rows, k])]
        for k in empty:
            conflicts.append(
                f"{names[k]}: floor {problem.floors[k, t]:g} for the {tname} tier, "
                f"but no {tname} creator is eligible"
            )
        floored = [k for k in floored if k not in empty]
        if floored:
            sizes = range(1, len(floored) + 1) if problem.total_cap is not None else (1,)
            tiers[t] = [sub for size in sizes for sub in combinations(floored, size)]
    rooms = _capacity(problem, tiers) if tiers else {}
    for t, sets in tiers.items():
        tname = TIER_NAMES[t]
        short: list[tuple[int, ...]] = []
        for subset, cap in zip(sets, rooms[t], strict=True):
            need = floor_amt[list(subset), t].sum()
            if need > cap * (1 + 1e-12) and not any(set(small) <= set(subset) for small in short):
                short.append(subset)
                label = " + ".join(names[k] for k in subset)
                conflicts.append(
                    f"{label}: {tname}-tier floor(s) need {need:.6g} but the eligible {tname} "
                    f"creators' caps allow only {cap:.6g}"
                )
    if conflicts:
        raise InfeasibleProblem(conflicts)


def check_whole(problem: AllocationProblem) -> None:
    """Raise InfeasibleProblem when no plan in whole units exists although a fractional one may: floors
    rounded up (``floor_units``) summing above the budget, or above what a tier's whole caps absorb."""
    conflicts = []
    floors, caps = problem.floor_units(), problem.whole_caps()
    if problem.total_cap is not None:
        caps = np.minimum(
            caps, np.clip(np.floor(problem.total_cap + 1e-9), 0, 2.0**62).astype(np.int64)[:, None]
        )
    for k, name in enumerate(problem.names):
        budget = problem.budgets[k]
        if floors[k].sum() > budget:
            parts = " + ".join(f"{TIER_NAMES[t]} {floors[k, t]:,}" for t in range(3) if floors[k, t])
            conflicts.append(f"{name}: tier floors in whole units sum to {floors[k].sum():,} > budget "
                             f"{budget:,.0f} ({parts})")  # fmt: skip
        for t, tname in enumerate(TIER_NAMES):
            room = int(caps[problem.tier == t, k].sum())
            if floors[k, t] > room:
                conflicts.append(f"{name}: {tname}-tier floor needs {floors[k, t]:,} whole units but the "
                                 f"eligible {tname} creators' whole caps allow only {room:,}")  # fmt: skip
    if conflicts:
        raise InfeasibleProblem(conflicts)
