"""A month's plan under each policy: boosted impressions per creator, within the month's budget.

All policies see the same problem: one budget B of impressions, the creators who posted last month eligible,
each capped at ``cap_per_day`` impressions per expected boosted work-day D_i (``allocate.plan.work_days``:
3 per work at the last-90-day posting rate). The value of X_i impressions over the month is the period curve
F_i(X) = D_i theta_i s_i ln(1 + X / (D_i s_i)) (``allocate.curves.period_curve``).

- ``optimal``: maximise sum F_i with the fitted curves (``allocate.curves.fit_curves`` on the history so far,
  segments tier/category, the observed completion rate as covariate) by the dual solver (``allocate.solver``);
- ``explore``: the same, after spending ``explore`` x B on creators with little boost history (fewer than
  ``EXPLORE_MAX_DAYS`` boosted work-days), the most uncertain first — uncertainty theta_hat (1 - w_i) D_i s_i,
  w_i the share of the creator's own data in its estimate — each at ``PROBE_PER_DAY`` x D_i;
- ``uniform``, ``followers``, ``quality``: the allocator's baselines (``allocate.baselines``), quality being
  the observed completion rate (the truth's quality is not observable);
- ``today``: the naive baseline, what the platform does today: the generator's own support rule
  (``synth.traffic.supported``: random creators by program eligibility weights, lognormal budgets per
  work-day) scaled to the budget;
- ``oracle``: maximise sum F_i with the true curves (``truth``): the best any policy could plan;
- ``gmv``: a program planned on sales instead of follows: maximise the fitted GMV curves, orders fitted by
  ``fit_curves`` on the orders of the history (segments seller/tier/category) times each creator's observed
  fen per order;
- ``gmv_rate``: the same program planned as ``guanghe allocate`` plans a program whose ``[outcome]`` is
  ``gmv = 1`` (``allocate.outcomes``): the fitted follower curve's saturation, its slope replaced by the mean
  follower slope times the creator's sales per impression over the last three months (shrunk to the pooled
  rate) over their mean: no boosted-sales fit, only what the warehouse's order tables can tell.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from guanghe.allocate import baselines
from guanghe.allocate.curves import Curves, fit_curves, period_curve
from guanghe.allocate.curves_data import History
from guanghe.allocate.plan import work_days
from guanghe.allocate.problem import AllocationProblem
from guanghe.allocate.solver import solve

POLICIES = ("optimal", "explore", "uniform", "followers", "quality", "today", "oracle", "gmv", "gmv_rate")
SIMPLE = ("uniform", "followers", "quality")
EXPLORE_MAX_DAYS = 5
PROBE_PER_DAY = 3_000.0
TOL = 1e-4


@dataclass
class Inputs:
    """What a planner knows at the start of a month (aligned with the population)."""

    creator_id: np.ndarray
    eligible: np.ndarray  # bool
    tier: np.ndarray  # 0 head, 1 waist, 2 tail
    followers: np.ndarray
    quality: np.ndarray  # observed completion rate
    segment: np.ndarray  # "tier/category"
    works_90d: np.ndarray
    days: int  # days in the month
    budget: float
    cap_per_day: float


def problem(inp: Inputs, a: np.ndarray, s: np.ndarray, budget: float, rows: np.ndarray) -> AllocationProblem:
    d = work_days(inp.works_90d[rows], inp.days)
    return AllocationProblem(
        a=np.maximum(a, 1e-12), s=np.maximum(s, 1e-9), tier=inp.tier[rows], eligible=np.ones((rows.size, 1), bool),
        caps=(inp.cap_per_day * d)[:, None], budgets=np.array([float(budget)]), floors=np.zeros((1, 3)),
        names=("simulate",),
    )  # fmt: skip


def curves_of(
    inp: Inputs, theta: np.ndarray, s: np.ndarray, rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    d = work_days(inp.works_90d[rows], inp.days)
    return period_curve(theta[rows], s[rows], d)


def fit(history: History, inp: Inputs) -> Curves:
    return fit_curves(history, inp.creator_id, inp.segment, inp.quality)


def plan_month(
    policy: str,
    inp: Inputs,
    curves: Curves | None,
    truth: tuple[np.ndarray, np.ndarray],
    explore: float = 0.0,
    today: np.ndarray | None = None,
    gmv: tuple[np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """Boosted impressions per creator (aligned with the population), summing to at most the budget."""
    rows = np.flatnonzero(inp.eligible)
    out = np.zeros(inp.creator_id.size)
    if rows.size == 0 or inp.budget <= 0:
        return out
    if policy in ("optimal", "explore", "oracle", "gmv", "gmv_rate"):
        on_sales = policy in ("gmv", "gmv_rate")
        if on_sales and gmv is None:
            raise ValueError(f"the {policy} policy needs GMV curves")
        theta, s = truth if policy == "oracle" else gmv if on_sales else (curves.theta, curves.s)  # type: ignore[union-attr,misc]
        budget = inp.budget
        if policy == "explore" and explore > 0:
            probe = _probe(inp, curves, rows, explore * inp.budget)  # type: ignore[arg-type]
            out[rows] = probe
            budget -= float(probe.sum())
            rows = rows[probe == 0]
        a, big_s = curves_of(inp, theta, s, rows)
        x = solve(problem(inp, a, big_s, budget, rows), TOL).x[:, 0]
        out[rows] = x
    else:
        zero = np.zeros(rows.size)
        p = problem(inp, zero + 1.0, zero + 1.0, inp.budget, rows)
        if policy == "uniform":
            x = baselines.uniform(p)
        elif policy == "followers":
            x = baselines.by_followers(p, inp.followers[rows])
        elif policy == "quality":
            x = baselines.greedy_quality(p, inp.quality[rows])
        elif policy == "today":
            w = (
                np.zeros(rows.size)
                if today is None
                else today[rows] * work_days(inp.works_90d[rows], inp.days)
            )
            x = (np.minimum(w * inp.budget / max(w.sum(), 1e-300), p.caps[:, 0]))[:, None]
        else:
            raise ValueError(f"unknown policy {policy!r}; expected one of {', '.join(POLICIES)}")
        out[rows] = x[:, 0]
    out = np.floor(out)  # whole impressions, never above the budget
    return out


def _probe(inp: Inputs, c: Curves, rows: np.ndarray, pot: float) -> np.ndarray:
    """The exploration share: probes of PROBE_PER_DAY x D_i to the most uncertain little-boosted creators."""
    d = work_days(inp.works_90d[rows], inp.days)
    cap = np.minimum(PROBE_PER_DAY, inp.cap_per_day) * d
    unc = c.theta[rows] * (1.0 - c.weight[rows]) * d * c.s[rows]
    unc[c.boosted_days[rows] >= EXPLORE_MAX_DAYS] = -1.0
    order = np.argsort(-unc, kind="stable")
    order = order[unc[order] > 0]
    before = np.cumsum(cap[order]) - cap[order]
    out = np.zeros(rows.size)
    out[order] = np.clip(pot - before, 0.0, cap[order])
    return out
