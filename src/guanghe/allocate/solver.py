"""Certified-optimal allocation: bound-constrained Newton on a smoothed Lagrangian dual, with a duality-gap
certificate.

1. Reject infeasible rules (feasibility.check).
2. Start each budget's price from its own water-filling; on big problems first solve a random sample of
   creators (budgets scaled) to warm-start.
3. Minimise the dual smoothed by a quadratic tie-breaker of weight rho (dual.regularised, exact Hessian,
   Newton steps that minimise the damped model over y >= 0, Levenberg-Marquardt damping); shrink rho by 10
   until the certificate closes.
4. Certificate: the plan is the smoothed best response, repaired to feasibility on the packs
   (repair.repair_packs, the steps of repair.repair) and checked as it is written out (repair.Scanner);
   the bound is the exact (unsmoothed) dual at the same multipliers; gap = (bound - value) / value.
"""

from __future__ import annotations

import time

import numpy as np

from guanghe.allocate import dual, feasibility, repair
from guanghe.allocate.problem import AllocationProblem, AllocationResult

RHOS = (1e-2, 1e-3, 1e-4, 1e-5)
MAX_NEWTON = 200  # Newton iterations per rho (a cold start on a lumpy dual can need ~50)
PRICE_RHO = 1e-4  # smoothing at most this small before stopping, so the prices are accurate too
LEVELS = (20_000, 200_000)  # warm-start sample sizes used when the problem is at least twice as big


def _price(a: np.ndarray, s: np.ndarray, c: np.ndarray, budget: float) -> float:
    """The price at which demand sum_i min(c_i, (a_i / lam - s_i)+) equals the budget (log-bisection)."""
    if c.size == 0 or c.sum() <= budget or budget <= 0:
        return 0.0
    lo, hi = np.log(np.min(a / (s + c))) - 1, np.log(np.max(a / s)) + 1
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        demand = np.minimum(c, np.maximum(a / np.exp(mid) - s, 0.0)).sum()
        lo, hi = (mid, hi) if demand > budget else (lo, mid)
    return float(np.exp(0.5 * (lo + hi)))


def _start(model: dual.DualModel) -> np.ndarray:
    """The better (lower dual) of: each budget priced alone, or one common price for all budgets."""
    alone = np.zeros(model.budgets.size)
    for k in range(alone.size):
        at = [(pk, np.nonzero(pk.progs == k)) for pk in model.packs]
        if any(r.size for _, (r, _) in at):
            alone[k] = _price(  # with rates, x = min(c, a / lambda - s / r): the same form with s / r
                np.concatenate([pk.a[r] for pk, (r, _) in at]),
                np.concatenate([pk.s[r] / (1.0 if pk.r is None else pk.r[r, col]) for pk, (r, col) in at]),
                np.concatenate([pk.c[r, col] for pk, (r, col) in at]),
                model.budgets[k],
            )
    cmin = [np.minimum(pk.c.sum(axis=1), pk.cmax) for pk in model.packs]
    common = _price(
        np.concatenate([pk.a for pk in model.packs] or [np.zeros(0)]),
        np.concatenate([pk.s for pk in model.packs] or [np.zeros(0)]),
        np.concatenate(cmin or [np.zeros(0)]),
        model.budgets.sum(),
    )
    zeros = np.zeros(len(model.floor_idx))
    candidates = [np.concatenate([alone, zeros]), np.concatenate([np.where(alone > 0, common, 0.0), zeros])]
    return min(candidates, key=lambda y: dual.bound(model, y))


def _residual(model: dual.DualModel, y: np.ndarray, g: np.ndarray) -> float:
    """Largest complementarity-aware constraint residual, relative to the budget it concerns."""
    k = model.budgets.size
    scale = np.concatenate([model.budgets, model.budgets[model.floor_idx[:, 0]]])
    viol = np.where(y > 0, np.abs(g), np.maximum(-g, 0.0))
    return float(np.max(viol / np.maximum(scale, 1e-300), initial=0.0)) if k else 0.0


def _step(y: np.ndarray, g: np.ndarray, h: np.ndarray) -> np.ndarray:
    """The step d minimising the model g.d + d.h.d / 2 subject to y + d >= 0 (h positive definite).

    A primal active-set method on this small box QP (dim = programs + floors): exact, so the step is always
    a descent step of the model. Projecting the unconstrained Newton step onto y >= 0 instead can turn it
    into an ascent direction (a multiplier near 0 that the step drives negative), which stalled the solver.
    """
    d = np.zeros_like(y)
    bound = y <= 0  # the working set: variables held at their bound d = -y
    for _ in range(4 * y.size + 4):
        grad = g + h @ d
        rest = ~bound
        p = np.zeros_like(y)
        if np.any(rest):
            p[rest] = np.linalg.lstsq(h[np.ix_(rest, rest)], -grad[rest], rcond=None)[0]
        if np.max(np.abs(p), initial=0.0) <= 1e-14 * max(np.max(np.abs(y + d)), 1e-300):
            release = bound & (grad < 0)  # a bound whose multiplier is negative: let it go
            if not np.any(release):
                break
            bound[np.argmin(np.where(release, grad, np.inf))] = False
            continue
        low = rest & (p < 0)
        ratios = np.where(low, -(y + d) / np.where(low, p, -1.0), np.inf)
        j = int(np.argmin(ratios))
        alpha = min(1.0, float(ratios[j]))
        d += alpha * p
        if alpha < 1.0:
            d[j] = -y[j]
            bound[j] = True
    return np.maximum(y + d, 0.0) - y


def _newton(
    model: dual.DualModel, y: np.ndarray, rho: float, stats: dict, stop: float = 1e-9, res: float = 1e-6
) -> np.ndarray:
    """Bound-constrained Newton with Levenberg-Marquardt damping (nu, scaled by diag H) on the smoothed dual.

    The damping remembers failures across iterations, so flat tie directions (programs sharing creators)
    cost a few rejected trial steps, not a line search per iteration.
    """
    ev = dual.regularised(model, y, rho)
    nu = 1e-6
    for _ in range(MAX_NEWTON):
        g = ev.grad
        free = ~((y <= 0) & (g > 0))
        if not np.any(free):
            break
        h = ev.hess
        dg = np.maximum(np.diag(h), 1e-4 * max(float(np.max(np.abs(np.diag(h)))), 1e-300))
        step = _step(y, g, h + nu * np.diag(dg))
        y_new = y + step
        pred = -(g @ step + 0.5 * step @ h @ step)
        if pred <= 1e-15 * abs(ev.value) or (
            pred <= stop * max(abs(ev.value), 1e-300) and nu <= 1e-6 and _residual(model, y, g) <= res
        ):
            break
        stats["passes"] += 1
        ev_new = dual.regularised(model, y_new, rho)
        ratio = (ev.value - ev_new.value) / max(pred, 1e-300)
        if ratio > 1e-4:
            stats["newton"] += 1
            y, ev = y_new, ev_new
            nu = max(nu / 4, 1e-9) if ratio > 0.5 else nu
        else:
            nu = max(nu * 16, 1e-3)
            if nu > 1e12:
                break
    return y


def _certify(problem: AllocationProblem, model: dual.DualModel, y: np.ndarray, rho: float, scans: dict):
    """The repaired plan at y, its value and the exact dual bound; scans[id(plan)]: its checks, made while the
    plan was written (the caller keeps every plan in `scans` alive, so the ids stay unique)."""
    xs = repair.repair_packs(problem, model, dual.packed_primal(model, y, rho))
    scanner = repair.Scanner(problem, bind=True)
    x = repair.dense_plan(problem.n, problem.k, model.packs, xs, scanner)
    scans[id(x)] = (x, scanner.result())
    return x, repair.packed_value(model, xs), dual.bound(model, y)


def _follow(model: dual.DualModel, y: np.ndarray, rhos, guide: dict, stats: dict, stop: float) -> dict:
    """Newton at each rho in turn; a new rho starts from y moved as the guide moved between the same rhos."""
    path, prev = {}, None
    for rho in rhos:
        if prev is not None and rho in guide and prev in guide:
            y = np.maximum(y + guide[rho] - guide[prev], 0.0)
        elif rho in guide and prev is None:
            y = guide[rho]
        y = _newton(model, y, rho, stats, stop=stop, res=1e-6 if rho <= PRICE_RHO else 1e-4)
        path[rho], prev = y, rho
    return path


def _path(problem, model, y, rhos, guide, tol, stats, scans):
    """Follow rho down on the full problem; certify from PRICE_RHO on until the gap closes."""
    best, prev, before = None, None, set(scans)
    for rho in rhos:
        if prev is not None and rho in guide and prev in guide:
            y = np.maximum(y + guide[rho] - guide[prev], 0.0)
        y = _newton(model, y, rho, stats, res=1e-6 if rho <= PRICE_RHO else 1e-4)
        prev = rho
        if rho > PRICE_RHO:
            continue
        x, value, bound = _certify(problem, model, y, rho, scans)
        stats["path"].append((rho, value, bound))
        if best is None or value > best[1]:
            best = (x, value, best[2] if best else bound, rho)
        best = (*best[:2], min(bound, best[2]), best[3])
        for key in [key for key in scans if key not in before and key != id(best[0])]:
            del scans[key]  # a plan no longer the best of this path: free it
        if best[2] - best[1] <= tol * abs(best[1]):
            break
    x, value, bound, rho_used = best
    return x, value, bound, y, rho_used


def solve(problem: AllocationProblem, tol: float = 1e-4, seed: int = 0) -> AllocationResult:
    """Solve to relative duality gap <= tol (best effort: the achieved gap is always reported)."""
    started = time.perf_counter()
    feasibility.check(problem)
    stats: dict = {"passes": 0, "newton": 0, "path": []}
    scans: dict = {}  # id(plan) -> (plan, its repair.Scan): the checks made while each certificate was written
    sizes = [m for m in LEVELS if 2 * m <= problem.n]
    rng = np.random.default_rng(seed)
    guide: dict = {}
    for size in sizes:  # warm start on random samples of creators, budgets scaled to the sample
        rows = np.sort(rng.choice(problem.n, size, replace=False))
        small = dual.DualModel.of(problem, rows, size / problem.n)
        first = _start(small) if not guide else guide[RHOS[1]]
        guide = _follow(small, first, RHOS[:3] if size == sizes[0] else RHOS[1:3], guide, stats, 1e-8)
    stats["warm_seconds"] = time.perf_counter() - started
    stats["warm_passes"] = stats["passes"]
    model = dual.DualModel.of(problem)
    if guide:  # straight at the sample's smallest rho; if that does not certify, follow rho down from 1e-3
        x, value, bound, y, rho = _path(problem, model, guide[RHOS[2]], RHOS[2:3], guide, tol, stats, scans)
        if bound - value > tol * abs(value):
            x2, value2, bound2, y, rho = _path(
                problem, model, guide[RHOS[1]], RHOS[1:], guide, tol, stats, scans
            )
            bound = min(bound, bound2)
            if value2 > value:
                x, value = x2, value2
    else:
        x, value, bound, y, rho = _path(problem, model, _start(model), RHOS, guide, tol, stats, scans)
    seen = scans[id(x)][1] if id(x) in scans else repair.scan(problem, x, bind=True)
    bad = repair.violations(problem, x, seen=seen)
    if bad:
        raise RuntimeError("allocator produced an infeasible plan: " + "; ".join(bad))
    lam, mu = model.split(y)
    stats.update(seconds=time.perf_counter() - started, rho=rho)
    return AllocationResult(
        x=x,
        value=value,
        dual_bound=bound,
        gap=(bound - value) / max(abs(value), 1e-300),
        budget_multipliers=lam,
        floor_multipliers=mu,
        shadow_prices=lam - np.sum(problem.floors * mu, axis=1),
        marginal=problem.a / (problem.s + (seen.totals if problem.rate is None else problem.totals(x))),
        **repair.binding(problem, x, seen=seen),
        stats=stats,
    )
