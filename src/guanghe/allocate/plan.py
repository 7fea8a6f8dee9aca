"""From programs, creator features and fitted curves to a solved, integer allocation plan.

One problem per budget kind: impressions programs share each creator's impressions curve; cash programs
share its cash curve (segment level: the history holds no cash-response data). Per creator the curve over
the planning window is F_i(X) = D_i theta_i s_i ln(1 + X / (D_i s_i)) with D_i the boosted work-days it is
expected to have (BOOST_DAYS per work, works at the creator's last-90-day rate). A creator's growth level
grants a traffic coupon c_i (percent, the ``traffic_coupon`` feature): its impressions value is weighed by
w_i = 1 + c_i / 100 (a_i -> w_i a_i), so at equal response the solver gives coupon holders impressions first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

import ibis
import numpy as np

from guanghe.allocate import feasibility, outcomes, repair
from guanghe.allocate.curves import Curves, fit_curves, period_curve
from guanghe.allocate.curves_data import load_history
from guanghe.allocate.outcomes import OutcomeRates
from guanghe.allocate.problem import TIER_NAMES, AllocationProblem, AllocationResult
from guanghe.allocate.solver import solve
from guanghe.programs import Program, assert_feasible, checks_of, creator_features, eligibility
from guanghe.programs.ibis_util import UTC_ZONE

BOOST_DAYS = 3  # days of each new work a boost runs on (delivery policy; the history's practice)
IMPRESSIONS_PER_FEN = 0.5  # cash -> impressions-equivalent for the segment-level cash curve (~50 per CNY)
KINDS = ("impressions", "cash_fen")
_COLS = ("creator_id", "tier", "followers", "category", "works_90d", "completion_rate", "engagement_rate",
         "follow_rate", "traffic_coupon")  # fmt: skip


@dataclass(frozen=True)
class Platform:
    """The creators as of the plan day, with each program's eligibility (n creators x P programs)."""

    creator_id: np.ndarray
    tier: np.ndarray  # 0 head, 1 waist, 2 tail
    followers: np.ndarray
    segment: np.ndarray  # "tier/category"
    works_90d: np.ndarray
    quality: np.ndarray  # mean percentile of completion, engagement and follow rates, in [0, 1]
    eligible: np.ndarray  # (n, P) bool, programs in the order given
    priority: np.ndarray | None = None  # (n,) impressions-value weight 1 + traffic_coupon / 100 (None: all 1)

    @property
    def n(self) -> int:
        return int(self.creator_id.size)


def _pct(v: np.ndarray) -> np.ndarray:
    return (np.argsort(np.argsort(v, kind="stable"), kind="stable") + 0.5) / max(v.size, 1)


def load_platform(features: ibis.Table, programs: list[Program]) -> Platform:
    """One query: the feature columns the plan needs and one eligibility column per program."""
    elig = {f"_e{i}": eligibility(features, p) for i, p in enumerate(programs)}
    t = features.select(*_COLS, **elig).order_by("creator_id").to_pyarrow()
    col = {c: t.column(c).to_numpy(zero_copy_only=False) for c in t.column_names}
    tier_name = col["tier"].astype(str)
    tier = np.select([tier_name == name for name in TIER_NAMES], [0, 1, 2], 2).astype(np.int8)
    quality = (_pct(col["completion_rate"]) + _pct(col["engagement_rate"]) + _pct(col["follow_rate"])) / 3
    eligible = np.stack([col[f"_e{i}"].astype(bool) for i in range(len(programs))], axis=1) if programs else \
        np.zeros((tier.size, 0), bool)  # fmt: skip
    return Platform(
        creator_id=col["creator_id"].astype(np.int64), tier=tier, followers=col["followers"].astype(np.int64),
        segment=np.char.add(np.char.add(tier_name, "/"), col["category"].astype(str)),
        works_90d=col["works_90d"].astype(np.int64), quality=quality, eligible=eligible,
        priority=1.0 + col["traffic_coupon"].astype(float) / 100.0,
    )  # fmt: skip


def eligible_counts(platform: Platform, programs: list[Program]) -> dict[str, dict[str, int]]:
    """program -> tier -> eligible creators, counted on the loaded platform (``eligible_by_tier``'s answer
    without a second pass over the features)."""
    return {
        p.name: {
            t: int(np.count_nonzero(platform.eligible[platform.tier == i, j]))
            for i, t in enumerate(TIER_NAMES)
        }
        for j, p in enumerate(programs)
    }


def window_days(programs: list[Program]) -> int:
    """Days from the earliest delivery start to the latest delivery end (the curves' horizon)."""
    if not programs:
        return 0
    return (max(p.delivery.end for p in programs) - min(p.delivery.start for p in programs)).days + 1


def work_days(works_90d: np.ndarray, days: int) -> np.ndarray:
    """Expected boosted work-days over ``days``: BOOST_DAYS per work at the last-90-day rate, >= 1 work."""
    return BOOST_DAYS * np.maximum(1.0, works_90d * days / 90.0)


def kind_programs(programs: list[Program], kind: str) -> list[int]:
    return [i for i, p in enumerate(programs) if p.budget.get(kind, 0) > 0]


def build_problem(
    platform: Platform, programs: list[Program], kind: str, a: np.ndarray, s: np.ndarray,
    outcome: tuple[OutcomeRates, np.ndarray] | None = None,
) -> AllocationProblem:  # fmt: skip
    """The AllocationProblem of one budget kind over the programs that have that budget. ``outcome``: the
    history's outcome rates and the kind's follower slope, when a program of the kind weighs other outcomes
    than follower growth (``allocate.outcomes``: program rates, and the curve's value scaled to match)."""
    cols = kind_programs(programs, kind)
    ps = [programs[i] for i in cols]
    caps = np.array([float(p.caps.get(kind, np.inf)) for p in ps])
    eligible = platform.eligible[:, cols]
    budgets = np.array([float(p.budget[kind]) for p in ps])
    rate = None
    if outcome is not None and not outcomes.follower_only(ps):
        r, scale = outcomes.program_rates(ps, eligible, budgets, *outcome)
        rate, a = np.where(eligible, r, 1.0), a * scale
    return AllocationProblem(
        a=a, s=s, tier=platform.tier, eligible=eligible,
        caps=np.where(eligible, caps[None, :], 0.0) if ps else np.zeros((platform.n, 0)),
        budgets=budgets,
        floors=np.array([[p.floors.get(t, 0.0) for t in TIER_NAMES] for p in ps]).reshape(len(ps), 3),
        names=tuple(p.name for p in ps), rate=rate,
    )  # fmt: skip


def round_to_sum(v: np.ndarray, lo: np.ndarray, hi: np.ndarray, total: int) -> np.ndarray:
    """Integers y with lo <= y <= hi summing to ``total`` (when the bounds allow), each as close to v as they
    permit: v rounded down into [lo, hi], then one unit more to the largest remainders v - y (one less from
    the smallest while over), ties to the first entry. Deterministic: no float sum decides an order."""
    y = np.clip(np.floor(v + 1e-9).astype(np.int64), lo, hi)
    while (diff := int(total - y.sum())) != 0:
        up = diff > 0
        cand = np.flatnonzero(y < hi) if up else np.flatnonzero(y > lo)
        if not cand.size:
            break
        rem = (v - y)[cand]
        order = cand[np.argsort(-rem if up else rem, kind="stable")][: abs(diff)]
        y[order] += 1 if up else -1
    return y


def integer_plan(problem: AllocationProblem, x: np.ndarray) -> np.ndarray:
    """Whole impressions / fen from a feasible fractional plan x (n, K), meeting the whole-unit constraints.

    Per program: its total is x's total rounded to the nearest unit, raised to the sum of its tier floors
    in whole units (``floor_units``: ceil(share x budget)) and never above the budget; that total goes to the
    tiers by largest remainders, never a tier below its floor or above its caps; each tier's amount goes to
    its creators by largest remainders, never above a cap rounded down (nor a total cap: programs are taken
    in turn, each within the room the others leave). Every entry ends within one unit of x where it can.
    """
    floors = problem.floor_units()
    caps = problem.whole_caps()
    out = np.floor(x + 1e-9).astype(np.int64)
    np.clip(out, 0, caps, out=out)
    used = out.sum(axis=1)
    total_cap = None if problem.total_cap is None else np.floor(problem.total_cap + 1e-9)
    tiers = [np.flatnonzero(problem.tier == t) for t in range(3)]
    for k in range(problem.k):
        hi = caps[:, k]
        if total_cap is not None:
            room = np.clip(total_cap - (used - out[:, k]), 0, 2.0**62).astype(np.int64)
            hi = np.minimum(hi, room)
        tier_x = np.array([x[r, k].sum() for r in tiers])
        tier_hi = np.array([hi[r].sum() for r in tiers])
        total = int(np.floor(tier_x.sum() + 0.5))
        total = min(max(total, int(floors[k].sum())), int(problem.budgets[k]), int(tier_hi.sum()))
        want = round_to_sum(tier_x, floors[k], tier_hi, total)
        used -= out[:, k]
        for t, r in enumerate(tiers):
            out[r, k] = round_to_sum(x[r, k], np.zeros(r.size, np.int64), hi[r], int(want[t]))
        used += out[:, k]
    return out


@dataclass
class KindPlan:
    """One budget kind's solved problem and its stored plan in whole units, with that plan's certificate."""

    kind: str
    columns: list[int]  # indices into Plan.programs
    problem: AllocationProblem
    result: AllocationResult  # the solver's (fractional) plan, prices and bound
    amounts: np.ndarray  # (n, len(columns)) int64: the plan that is stored
    primal: float = 0.0  # value of ``amounts`` (the stored plan), not of the fractional plan

    @property
    def dual_bound(self) -> float:
        return self.result.dual_bound

    @property
    def gap(self) -> float:
        """(dual bound - value of the stored plan) / value: the stored plan's certified distance to optimal."""
        return (self.dual_bound - self.primal) / max(abs(self.primal), 1e-300)

    def check(self) -> None:
        """Raise RuntimeError unless the stored amounts meet every constraint in whole units (floors, caps,
        budgets, eligibility): the feasibility check of the plan runs on what is stored."""
        bad = repair.violations(self.problem, self.amounts, whole=True)
        if bad:
            raise RuntimeError(f"{self.kind}: the whole-unit plan breaks its constraints: " + "; ".join(bad))

    def floor_totals(self) -> np.ndarray:
        """(K, 3) the stored amounts per program and tier."""
        return np.stack([self.amounts[self.problem.tier == t].sum(axis=0) for t in range(3)], axis=1)


@dataclass
class Plan:
    plan_id: str
    as_of: date
    programs: list[Program]
    platform: Platform
    curves: Curves
    work_days: np.ndarray
    kinds: dict[str, KindPlan]

    def curve(self, kind: str) -> tuple[np.ndarray, np.ndarray]:
        """(a, S) of the kind's period curve for every creator."""
        return self.kinds[kind].problem.a, self.kinds[kind].problem.s


def solve_kind(
    platform: Platform, programs: list[Program], kind: str, a, s, tol: float,
    outcome: tuple[OutcomeRates, np.ndarray] | None = None,
) -> KindPlan | None:  # fmt: skip
    cols = kind_programs(programs, kind)
    if not cols:
        return None
    problem = build_problem(platform, programs, kind, a, s, outcome)
    feasibility.check_whole(problem)
    result = solve(problem, tol)
    amounts = integer_plan(problem, result.x)
    kp = KindPlan(kind, cols, problem, result, amounts, problem.value(amounts.astype(float)))
    kp.check()
    return kp


def curves_for(
    c: Curves, d: np.ndarray, priority: np.ndarray | None = None
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """(a, S) per kind: the creator's own impressions curve (its value weighed by the traffic coupon's
    ``priority``); cash through its segment's curve."""
    a, s = period_curve(c.theta, c.s, d)
    if priority is not None:
        a = a * priority
    a_seg, s_seg = period_curve(c.seg_theta, c.seg_s, d)
    return {"impressions": (a, s), "cash_fen": (a_seg, s_seg / IMPRESSIONS_PER_FEN)}


def make_plan(
    tables: dict[str, ibis.Table],
    programs: list[Program],
    as_of: date,
    plan_id: str,
    tol: float = 1e-4,
    zone: ZoneInfo = UTC_ZONE,
) -> Plan:
    """Features -> eligibility (feasibility checked) -> curves -> one solved problem per budget kind; days are
    counted in the platform's ``zone``."""
    features = creator_features(tables, as_of, zone)
    platform = load_platform(features, programs)  # one features query (on Spark it is most of the time)
    assert_feasible(checks_of(programs, eligible_counts(platform, programs)))
    curves = fit_curves(load_history(tables, as_of), platform.creator_id, platform.segment, platform.quality)
    d = work_days(platform.works_90d, window_days(programs))
    per_kind = curves_for(curves, d, platform.priority)
    rates = None
    if not outcomes.follower_only(programs):  # income and sales per impression from the history
        rates = outcomes.load_rates(tables, platform.creator_id, platform.followers, as_of,
                                    outcomes.needed(programs), zone)  # fmt: skip
    follows = {"impressions": curves.theta, "cash_fen": curves.seg_theta}  # the slope each kind's curve has
    kinds = {}
    for kind in KINDS:
        outcome = None if rates is None else (rates, follows[kind])
        kp = solve_kind(platform, programs, kind, *per_kind[kind], tol, outcome)
        if kp is not None:
            kinds[kind] = kp
    return Plan(plan_id, as_of, programs, platform, curves, d, kinds)
