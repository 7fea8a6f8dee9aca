"""Turn a nearly feasible plan into a feasible one, check it, and say which constraints bind."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from guanghe.allocate.problem import TIER_NAMES, AllocationProblem

REL = 1e-9  # feasibility tolerance, relative
BIND = 1e-6  # a constraint within this relative distance of its bound binds


def repair(problem: AllocationProblem, x: np.ndarray) -> np.ndarray:
    """Raise short floors into spare cap room, scale over-spent budgets down on tiers above their floor."""
    model = SimpleNamespace(
        c=problem.effective_caps(),
        tier=problem.tier,
        budgets=problem.budgets,
        floors=problem.floors,
        cmax=np.full(problem.n, np.inf) if problem.total_cap is None else problem.total_cap,
        floor_idx=np.argwhere(problem.floors * problem.budgets[:, None] > 0),
    )
    x = np.clip(x, 0.0, model.c)
    tot = x.sum(axis=1)
    over = tot > model.cmax
    if np.any(over):
        x[over] *= (model.cmax[over] / tot[over])[:, None]
        tot = x.sum(axis=1)
    for k, t in model.floor_idx:
        rows = model.tier == t
        need = model.floors[k, t] * model.budgets[k] - x[rows, k].sum()
        if need <= 0:
            continue
        room = np.maximum(np.minimum(model.c[rows, k] - x[rows, k], model.cmax[rows] - tot[rows]), 0.0)
        add = room * min(1.0, need / max(room.sum(), 1e-300))
        x[rows, k] += add
        tot[rows] += add
    for k in range(model.budgets.size):
        excess = x[:, k].sum() - model.budgets[k]
        if excess <= 0:
            continue
        sums = np.array([x[model.tier == t, k].sum() for t in range(3)])
        surplus = np.maximum(sums - model.floors[k] * model.budgets[k], 0.0)
        theta = min(1.0, excess / max(surplus.sum(), 1e-300))
        factor = np.where(sums > 0, 1.0 - theta * surplus / np.where(sums > 0, sums, 1.0), 1.0)
        x[:, k] *= factor[model.tier]
    tot = x.sum(axis=1)
    for k in range(model.budgets.size):  # spend what is left where there is room: the objective increases
        left = model.budgets[k] - x[:, k].sum()
        if left <= 0:
            continue
        room = np.maximum(np.minimum(model.c[:, k] - x[:, k], model.cmax - tot), 0.0)
        add = room * min(1.0, left / max(room.sum(), 1e-300)) * (1 - 1e-12)
        x[:, k] += add
        tot += add
    return x


def violations(problem: AllocationProblem, x: np.ndarray, whole: bool = False) -> list[str]:
    """Every constraint x breaks (relative tolerance 1e-9), named.

    ``whole``: x is a plan in whole units (what is stored) and is held to the whole-unit constraints with no
    tolerance: caps rounded down, tier floors rounded up (``floor_units``), budgets as they are.
    """
    out = []
    if whole:
        c, rel, eps = problem.whole_caps().astype(float), 0.0, 0.0
        floors = problem.floor_units().astype(float)
        total_cap = None if problem.total_cap is None else np.floor(problem.total_cap + 1e-9)
    else:
        c, rel, eps = problem.effective_caps(), REL, 1e-12
        floors = problem.floors * problem.budgets[:, None]
        total_cap = problem.total_cap
    if np.any(x < 0) or np.any(x > c * (1 + rel) + eps):
        out.append(f"{int(np.sum((x < 0) | (x > c * (1 + rel) + eps)))} entries outside [0, cap]")
    if total_cap is not None:
        bad = x.sum(axis=1) > total_cap * (1 + rel) + eps
        if np.any(bad):
            out.append(f"{int(bad.sum())} creators above their total cap")
    spent = x.sum(axis=0)
    for k, name in enumerate(problem.names):
        if spent[k] > problem.budgets[k] * (1 + rel) + eps:
            out.append(f"{name}: spends {spent[k]:.6g} > budget {problem.budgets[k]:.6g}")
        for t, tname in enumerate(TIER_NAMES):
            floor = floors[k, t]
            got = x[problem.tier == t, k].sum()
            if floor > 0 and got < floor * (1 - rel):
                out.append(f"{name}: {tname} tier gets {got:.10g} < floor {floor:.10g}")
    return out


def binding(problem: AllocationProblem, x: np.ndarray) -> dict[str, np.ndarray]:
    spent = x.sum(axis=0)
    floor_amt = problem.floors * problem.budgets[:, None]
    tier_sums = np.stack([x[problem.tier == t].sum(axis=0) for t in range(3)], axis=1)
    caps = np.where(problem.eligible, problem.caps, np.inf)
    tot = x.sum(axis=1)
    total = (
        np.zeros(problem.n, dtype=bool)
        if problem.total_cap is None
        else tot >= problem.total_cap * (1 - BIND)
    )
    return {
        "budget_binding": spent >= problem.budgets * (1 - BIND),
        "floor_binding": (floor_amt > 0) & (tier_sums <= floor_amt * (1 + BIND)),
        "cap_binding": np.isfinite(caps) & (caps > 0) & (x >= caps * (1 - BIND)),
        "total_cap_binding": total & (tot > 0),
    }
