"""The allocator's numeric core as it was before issue 14's speed work (the reference the faster code is
tested against): best responses with a sort per creator, creators grouped by (tier, programs) with one NumPy
pass per group, and the dense checks. Copied verbatim except for names; not used by the package."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from guanghe.allocate.problem import TIER_NAMES, AllocationProblem

REL = 1e-9
BIND = 1e-6


def _caps(problem: AllocationProblem, rows: np.ndarray | None = None) -> np.ndarray:
    sel = slice(None) if rows is None else rows
    c = np.minimum(problem.caps[sel], 2 * problem.budgets[None, :])
    if problem.total_cap is not None:
        c = np.minimum(c, problem.total_cap[sel, None])
    return np.where(problem.eligible[sel], c, 0.0)


def curve(a: np.ndarray, s: np.ndarray, x: np.ndarray) -> np.ndarray:
    return a * np.log1p(x / s)


@dataclass
class Response:
    x: np.ndarray  # (m, K)
    inner: np.ndarray  # (m,) maximised inner objective
    marginal: np.ndarray  # (m,) m_i = f'(X) - nu_i (nu: total-cap multiplier)
    total_capped: np.ndarray  # (m,) bool
    u: np.ndarray | None = None  # (m, K) 1/r on programs strictly inside (0, c), else 0
    gamma: np.ndarray | None = None  # (m,) Hessian rank-one weight


def reg_weights(a: np.ndarray, s: np.ndarray, c: np.ndarray, rho: float) -> np.ndarray:
    """r[i, k] = rho * f_i'(c) / c: the price blur over which x goes from 0 to its cap is rho * f_i'(c)."""
    safe = np.where(c > 0, c, 1.0)
    return rho * a[:, None] / ((s[:, None] + safe) * safe)


def regularised_response(a, s, c, cmax, p, rho) -> Response:
    """Best responses with the quadratic tie-breaker; c (m, K) finite caps, cmax (m,) total caps or inf."""
    m_rows, k = c.shape
    p = np.broadcast_to(p, c.shape)
    r = reg_weights(a, s, c, rho)
    inv_r = np.where(c > 0, 1.0 / r, 0.0)
    # x_k(m) = clip((m - p_k) / r_k, 0, c_k) is piecewise linear: slope +1/r from p_k, -1/r from p_k + r c_k.
    bp = np.concatenate([p, p + r * c], axis=1)
    dslope = np.concatenate([inv_r, -inv_r], axis=1)
    order = np.argsort(bp, axis=1)
    bp = np.take_along_axis(bp, order, axis=1)
    slope = np.cumsum(np.take_along_axis(dslope, order, axis=1), axis=1)
    np.maximum(slope, 0.0, out=slope)
    xs = np.zeros_like(bp)
    np.cumsum(slope[:, :-1] * np.diff(bp, axis=1), axis=1, out=xs[:, 1:])
    # h(m) = m - f'(X(m)) increases; find the segment where it changes sign, solve the quadratic there.
    ac, sc = a[:, None], s[:, None]
    idx = np.argmax(bp - ac / (sc + xs) >= 0, axis=1)
    never = ~np.any(bp - ac / (sc + xs) >= 0, axis=1)
    idx = np.where(never, 2 * k, idx)
    seg = np.maximum(idx - 1, 0)
    rows = np.arange(m_rows)
    # On the segment from breakpoint b (X = x0 there, slope beta) m = b + d with d >= 0 the root of
    # beta d^2 + (s + x0 + beta b) d + b (s + x0) - a = 0, in the cancellation-free form (beta b can exceed
    # s + x0 by many orders of magnitude when rho is small: expanding around m = 0 loses all digits).
    beta = np.where(idx == 0, 0.0, slope[rows, seg])
    b0 = np.where(idx == 0, 0.0, bp[rows, seg])
    sx = s + np.where(idx == 0, 0.0, xs[rows, seg])
    q = sx + beta * b0
    neg_c = np.maximum(a - b0 * sx, 0.0)
    marg = b0 + 2 * neg_c / (q + np.sqrt(q * q + 4 * beta * neg_c))
    capped = np.zeros(m_rows, dtype=bool)
    if np.any(np.isfinite(cmax)):
        x_free = np.clip((marg[:, None] - p) * inv_r, 0.0, c).sum(axis=1)
        capped = x_free > cmax
        if np.any(capped):
            # X(m) = C: first breakpoint where X reaches C, linear inside the preceding segment.
            rc = np.flatnonzero(capped)
            xr, br, sr = xs[rc], bp[rc], slope[rc]
            j = np.maximum(np.argmax(xr >= cmax[rc, None], axis=1) - 1, 0)
            rr = np.arange(rc.size)
            marg[rc] = br[rr, j] + (cmax[rc] - xr[rr, j]) / np.maximum(sr[rr, j], 1e-300)
    z = (marg[:, None] - p) * inv_r
    # Active (strictly inside (0, c)) from the unclipped take: the total-cap rescaling below nudges a take
    # sitting at its cap to just under it, and counting it active overstated the Hessian several-fold.
    active = (z > 0) & (z < c)
    x = np.clip(z, 0.0, c)
    if np.any(capped):
        x[capped] *= np.minimum(1.0, cmax[capped] / np.maximum(x[capped].sum(axis=1), 1e-300))[:, None]
    big_x = x.sum(axis=1)
    inner = curve(a, s, big_x) - np.sum(x * (p + 0.5 * r * x), axis=1)
    u = np.where(active, inv_r, 0.0)
    kappa = np.where(capped, 0.0, (s + big_x) ** 2 / a)  # 1 / (-f''(X))
    beta_act = u.sum(axis=1)
    denom = beta_act + kappa
    gamma = np.where(denom > 0, 1.0 / np.where(denom > 0, denom, 1.0), 0.0)
    return Response(x, inner, marg, capped, u, gamma)


def exact_response(a, s, c, cmax, p) -> Response:
    """Unregularised best responses (used for the dual bound): cheapest programs first."""
    p = np.broadcast_to(p, c.shape)
    order = np.argsort(p, axis=1)
    ps = np.take_along_axis(p, order, axis=1)
    cs = np.take_along_axis(c, order, axis=1)
    hi = np.cumsum(cs, axis=1)
    lo = hi - cs
    with np.errstate(divide="ignore"):
        target = np.where(ps > 0, a[:, None] / np.where(ps > 0, ps, 1.0) - s[:, None], np.inf)
    # Segment j is reached iff f'(lo_j) >= p_j; X is the furthest reached point.
    big_x = np.max(np.where(target >= lo, np.minimum(target, hi), 0.0), axis=1)
    big_x = np.minimum(big_x, cmax)
    xs = np.clip(big_x[:, None] - lo, 0.0, cs)
    x = np.empty_like(xs)
    np.put_along_axis(x, order, xs, axis=1)
    inner = curve(a, s, big_x) - np.sum(x * p, axis=1)
    return Response(x, inner, a / (s + big_x), big_x >= cmax)


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
        c_all = _caps(problem, rows)
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
        r = regularised_response(g.a[sl], g.s[sl], g.c[sl], g.cmax[sl], p, rho)
        inner += float(r.inner.sum())
        sums[g.tier, g.progs] += r.x.sum(axis=0)
        if hessian:
            blocks[g.tier][np.ix_(g.progs, g.progs)] += np.diag(r.u.sum(axis=0)) - _gram(r.u, r.gamma)
    return _assemble(model, y, inner, sums, blocks if hessian else None)


def bound(model: DualModel, y: np.ndarray) -> float:
    """The exact dual value at y >= 0: an upper bound on the optimum."""
    inner = 0.0
    for g, sl, p in model.blocks(y):
        inner += float(exact_response(g.a[sl], g.s[sl], g.c[sl], g.cmax[sl], p).inner.sum())
    return model.linear_part(y) + inner


def primal(model: DualModel, y: np.ndarray, rho: float) -> np.ndarray:
    """The regularised best-response plan (n, K) at y (nearly feasible at the smoothed dual's optimum)."""
    x = np.zeros((model.n, model.budgets.size))
    for g, sl, p in model.blocks(y):
        xr = regularised_response(g.a[sl], g.s[sl], g.c[sl], g.cmax[sl], p, rho).x
        x[np.ix_(g.rows[sl], g.progs)] = xr
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
        c, rel, eps = _caps(problem), REL, 1e-12
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
