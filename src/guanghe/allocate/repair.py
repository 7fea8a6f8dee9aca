"""Turn a nearly feasible plan into a feasible one, check it, and say which constraints bind."""

from __future__ import annotations

from dataclasses import dataclass
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
    """`repair_packs` written out as the dense (n, K) plan."""
    return dense_plan(problem.n, problem.k, model.packs, repair_packs(problem, model, xs))


def packed_value(model, xs: list) -> float:
    """The objective sum_i a_i ln(1 + X_i / s_i) of a packed plan (creators in no pack add 0)."""
    return float(
        sum(np.sum(pk.a * np.log1p(pk.totals(xp) / pk.s)) for pk, xp in zip(model.packs, xs, strict=True))
    )


def repair_packs(problem: AllocationProblem, model, xs: list) -> list:
    """`repair` on the solver's packed best responses (``dual.DualModel`` of the whole problem, one (m, j) array
    per pack): the same steps in the same order, each vectorised over the eligible pairs it concerns only.
    Returns the repaired packs; written out (`dense_plan`) they equal ``repair(problem, dual.dense(model, xs))``
    up to the order of float sums."""
    packs = model.packs
    budgets, floors, n_k = problem.budgets.astype(float), problem.floors, problem.k
    # min/max, not np.clip (several times slower); without total caps the creators' totals are never needed
    x = [np.minimum(np.maximum(xp, 0.0), pk.c) for pk, xp in zip(packs, xs, strict=True)]
    capped = problem.total_cap is not None
    tot = [xp.sum(axis=1) for xp in x] if capped else []
    for i, pk in enumerate(packs if capped else []):
        over = tot[i] > pk.cmax
        if np.any(over):
            x[i][over] *= (pk.cmax[over] / tot[i][over])[:, None]
            tot[i] = x[i].sum(axis=1)
    flat = [xp.reshape(-1) for xp in x]  # views: entry e of pack i is row e // j, column e % j
    ekey = [
        np.take((pk.gprogs * 3 + pk.gtier[:, None]).astype(np.int16), pk.gid, axis=0).reshape(-1)
        for pk in packs
    ]

    def entries(k: int, t: int | None = None) -> list[np.ndarray]:
        """Per pack, the entries of program k (of tier t's creators only if given)."""
        if t is None:
            return [np.flatnonzero(ek // 3 == k) for ek in ekey]
        return [np.flatnonzero(ek == 3 * k + t) for ek in ekey]

    def spent(where: list[np.ndarray]) -> float:
        return sum(float(f[e].sum()) for f, e in zip(flat, where, strict=True))

    def fill(where: list[np.ndarray], amount: float, shave: float) -> None:
        rooms = []
        for i, e in enumerate(where):
            room = packs[i].c.reshape(-1)[e] - flat[i][e]
            if capped:
                rows = e // packs[i].j
                np.minimum(room, packs[i].cmax[rows] - tot[i][rows], out=room)
            rooms.append(np.maximum(room, 0.0, out=room))
        share = min(1.0, amount / max(sum(float(r.sum()) for r in rooms), 1e-300)) * shave
        for i, (e, room) in enumerate(zip(where, rooms, strict=True)):
            add = room * share
            flat[i][e] += add
            if capped:
                tot[i][e // packs[i].j] += add

    for k, t in np.argwhere(floors * budgets[:, None] > 0):
        where = entries(int(k), int(t))
        need = floors[k, t] * budgets[k] - spent(where)
        if need > 0:
            fill(where, need, 1.0)
    sums = np.zeros(3 * n_k)
    for f, ek in zip(flat, ekey, strict=True):
        sums += np.bincount(ek, weights=f, minlength=3 * n_k)
    sums = sums.reshape(n_k, 3)
    factor = np.ones((n_k, 3))
    for k in range(n_k):
        excess = sums[k].sum() - budgets[k]
        if excess <= 0:
            continue
        surplus = np.maximum(sums[k] - floors[k] * budgets[k], 0.0)
        theta = min(1.0, excess / max(surplus.sum(), 1e-300))
        factor[k] = np.where(sums[k] > 0, 1.0 - theta * surplus / np.where(sums[k] > 0, sums[k], 1.0), 1.0)
    if np.any(factor != 1.0):
        for f, ek in zip(flat, ekey, strict=True):
            f *= factor.reshape(-1)[ek]
    tot = [xp.sum(axis=1) for xp in x] if capped else []
    for k in range(n_k):  # spend what is left where there is room: the objective increases
        where = entries(k)
        left = budgets[k] - spent(where)
        if left > 0:
            fill(where, left, 1 - 1e-12)
    return x


def dense_plan(n: int, k: int, packs: list, xs: list, scanner: Scanner | None = None) -> np.ndarray:
    """The (n, K) plan of per-pack amounts (zero outside the eligible pairs), written chunk of rows by chunk
    (each pack's creators are in creator order: a chunk is one slice of each pack, and stays in cache);
    `scanner` sees each chunk right after it is written (the checks without reading the plan again)."""
    x = np.zeros((n, k))
    flat = x.reshape(-1)
    step = ROWS
    cuts = [np.searchsorted(pk.rows, np.arange(0, n + step, step)) for pk in packs]
    for c in range(-(-n // step)):
        for pk, xp, cut in zip(packs, xs, cuts, strict=True):
            sl = slice(cut[c], cut[c + 1])
            if sl.start < sl.stop:
                cols = np.take(pk.gprogs, pk.gid[sl], axis=0)  # rows by uint8 ids: np.take, not indexing
                flat[(pk.rows[sl, None] * k + cols).reshape(-1)] = xp[sl].reshape(-1)
        if scanner is not None:
            scanner.chunk(c * step, x[c * step : (c + 1) * step])
    return x


ROWS = 1 << 16  # rows per chunk of the checks (cache-sized temporaries)


@dataclass
class Scan:
    """One pass over a plan in row chunks: what `violations` and `binding` need."""

    outside: int  # entries outside [0, cap]
    above: int  # creators above their total cap
    spent: np.ndarray  # (K,)
    tiers: np.ndarray  # (3, K) sums per tier
    totals: np.ndarray  # (n,) X_i
    cap_binding: np.ndarray | None  # (n, K) when asked for


class Scanner:
    """Accumulates a `Scan` a chunk of rows at a time (so a plan can be checked as it is written)."""

    def __init__(self, problem: AllocationProblem, whole: bool = False, bind: bool = False) -> None:
        self.problem, self.whole = problem, whole
        self.rel, self.eps = (0.0, 0.0) if whole else (REL, 1e-12)
        self.total_cap = problem.total_cap
        if whole and self.total_cap is not None:
            self.total_cap = np.floor(self.total_cap + 1e-9)
        self.outside, self.above, self.spent = 0, 0, np.zeros(problem.k)
        self.tiers, self.totals = np.zeros((3, problem.k)), np.empty(problem.n)
        self.cap_binding = np.zeros((problem.n, problem.k), dtype=bool) if bind else None

    def chunk(self, lo: int, xc: np.ndarray) -> None:
        """Rows lo .. lo + len(xc) of the plan."""
        problem, rel, eps = self.problem, self.rel, self.eps
        sl = slice(lo, lo + xc.shape[0])
        cc = problem.effective_caps(sl)
        if self.whole:  # as `whole_caps`, a chunk at a time
            cc = np.floor(cc + 1e-9).astype(np.int64).astype(float)
        self.outside += int(np.sum((xc < 0) | (xc > cc * (1 + rel) + eps)))
        tot = self.totals[sl] = xc.sum(axis=1)
        self.spent += xc.sum(axis=0)
        if self.total_cap is not None:
            self.above += int(np.sum(tot > self.total_cap[sl] * (1 + rel) + eps))
        onehot = (problem.tier[None, sl] == np.arange(3)[:, None]).astype(float)
        self.tiers += np.einsum("tr,rk->tk", onehot, xc)  # NumPy's own loop: no BLAS threads
        if self.cap_binding is not None:
            caps = problem.caps[sl]
            self.cap_binding[sl] = (
                problem.eligible[sl] & np.isfinite(caps) & (caps > 0) & (xc >= caps * (1 - BIND))
            )

    def result(self) -> Scan:
        return Scan(self.outside, self.above, self.spent, self.tiers, self.totals, self.cap_binding)


def scan(problem: AllocationProblem, x: np.ndarray, whole: bool = False, bind: bool = False) -> Scan:
    """One pass over the plan x in row chunks."""
    sc = Scanner(problem, whole, bind)
    for lo in range(0, problem.n, ROWS):
        sc.chunk(lo, x[lo : lo + ROWS])
    return sc.result()


def violations(
    problem: AllocationProblem, x: np.ndarray, whole: bool = False, seen: Scan | None = None
) -> list[str]:
    """Every constraint x breaks (relative tolerance 1e-9), named.

    ``whole``: x is a plan in whole units (what is stored) and is held to the whole-unit constraints with no
    tolerance: caps rounded down, tier floors rounded up (``floor_units``), budgets as they are.
    ``seen``: the plan's `scan` if already made.
    """
    out = []
    rel, eps = (0.0, 0.0) if whole else (REL, 1e-12)
    floors = problem.floor_units().astype(float) if whole else problem.floors * problem.budgets[:, None]
    sc = seen or scan(problem, x, whole)
    if sc.outside:
        out.append(f"{sc.outside} entries outside [0, cap]")
    if sc.above:
        out.append(f"{sc.above} creators above their total cap")
    for k, name in enumerate(problem.names):
        if sc.spent[k] > problem.budgets[k] * (1 + rel) + eps:
            out.append(f"{name}: spends {sc.spent[k]:.6g} > budget {problem.budgets[k]:.6g}")
        for t, tname in enumerate(TIER_NAMES):
            floor = floors[k, t]
            got = sc.tiers[t, k]
            if floor > 0 and got < floor * (1 - rel):
                out.append(f"{name}: {tname} tier gets {got:.10g} < floor {floor:.10g}")
    return out


def binding(problem: AllocationProblem, x: np.ndarray, seen: Scan | None = None) -> dict[str, np.ndarray]:
    """Which budgets, floors, caps and total caps bind (within BIND); ``seen``: the plan's `scan(bind=True)`."""
    sc = seen if seen is not None and seen.cap_binding is not None else scan(problem, x, bind=True)
    floor_amt = problem.floors * problem.budgets[:, None]
    tot, tier_sums = sc.totals, sc.tiers.T
    total = (
        np.zeros(problem.n, dtype=bool)
        if problem.total_cap is None
        else tot >= problem.total_cap * (1 - BIND)
    )
    return {
        "budget_binding": sc.spent >= problem.budgets * (1 - BIND),
        "floor_binding": (floor_amt > 0) & (tier_sums <= floor_amt * (1 + BIND)),
        "cap_binding": sc.cap_binding,
        "total_cap_binding": total & (tot > 0),
    }
