"""Closed-form best responses of a block of creators to program prices (vectorised, no loops over creators).

Creator i facing prices p[i, k] maximises f_i(X) - sum_k p[i, k] x[i, k] over 0 <= x <= c, X <= C_i, with
f_i(X) = a_i ln(1 + X / s_i). `exact` is that maximum (fill the cheapest programs first while
f_i'(X) = a_i / (s_i + X) exceeds the price). `regularised` subtracts sum_k r[i, k] x[i, k]^2 / 2 with
r = rho a / ((s + c) c): the answer is then unique and continuous in the prices (programs with equal prices
share the creator), which makes the dual smooth enough for Newton's method.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


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


def regularised(a, s, c, cmax, p, rho) -> Response:
    """Best responses with the quadratic tie-breaker; c (m, K) finite caps, cmax (m,) total caps or inf."""
    m_rows, k = c.shape
    p = np.broadcast_to(p, c.shape)
    r = reg_weights(a, s, c, rho)
    inv_r = np.where(c > 0, 1.0 / r, 0.0)
    # x_k(m) = clip((m - p_k) / r_k, 0, c_k) is piecewise linear: slope +1/r from p_k, -1/r from p_k + r c_k.
    bp = np.concatenate([p, p + r * c], axis=1)
    dslope = np.concatenate([inv_r, -inv_r], axis=1)
    rows = np.arange(m_rows)
    order = np.argsort(bp, axis=1)
    order += (rows * (2 * k))[:, None]  # flat positions: one `take` each instead of take_along_axis
    bp = bp.take(order)
    slope = np.cumsum(dslope.take(order), axis=1)
    np.maximum(slope, 0.0, out=slope)
    xs = np.zeros_like(bp)
    np.cumsum(slope[:, :-1] * np.diff(bp, axis=1), axis=1, out=xs[:, 1:])
    # h(m) = m - f'(X(m)) increases; find the segment where it changes sign, solve the quadratic there.
    ac, sc = a[:, None], s[:, None]
    ge = bp - ac / (sc + xs) >= 0
    idx = np.argmax(ge, axis=1)
    idx = np.where(ge[rows, idx], idx, 2 * k)  # never: the root is past the last breakpoint
    seg = np.maximum(idx - 1, 0)
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


def regularised_few(a, s, c, cmax, p, rho) -> Response:
    """`regularised` in closed form for a few (2 to 6) programs per creator, column by column (no sort).
    Program j's take clip((m - p_j) / r_j, 0, c_j) starts at p_j and caps at t_j = p_j + r_j c_j
    = p_j + rho a / (s + c_j). h(m) = m - f'(X(m)) increases, so a breakpoint b lies below the root iff
    b (s + X(b)) < a, where X(b) is the other programs' takes at b plus, at t_j, the own cap. The root is on the
    piece after the largest breakpoint below it, solved by the same cancellation-free quadratic as `regularised`.
    Creators held by their total cap are handed to `regularised` (the sorted breakpoints give the cap's price)."""
    m_rows, k = c.shape
    p = np.broadcast_to(p, c.shape)
    zero = np.zeros(m_rows)  # np.maximum against an array is ~3x faster than against the scalar 0.0

    def take(v, cj):  # clip(v, 0, cj) in place (np.clip is several times slower)
        return np.minimum(np.maximum(v, zero, out=v), cj, out=v)

    rho_a = rho * a
    pc, cc = [p[:, j] for j in range(k)], [c[:, j] for j in range(k)]
    sc = [s + cj for cj in cc]
    ic = [cj * scj / rho_a for cj, scj in zip(cc, sc, strict=True)]  # 1 / r_j, 0 on a zero cap
    tc = [pj + rho_a / scj for pj, scj in zip(pc, sc, strict=True)]
    b0 = np.zeros(m_rows)
    for j in range(k):
        for b, base in ((pc[j], s), (tc[j], sc[j])):
            sx = base.copy()
            for o in range(k):
                if o != j:
                    sx += take((b - pc[o]) * ic[o], cc[o])
            sx *= b
            np.maximum(b0, b * (sx < a), out=b0)  # b where below the root (mask products: np.where is slower)
    sx, beta = s.copy(), np.zeros(m_rows)
    for pj, tj, ij, cj in zip(pc, tc, ic, cc, strict=True):
        sx += take((b0 - pj) * ij, cj)
        beta += ij * ((pj <= b0) & (tj > b0))
    q = sx + beta * b0
    neg_c = np.maximum(a - b0 * sx, zero)
    marg = b0 + 2 * neg_c / (q + np.sqrt(q * q + 4 * beta * neg_c))
    x, u = np.empty((m_rows, k)), np.empty((m_rows, k))
    inner, big_x, ut = np.zeros(m_rows), np.zeros(m_rows), np.zeros(m_rows)
    for j, (pj, tj, ij, cj) in enumerate(zip(pc, tc, ic, cc, strict=True)):
        z = (marg - pj) * ij
        uj = ij * ((z > 0) & (z < cj))
        xj = take(z, cj)
        x[:, j], u[:, j] = xj, uj
        big_x += xj
        ut += uj
        inner -= xj * (
            pj + np.minimum(np.maximum(marg, pj), tj)
        )  # 2 x (p + r x / 2): r x = clip(m, p, t) - p
    inner *= 0.5
    inner += curve(a, s, big_x)
    gamma = 1.0 / (ut + (s + big_x) ** 2 / a)
    capped = big_x > cmax
    if np.any(capped):
        rc = np.flatnonzero(capped)
        sub = regularised(a[rc], s[rc], c[rc], cmax[rc], p[rc], rho)
        x[rc], inner[rc], marg[rc], u[rc], gamma[rc] = sub.x, sub.inner, sub.marginal, sub.u, sub.gamma
        capped[rc] = sub.total_capped
    return Response(x, inner, marg, capped, u, gamma)


def regularised_single(a, s, c, p, rho) -> Response:
    """`regularised` for creators eligible for one program whose cap is within their total cap (c, p (m, 1)):
    the same roots without sorting. X(m) = clip((m - p) / r, 0, c) has two breakpoints, p and p + r c, and
    the root of h(m) = m - f'(X(m)) lies before the first (x = 0), between them, or after the second (x = c)."""
    c1, p1 = c[:, 0], np.broadcast_to(p, c.shape)[:, 0]
    zero = np.zeros(c1.size)
    rho_a = rho * a
    sc = s + c1
    inv_r = c1 * sc / rho_a  # 1 / r, 0 on a zero cap
    top = p1 + rho_a / sc  # p + r c
    at_zero = p1 * s >= a
    at_cap = ~at_zero & (top * sc < a)
    mid = ~(at_zero | at_cap)
    # The same cancellation-free root as `regularised`, around the left breakpoint of the root's piece (mask
    # products instead of np.where, min/max instead of np.clip: several times faster).
    beta = inv_r * mid
    b0 = top * at_cap + p1 * mid
    sx = s + c1 * at_cap
    q = sx + beta * b0
    neg_c = np.maximum(a - b0 * sx, zero)
    marg = b0 + 2 * neg_c / (q + np.sqrt(q * q + 4 * beta * neg_c))
    z = (marg - p1) * inv_r
    u = inv_r * ((z > 0) & (z < c1))
    x = np.minimum(np.maximum(z, zero, out=z), c1, out=z)
    inner = curve(a, s, x) - 0.5 * x * (p1 + np.minimum(np.maximum(marg, p1), top))  # r x = clip(m, p, t) - p
    gamma = 1.0 / (u + (s + x) ** 2 / a)
    return Response(x[:, None], inner, marg, np.zeros(x.size, dtype=bool), u[:, None], gamma)


def exact(a, s, c, cmax, p) -> Response:
    """Unregularised best responses (used for the dual bound): cheapest programs first."""
    p = np.broadcast_to(p, c.shape)
    if c.shape[1] == 1:  # one program: nothing to sort
        order, ps, cs = None, p, c
    else:
        order = np.argsort(p, axis=1)
        order += (np.arange(c.shape[0]) * c.shape[1])[:, None]  # flat positions
        ps = np.ascontiguousarray(p).take(order)
        cs = np.ascontiguousarray(c).take(order)
    hi = np.cumsum(cs, axis=1)
    lo = hi - cs
    with np.errstate(divide="ignore"):
        target = np.where(ps > 0, a[:, None] / np.where(ps > 0, ps, 1.0) - s[:, None], np.inf)
    # Segment j is reached iff f'(lo_j) >= p_j; X is the furthest reached point.
    big_x = np.max(np.where(target >= lo, np.minimum(target, hi), 0.0), axis=1)
    big_x = np.minimum(big_x, cmax)
    xs = np.clip(big_x[:, None] - lo, 0.0, cs)
    if order is None:
        x = xs
    else:
        x = np.empty_like(xs)
        x.reshape(-1)[order.reshape(-1)] = xs.reshape(-1)
    inner = curve(a, s, big_x) - np.sum(x * p, axis=1)
    return Response(x, inner, a / (s + big_x), big_x >= cmax)


def exact_few(a, s, c, cmax, p) -> Response:
    """`exact` column by column for a few programs (no sort): program j fills from lo_j, the caps of the
    programs before it in price order (equal prices in column order, as a stable sort), to lo_j + c_j."""
    m_rows, k = c.shape
    p = np.broadcast_to(p, c.shape)
    zero = np.zeros(m_rows)
    pc, cc = [p[:, j] for j in range(k)], [c[:, j] for j in range(k)]
    big_x = np.zeros(m_rows)
    lo = []
    for j in range(k):
        lo_j = np.zeros(m_rows)
        for o in range(k):
            if o != j:
                lo_j += cc[o] * ((pc[o] < pc[j]) if o > j else (pc[o] <= pc[j]))
        lo.append(lo_j)
        with np.errstate(divide="ignore"):
            target = np.where(pc[j] > 0, a / np.where(pc[j] > 0, pc[j], 1.0) - s, np.inf)
        # segment j is reached iff f'(lo_j) >= p_j; X is the furthest reached point
        np.maximum(big_x, (target >= lo_j) * np.minimum(target, lo_j + cc[j]), out=big_x)
    np.minimum(big_x, cmax, out=big_x)
    x = np.empty((m_rows, k))
    inner = curve(a, s, big_x)
    for j in range(k):
        xj = np.minimum(np.maximum(big_x - lo[j], zero), cc[j])
        x[:, j] = xj
        inner -= xj * pc[j]
    return Response(x, inner, a / (s + big_x), big_x >= cmax)
