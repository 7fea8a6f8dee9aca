"""The Lagrangian dual over (lambda, mu): value, gradient and Hessian, accumulated over creator groups.

g(lambda, mu) = sum_k lambda_k B_k - sum_{k,t} mu[k,t] floors[k,t] B_k + sum_i max_x [f_i(X_i) - p_i . x_i],
p[i, k] = lambda_k - mu[k, tier_i]. Only floors > 0 carry a multiplier. g is convex; any (lambda, mu) >= 0
gives an upper bound on the optimum (weak duality). Creators are grouped by (tier, eligible programs): a
group shares one price vector and only its eligible columns are stored, so the work is proportional to the
number of eligible (creator, program) pairs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from guanghe.allocate import response
from guanghe.allocate.problem import AllocationProblem

CHUNK = 1 << 19


@dataclass
class Group:
    rows: np.ndarray  # creator indices
    tier: int
    progs: np.ndarray  # eligible program indices (j,)
    a: np.ndarray
    s: np.ndarray
    c: np.ndarray  # (m, j) finite caps
    cmax: np.ndarray  # (m,) total caps, inf where none


@dataclass
class DualModel:
    """The problem in solver form, and the map between the dual vector y and (lambda, mu)."""

    n: int
    groups: list[Group]
    budgets: np.ndarray
    floors: np.ndarray
    floor_idx: np.ndarray  # (F, 2) rows (k, t) of floors carrying a multiplier

    @classmethod
    def of(cls, problem: AllocationProblem, rows: np.ndarray | None = None, scale: float = 1.0) -> DualModel:
        """The model of `problem`, or of creators `rows` with budgets times `scale` (a warm-start sample)."""
        c_all = problem.effective_caps(rows)
        idx = np.arange(problem.n) if rows is None else rows
        elig = c_all > 0
        key = problem.tier[idx].astype(np.int64) << problem.k
        key |= (elig * (1 << np.arange(problem.k))).sum(axis=1)
        order = np.argsort(key, kind="stable")
        bounds = np.flatnonzero(np.diff(key[order])) + 1
        groups = []
        cap_total = problem.total_cap
        for part in np.split(order, bounds):
            progs = np.flatnonzero(elig[part[0]])
            if progs.size == 0:
                continue
            sel = idx[part]
            cmax = np.full(sel.size, np.inf) if cap_total is None else cap_total[sel].astype(float)
            groups.append(
                Group(
                    sel,
                    int(problem.tier[sel[0]]),
                    progs,
                    problem.a[sel].astype(float),
                    problem.s[sel].astype(float),
                    c_all[part][:, progs],
                    cmax,
                )
            )
        floor_idx = np.argwhere(problem.floors * problem.budgets[:, None] > 0)
        return cls(
            problem.n, groups, problem.budgets.astype(float) * scale, problem.floors.astype(float), floor_idx
        )

    @property
    def dim(self) -> int:
        return self.budgets.size + len(self.floor_idx)

    def split(self, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        k = self.budgets.size
        mu = np.zeros((k, 3))
        mu[self.floor_idx[:, 0], self.floor_idx[:, 1]] = y[k:]
        return y[:k], mu

    def blocks(self, y: np.ndarray):
        """(group, slice, price row) for every block of at most CHUNK creators."""
        lam, mu = self.split(y)
        for g in self.groups:
            p = (lam[g.progs] - mu[g.progs, g.tier])[None, :]
            for lo in range(0, g.a.size, CHUNK):
                yield g, slice(lo, lo + CHUNK), p

    def linear_part(self, y: np.ndarray) -> float:
        lam, mu = self.split(y)
        return float(lam @ self.budgets - np.sum(mu * self.floors * self.budgets[:, None]))


@dataclass
class DualEval:
    value: float
    grad: np.ndarray
    hess: np.ndarray | None


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


def _gram(u: np.ndarray, gamma: np.ndarray) -> np.ndarray:
    """sum_i gamma_i u_i u_i^T (j x j) over a block's creators, by NumPy's own loops: OpenBLAS splits this long
    sum between its threads, and its result then changes with the thread count in the last bits, which moved the
    solver's prices (and the plan) between machines and settings."""
    vt = np.ascontiguousarray(u.T) * np.sqrt(gamma)
    return np.einsum("ji,li->jl", vt, vt)


def regularised(model: DualModel, y: np.ndarray, rho: float, hessian: bool = True) -> DualEval:
    """The smoothed dual (quadratic tie-breaker of weight rho) with its exact Hessian."""
    k = model.budgets.size
    inner, sums, blocks = 0.0, np.zeros((3, k)), np.zeros((3, k, k))
    for g, sl, p in model.blocks(y):
        r = response.regularised(g.a[sl], g.s[sl], g.c[sl], g.cmax[sl], p, rho)
        inner += float(r.inner.sum())
        sums[g.tier, g.progs] += r.x.sum(axis=0)
        if hessian:
            blocks[g.tier][np.ix_(g.progs, g.progs)] += np.diag(r.u.sum(axis=0)) - _gram(r.u, r.gamma)
    return _assemble(model, y, inner, sums, blocks if hessian else None)


def bound(model: DualModel, y: np.ndarray) -> float:
    """The exact dual value at y >= 0: an upper bound on the optimum."""
    inner = 0.0
    for g, sl, p in model.blocks(y):
        inner += float(response.exact(g.a[sl], g.s[sl], g.c[sl], g.cmax[sl], p).inner.sum())
    return model.linear_part(y) + inner


def primal(model: DualModel, y: np.ndarray, rho: float) -> np.ndarray:
    """The regularised best-response plan (n, K) at y (nearly feasible at the smoothed dual's optimum)."""
    x = np.zeros((model.n, model.budgets.size))
    for g, sl, p in model.blocks(y):
        xr = response.regularised(g.a[sl], g.s[sl], g.c[sl], g.cmax[sl], p, rho).x
        x[np.ix_(g.rows[sl], g.progs)] = xr
    return x
