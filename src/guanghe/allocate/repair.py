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


def repair_packed(problem: AllocationProblem, model, xs: list) -> np.ndarray:
    """`repair` on the solver's packed best responses (``dual.DualModel`` of the whole problem, one (m, j) array
    per pack): the same steps in the same order, each on the eligible pairs only — a (program, tier) is a few
    column slices, one per group of creators sharing their programs. Returns the dense (n, K) plan, equal to
    ``repair(problem, dual.dense(model, xs))`` up to the order of float sums."""
    packs = model.packs
    budgets, floors, n_k = problem.budgets.astype(float), problem.floors, problem.k
    x = [np.clip(xp, 0.0, pk.c) for pk, xp in zip(packs, xs, strict=True)]
    tot = [xp.sum(axis=1) for xp in x]
    for xp, pk, i in zip(x, packs, range(len(packs)), strict=True):
        over = tot[i] > pk.cmax
        if np.any(over):
            xp[over] *= (pk.cmax[over] / tot[i][over])[:, None]
            tot[i] = xp.sum(axis=1)
    # segs[k][t]: (pack, rows, column) of every group of tier t eligible for program k
    segs: list[list[list]] = [[[] for _ in range(3)] for _ in range(n_k)]
    for i, pk in enumerate(packs):
        ends = np.append(pk.starts[1:], pk.a.size)
        for g, (lo, hi) in enumerate(zip(pk.starts, ends, strict=True)):
            for col, k in enumerate(pk.gprogs[g]):
                segs[k][pk.gtier[g]].append((i, slice(int(lo), int(hi)), col))

    def fill(where: list, amount: float, shave: float) -> None:
        rooms = [
            np.maximum(np.minimum(packs[i].c[sl, col] - x[i][sl, col], packs[i].cmax[sl] - tot[i][sl]), 0.0)
            for i, sl, col in where
        ]
        share = min(1.0, amount / max(sum(float(r.sum()) for r in rooms), 1e-300)) * shave
        for (i, sl, col), room in zip(where, rooms, strict=True):
            add = room * share
            x[i][sl, col] += add
            tot[i][sl] += add

    def spent(where: list) -> float:
        return sum(float(x[i][sl, col].sum()) for i, sl, col in where)

    for k, t in np.argwhere(floors * budgets[:, None] > 0):
        need = floors[k, t] * budgets[k] - spent(segs[k][t])
        if need > 0:
            fill(segs[k][t], need, 1.0)
    for k in range(n_k):
        sums = np.array([spent(segs[k][t]) for t in range(3)])
        excess = sums.sum() - budgets[k]
        if excess <= 0:
            continue
        surplus = np.maximum(sums - floors[k] * budgets[k], 0.0)
        theta = min(1.0, excess / max(surplus.sum(), 1e-300))
        factor = np.where(sums > 0, 1.0 - theta * surplus / np.where(sums > 0, sums, 1.0), 1.0)
        for t in range(3):
            for i, sl, col in segs[k][t]:
                x[i][sl, col] *= factor[t]
    tot = [xp.sum(axis=1) for xp in x]
    for k in range(n_k):  # spend what is left where there is room: the objective increases
        every = [seg for t in range(3) for seg in segs[k][t]]
        left = budgets[k] - spent(every)
        if left > 0:
            fill(every, left, 1 - 1e-12)
    return dense_plan(problem.n, n_k, packs, x)


def dense_plan(n: int, k: int, packs: list, xs: list) -> np.ndarray:
    """The (n, K) plan of per-pack amounts (zero outside the eligible pairs)."""
    x = np.zeros((n, k))
    flat = x.reshape(-1)
    for pk, xp in zip(packs, xs, strict=True):
        flat[(pk.rows[:, None] * k + pk.progs).ravel()] = xp.ravel()
    return x


ROWS = 1 << 16  # rows per chunk of the checks (cache-sized temporaries)


def _tier_sums(tier: np.ndarray, x: np.ndarray) -> np.ndarray:
    """(3, K) sum of x over each tier's rows, in row chunks."""
    out = np.zeros((3, x.shape[1]))
    for lo in range(0, x.shape[0], ROWS):
        xt, tt = x[lo : lo + ROWS], tier[lo : lo + ROWS]
        for t in range(3):
            out[t] += xt[tt == t].sum(axis=0)
    return out


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
    outside, above, spent = 0, 0, np.zeros(problem.k)
    for lo in range(0, problem.n, ROWS):
        xc, cc = x[lo : lo + ROWS], c[lo : lo + ROWS]
        outside += int(np.sum((xc < 0) | (xc > cc * (1 + rel) + eps)))
        tot = xc.sum(axis=1)
        spent += xc.sum(axis=0)
        if total_cap is not None:
            above += int(np.sum(tot > total_cap[lo : lo + ROWS] * (1 + rel) + eps))
    if outside:
        out.append(f"{outside} entries outside [0, cap]")
    if above:
        out.append(f"{above} creators above their total cap")
    tiers = _tier_sums(problem.tier, x)
    for k, name in enumerate(problem.names):
        if spent[k] > problem.budgets[k] * (1 + rel) + eps:
            out.append(f"{name}: spends {spent[k]:.6g} > budget {problem.budgets[k]:.6g}")
        for t, tname in enumerate(TIER_NAMES):
            floor = floors[k, t]
            got = tiers[t, k]
            if floor > 0 and got < floor * (1 - rel):
                out.append(f"{name}: {tname} tier gets {got:.10g} < floor {floor:.10g}")
    return out


def binding(problem: AllocationProblem, x: np.ndarray) -> dict[str, np.ndarray]:
    spent = x.sum(axis=0)
    floor_amt = problem.floors * problem.budgets[:, None]
    tier_sums = _tier_sums(problem.tier, x).T
    cap_binding = np.zeros(x.shape, dtype=bool)
    for lo in range(0, problem.n, ROWS):
        sl = slice(lo, lo + ROWS)
        caps = problem.caps[sl]
        cap_binding[sl] = problem.eligible[sl] & np.isfinite(caps) & (caps > 0) & (x[sl] >= caps * (1 - BIND))
    tot = x.sum(axis=1)
    total = (
        np.zeros(problem.n, dtype=bool)
        if problem.total_cap is None
        else tot >= problem.total_cap * (1 - BIND)
    )
    return {
        "budget_binding": spent >= problem.budgets * (1 - BIND),
        "floor_binding": (floor_amt > 0) & (tier_sums <= floor_amt * (1 + BIND)),
        "cap_binding": cap_binding,
        "total_cap_binding": total & (tot > 0),
    }
