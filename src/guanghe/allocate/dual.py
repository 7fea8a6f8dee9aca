"""The Lagrangian dual over (lambda, mu): value, gradient and Hessian, accumulated over packs of creators.

g(lambda, mu) = sum_k lambda_k B_k - sum_{k,t} mu[k,t] floors[k,t] B_k + sum_i max_x [f_i(X_i) - p_i . x_i],
p[i, k] = lambda_k - mu[k, tier_i]. Only floors > 0 carry a multiplier. g is convex; any (lambda, mu) >= 0
gives an upper bound on the optimum (weak duality).

Creators are packed by the number j of programs they are eligible for: a pack stores only their j eligible
columns (caps, and the programs through each creator's *group*: same tier, same programs, same price
vector), so the work is proportional to the number of eligible (creator, program) pairs. A pack keeps creator
order. A pass runs over each pack in blocks of BLOCK rows (a few dozen NumPy calls each, whatever the number
of groups) and sums per group with ``np.bincount`` (a fixed order: the result does not depend on threads).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from guanghe.allocate import repair, response
from guanghe.allocate.problem import AllocationProblem

BLOCK = 1 << 15  # rows per block of a pass
ROWS = 1 << 16  # rows per chunk when building the model
POPCOUNT = np.array([bin(b).count("1") for b in range(256)], dtype=np.int8)
FEW = 6  # packs of up to this many programs use `response.regularised_few` (no sort; 2-3.5x faster than the
# sorted `response.regularised` at 2-6 programs, O(j^2) column operations), more the sorted one


@dataclass
class Pack:
    """The creators eligible for exactly j programs, in creator order; `gid` names each one's group."""

    rows: np.ndarray  # (m,) creator indices, increasing
    gid: np.ndarray  # (m,) group of each creator (same tier, same programs); uint8 when it fits
    gtier: np.ndarray  # (G,) the group's tier
    gprogs: np.ndarray  # (G, j) the group's programs, increasing
    a: np.ndarray  # (m,)
    s: np.ndarray  # (m,)
    c: np.ndarray  # (m, j) finite caps on the group's programs
    cmax: np.ndarray  # (m,) total caps, inf where none (a read-only broadcast inf without total caps)
    r: np.ndarray | None = None  # (m, j) program rates (None: all 1); the best responses run on z = r x
    single: bool = False  # one program, every cap within the total cap: `response.regularised_single` applies

    def __post_init__(self) -> None:
        self.single = self.j == 1 and bool(np.all(self.c[:, 0] <= self.cmax))

    def totals(self, x: np.ndarray, sl: slice = slice(None)) -> np.ndarray:
        """(m,) what each creator's curve reads of its (m, j) amounts x: sum_k r x."""
        return x.sum(axis=1) if self.r is None else np.sum(self.r[sl] * x, axis=1)

    @property
    def tier(self) -> np.ndarray:
        return np.take(self.gtier, self.gid)

    @property
    def progs(self) -> np.ndarray:
        return np.take(self.gprogs, self.gid, axis=0)

    @property
    def j(self) -> int:
        return int(self.c.shape[1])

    def slices(self):
        for lo in range(0, self.a.size, BLOCK):
            yield slice(lo, lo + BLOCK)


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
        idx = np.arange(problem.n) if rows is None else np.asarray(rows)
        # A 16-bit group key (tier, eligibility mask) and the program count, from the effective caps a chunk
        # of rows at a time (never the whole (n, K) array); a stable sort of the 8-bit counts is a radix sort
        # and keeps creator order inside each pack.
        key = np.empty(idx.size, dtype=np.uint16)
        count = np.empty(idx.size, dtype=np.int8)
        bits = (1 << np.arange(k)).astype(np.uint16)
        for lo in range(0, idx.size, ROWS):
            sel = slice(lo, lo + ROWS) if rows is None else idx[lo : lo + ROWS]
            e = problem.effective_caps(sel) > 0
            if k <= 8:  # the mask's byte and its popcount (sums along a short axis are slow)
                mask = np.packbits(e, axis=1, bitorder="little")[:, 0]
                count[lo : lo + ROWS] = POPCOUNT[mask]
            else:
                mask = np.sum(e * bits, axis=1, dtype=np.uint16)
                count[lo : lo + ROWS] = e.sum(axis=1)
            key[lo : lo + ROWS] = (problem.tier[sel].astype(np.uint16) << np.uint16(k)) | mask
        order = np.argsort(count, kind="stable")
        bounds = np.searchsorted(count[order], np.arange(1, k + 2))
        caps = np.ascontiguousarray(problem.caps).reshape(-1)
        two_b = 2 * problem.budgets.astype(float)
        packs = []
        for j in range(1, k + 1):
            part = order[bounds[j - 1] : bounds[j]]
            if part.size == 0:
                continue
            pkey = key[part]
            present = np.zeros(1 << (k + 2), dtype=bool)
            present[pkey] = True
            gkeys = np.flatnonzero(present)
            table = np.zeros(present.size, dtype=np.uint8 if gkeys.size <= 256 else np.intp)
            table[gkeys] = np.arange(gkeys.size)
            gid = table[pkey]
            gprogs = np.array([np.flatnonzero((g >> np.arange(k)) & 1) for g in gkeys], dtype=np.intp)
            sel = idx[part]
            cols = np.take(gprogs, gid, axis=0)
            c = np.minimum(caps[sel[:, None] * k + cols], two_b[cols])  # the effective caps of the pairs
            rate = None
            if problem.rate is not None:
                rate = np.ascontiguousarray(problem.rate).reshape(-1)[sel[:, None] * k + cols].astype(float)
            cmax = np.broadcast_to(np.inf, sel.size)  # no total caps: no memory (a pass reads less)
            if problem.total_cap is not None:
                cmax = problem.total_cap[sel].astype(float)
                np.minimum(c, cmax[:, None], out=c)
            packs.append(
                Pack(
                    rows=sel,
                    gid=gid,
                    gtier=(gkeys >> k).astype(np.intp),
                    gprogs=gprogs,
                    a=np.asarray(problem.a[sel], dtype=float),
                    s=np.asarray(problem.s[sel], dtype=float),
                    c=c.astype(float, copy=False),
                    cmax=cmax,
                    r=rate,
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
    """(b, j) the prices the block's creators face (price: (K, 3) from `DualModel.prices`)."""
    # np.take: indexing rows by the uint8 group ids is ~30x slower
    return np.take(price[pack.gprogs, pack.gtier[:, None]], pack.gid[sl], axis=0)


@dataclass
class DualEval:
    value: float
    grad: np.ndarray
    hess: np.ndarray | None
    # per pack: (m, j) the smoothed best responses; the buffers belong to the model's cache of the last two
    # evaluations and are reused (overwritten) by the evaluation after the next one
    x: list | None = None


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
    spare = model.recent[0][2] if len(model.recent) == 2 else None  # evicted below: reuse its buffers
    model.recent = model.recent[-1:]
    xs = []
    for i, pk in enumerate(model.packs):
        j, ng = pk.j, pk.gtier.size
        pairs = [(i1, i2) for i1 in range(j) for i2 in range(i1 + 1, j)]  # off the diagonal
        gx, gu, gg = np.zeros((j, ng)), np.zeros((j, ng)), np.zeros((len(pairs), ng))
        x_pack = np.empty_like(pk.c) if spare is None else spare[i]
        for sl in pk.slices():
            p, c, rate = block_prices(pk, sl, price), pk.c[sl], None
            if pk.r is not None:  # respond in z = r x: price p / r, cap r c; then x = z / r
                rate = pk.r[sl]
                p, c = p / rate, c * rate
            if pk.single:
                r = response.regularised_single(pk.a[sl], pk.s[sl], c, p, rho)
            elif pk.j <= FEW:
                r = response.regularised_few(pk.a[sl], pk.s[sl], c, pk.cmax[sl], p, rho)
            else:
                r = response.regularised(pk.a[sl], pk.s[sl], c, pk.cmax[sl], p, rho)
            if rate is not None:  # d/dlambda = (1/r) d/dp: amounts and the Hessian's u scale by 1/r
                r.x /= rate
                r.u = r.u / rate
            x_pack[sl] = r.x
            inner += float(r.inner.sum())
            gid = pk.gid[sl]
            for i1 in range(j):
                gx[i1] += np.bincount(gid, weights=r.x[:, i1], minlength=ng)
            if hessian:  # the diagonal u - gamma u^2 in one sum per program
                v = r.u * np.sqrt(r.gamma)[:, None]
                ud = r.u if rate is None else r.u / rate  # d2/dlambda2 of the diagonal: u / r^2
                for i1 in range(j):
                    gu[i1] += np.bincount(gid, weights=ud[:, i1] - v[:, i1] * v[:, i1], minlength=ng)
                for q, (i1, i2) in enumerate(pairs):
                    gg[q] += np.bincount(gid, weights=v[:, i1] * v[:, i2], minlength=ng)
        xs.append(x_pack)
        np.add.at(sums, (pk.gtier[:, None], pk.gprogs), gx.T)
        if hessian:  # d^2 g / dp dp = sum_i diag(u_i) - gamma_i u_i u_i^T, per group
            gh = np.zeros((ng, j, j))
            for q, (i1, i2) in enumerate(pairs):
                gh[:, i1, i2] -= gg[q]
                gh[:, i2, i1] -= gg[q]
            gh[:, np.arange(j), np.arange(j)] += gu.T
            np.add.at(blocks, (pk.gtier[:, None, None], pk.gprogs[:, :, None], pk.gprogs[:, None, :]), gh)
    ev = _assemble(model, y, inner, sums, blocks if hessian else None)
    ev.x = xs
    model.recent.append((y.copy(), rho, xs))
    return ev


def bound(model: DualModel, y: np.ndarray) -> float:
    """The exact dual value at y >= 0: an upper bound on the optimum."""
    price = model.prices(y)
    inner = 0.0
    for pk in model.packs:
        for sl in pk.slices():
            p, c = block_prices(pk, sl, price), pk.c[sl]
            if pk.r is not None:  # in z = r x (the inner maximum is the same number)
                p, c = p / pk.r[sl], c * pk.r[sl]
            best = response.exact_few if pk.j <= FEW else response.exact  # no sort: 4-7x faster
            inner += float(best(pk.a[sl], pk.s[sl], c, pk.cmax[sl], p).inner.sum())
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
