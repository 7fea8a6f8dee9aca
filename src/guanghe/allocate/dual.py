"""The Lagrangian dual over (lambda, mu): value, gradient and Hessian, accumulated over packs of creators.

g(lambda, mu) = sum_k lambda_k B_k - sum_{k,t} mu[k,t] floors[k,t] B_k + sum_i max_x [f_i(X_i) - p_i . x_i],
p[i, k] = lambda_k - mu[k, tier_i]. Only floors > 0 carry a multiplier. g is convex; any (lambda, mu) >= 0
gives an upper bound on the optimum (weak duality).

Creators are packed by the number j of programs they are eligible for: a pack stores only their j eligible
columns (caps and program indices), so the work is proportional to the number of eligible (creator, program)
pairs, and is sorted by (tier, eligible programs), so the creators of one *group* (same tier, same programs,
same price vector) are contiguous. A pass runs over each pack in blocks of BLOCK rows (cache-sized, a few
dozen NumPy calls each, whatever the number of groups) and sums per group with ``np.add.reduceat`` (a fixed
order: the result does not depend on threads).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from guanghe.allocate import repair, response
from guanghe.allocate.problem import AllocationProblem

BLOCK = 1 << 15  # rows per block of a pass


@dataclass
class Pack:
    """The creators eligible for exactly j programs, sorted by (tier, programs)."""

    rows: np.ndarray  # (m,) creator indices
    tier: np.ndarray  # (m,) int
    progs: np.ndarray  # (m, j) eligible program indices, increasing
    a: np.ndarray  # (m,)
    s: np.ndarray  # (m,)
    c: np.ndarray  # (m, j) finite caps
    cmax: np.ndarray  # (m,) total caps, inf where none
    starts: np.ndarray  # (G,) first row of each group
    gtier: np.ndarray  # (G,) the group's tier
    gprogs: np.ndarray  # (G, j) the group's programs
    blocks: list = field(default_factory=list)  # (slice, local group starts, group ids) per block
    single: bool = False  # one program, every cap within the total cap: `response.regularised_single` applies

    @property
    def j(self) -> int:
        return int(self.c.shape[1])

    def __post_init__(self) -> None:
        m = self.a.size
        self.single = self.j == 1 and bool(np.all(self.c[:, 0] <= self.cmax))
        for lo in range(0, m, BLOCK):
            hi = min(lo + BLOCK, m)
            first = int(np.searchsorted(self.starts, lo, side="right")) - 1
            last = int(np.searchsorted(self.starts, hi, side="left"))
            local = np.concatenate([[0], self.starts[first + 1 : last] - lo]).astype(np.intp)
            self.blocks.append((slice(lo, hi), local, np.arange(first, last)))


@dataclass
class DualModel:
    """The problem in solver form, and the map between the dual vector y and (lambda, mu)."""

    n: int
    packs: list[Pack]
    budgets: np.ndarray
    floors: np.ndarray
    floor_idx: np.ndarray  # (F, 2) rows (k, t) of floors carrying a multiplier
    recent: list = field(default_factory=list)  # the last two (y, rho, per-pack best responses) evaluated

    @classmethod
    def of(cls, problem: AllocationProblem, rows: np.ndarray | None = None, scale: float = 1.0) -> DualModel:
        """The model of `problem`, or of creators `rows` with budgets times `scale` (a warm-start sample)."""
        k = problem.k
        c_all = problem.effective_caps(rows)
        idx = np.arange(problem.n) if rows is None else np.asarray(rows)
        elig = c_all > 0
        # A 16-bit key (tier, eligibility mask): NumPy's stable sort of 16-bit integers is a radix sort.
        mask = np.zeros(idx.size, dtype=np.uint16)
        for j in range(k):
            mask |= elig[:, j].astype(np.uint16) << np.uint16(j)
        key = (problem.tier[idx].astype(np.uint16) << np.uint16(k)) | mask
        count = np.zeros(idx.size, dtype=np.int8)
        for j in range(k):
            count += elig[:, j]
        key2 = (count.astype(np.uint16) << np.uint16(k + 2)) | key  # packs by count, then groups by key
        order = np.argsort(key2, kind="stable")
        skey = key2[order]
        packs = []
        cap_total = problem.total_cap
        for j in range(1, k + 1):
            lo, hi = np.searchsorted(skey, [j << (k + 2), (j + 1) << (k + 2)])
            if hi <= lo:
                continue
            part = order[lo:hi]
            gk = skey[lo:hi]
            starts = np.concatenate([[0], np.flatnonzero(np.diff(gk)) + 1])
            gmask = (gk[starts] & ((1 << k) - 1)).astype(np.int64)
            gprogs = np.array([np.flatnonzero((gm >> np.arange(k)) & 1) for gm in gmask], dtype=np.intp)
            gtier = (gk[starts] >> k) & 3
            sizes = np.diff(np.concatenate([starts, [part.size]]))
            progs = np.repeat(gprogs, sizes, axis=0)
            sel = idx[part]
            packs.append(
                Pack(
                    rows=sel,
                    tier=np.repeat(gtier.astype(np.intp), sizes),
                    progs=progs,
                    a=problem.a[sel].astype(float),
                    s=problem.s[sel].astype(float),
                    c=np.take_along_axis(c_all[part], progs, axis=1),
                    cmax=np.full(sel.size, np.inf) if cap_total is None else cap_total[sel].astype(float),
                    starts=starts.astype(np.intp),
                    gtier=gtier.astype(np.intp),
                    gprogs=gprogs,
                )
            )
        floor_idx = np.argwhere(problem.floors * problem.budgets[:, None] > 0)
        return cls(
            problem.n, packs, problem.budgets.astype(float) * scale, problem.floors.astype(float), floor_idx
        )

    @property
    def dim(self) -> int:
        return self.budgets.size + len(self.floor_idx)

    def split(self, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        k = self.budgets.size
        mu = np.zeros((k, 3))
        mu[self.floor_idx[:, 0], self.floor_idx[:, 1]] = y[k:]
        return y[:k], mu

    def prices(self, y: np.ndarray) -> np.ndarray:
        """(K, 3) the price lambda_k - mu[k, t] a tier-t creator pays for program k."""
        lam, mu = self.split(y)
        return lam[:, None] - mu

    def linear_part(self, y: np.ndarray) -> float:
        lam, mu = self.split(y)
        return float(lam @ self.budgets - np.sum(mu * self.floors * self.budgets[:, None]))


def block_prices(pack: Pack, sl: slice, price: np.ndarray) -> np.ndarray:
    """(b, j) the prices the block's creators face."""
    return price[pack.progs[sl], pack.tier[sl, None]]


@dataclass
class DualEval:
    value: float
    grad: np.ndarray
    hess: np.ndarray | None
    x: list | None = None  # per pack: (m, j) the smoothed best responses


def _assemble(model: DualModel, y: np.ndarray, inner: float, sums: np.ndarray, blocks) -> DualEval:
    k = model.budgets.size
    fk, ft = model.floor_idx[:, 0], model.floor_idx[:, 1]
    grad = np.concatenate(
        [model.budgets - sums.sum(axis=0), sums[ft, fk] - model.floors[fk, ft] * model.budgets[fk]]
    )
    hess = None
    if blocks is not None:  # blocks[t] = d^2 g / dp dp summed over tier-t creators (K x K)
        hess = np.zeros((model.dim, model.dim))
        hess[:k, :k] = blocks.sum(axis=0)
        for j, (kk, tt) in enumerate(model.floor_idx):
            hess[:k, k + j] = hess[k + j, :k] = -blocks[tt][:, kk]
            for j2, (kk2, tt2) in enumerate(model.floor_idx):
                if tt2 == tt:
                    hess[k + j, k + j2] = blocks[tt][kk, kk2]
    return DualEval(model.linear_part(y) + inner, grad, hess)


def regularised(model: DualModel, y: np.ndarray, rho: float, hessian: bool = True) -> DualEval:
    """The smoothed dual (quadratic tie-breaker of weight rho) with its exact Hessian; keeps the best responses."""
    k = model.budgets.size
    price = model.prices(y)
    inner, sums, blocks = 0.0, np.zeros((3, k)), np.zeros((3, k, k))
    xs = []
    for pk in model.packs:
        j, ngroups = pk.j, pk.starts.size
        gx = np.zeros((ngroups, j))
        gh = np.zeros((ngroups, j, j)) if hessian else None
        x_pack = np.empty_like(pk.c)
        for sl, local, gid in pk.blocks:
            p = block_prices(pk, sl, price)
            if pk.single:
                r = response.regularised_single(pk.a[sl], pk.s[sl], pk.c[sl], p, rho)
            else:
                r = response.regularised(pk.a[sl], pk.s[sl], pk.c[sl], pk.cmax[sl], p, rho)
            x_pack[sl] = r.x
            inner += float(r.inner.sum())
            gx[gid] += np.add.reduceat(r.x, local, axis=0)
            if hessian:
                v = r.u * np.sqrt(r.gamma)[:, None]
                h = np.add.reduceat(v[:, :, None] * v[:, None, :], local, axis=0)
                ui = np.add.reduceat(r.u, local, axis=0)
                diag = np.arange(j)
                h[:, diag, diag] -= ui
                gh[gid] -= h
        xs.append(x_pack)
        np.add.at(sums, (pk.gtier[:, None], pk.gprogs), gx)
        if hessian:
            np.add.at(blocks, (pk.gtier[:, None, None], pk.gprogs[:, :, None], pk.gprogs[:, None, :]), gh)
    ev = _assemble(model, y, inner, sums, blocks if hessian else None)
    ev.x = xs
    model.recent = [*model.recent[-1:], (y.copy(), rho, xs)]
    return ev


def bound(model: DualModel, y: np.ndarray) -> float:
    """The exact dual value at y >= 0: an upper bound on the optimum."""
    price = model.prices(y)
    inner = 0.0
    for pk in model.packs:
        for sl, _, _ in pk.blocks:
            p = block_prices(pk, sl, price)
            inner += float(response.exact(pk.a[sl], pk.s[sl], pk.c[sl], pk.cmax[sl], p).inner.sum())
    return model.linear_part(y) + inner


def dense(model: DualModel, xs: list) -> np.ndarray:
    """The (n, K) plan of per-pack amounts."""
    return repair.dense_plan(model.n, model.budgets.size, model.packs, xs)


def packed_primal(model: DualModel, y: np.ndarray, rho: float) -> list:
    """The regularised best responses at y per pack (reused from the last evaluations when y and rho match)."""
    for y0, rho0, xs in model.recent:
        if rho0 == rho and np.array_equal(y0, y):
            return xs
    return regularised(model, y, rho, hessian=False).x


def primal(model: DualModel, y: np.ndarray, rho: float) -> np.ndarray:
    """The regularised best-response plan (n, K) at y (nearly feasible at the smoothed dual's optimum)."""
    return dense(model, packed_primal(model, y, rho))
