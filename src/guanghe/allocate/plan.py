"""From programs, creator features and fitted curves to a solved, integer allocation plan.

One problem per budget kind: impressions programs share each creator's impressions curve; cash programs
share its cash curve (segment level: the history holds no cash-response data). Per creator the curve over
the planning window is F_i(X) = D_i theta_i s_i ln(1 + X / (D_i s_i)) with D_i the boosted work-days it is
expected to have (BOOST_DAYS per work, works at the creator's last-90-day rate).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import ibis
import numpy as np

from guanghe.allocate.curves import Curves, fit_curves, period_curve
from guanghe.allocate.curves_data import load_history
from guanghe.allocate.problem import TIER_NAMES, AllocationProblem, AllocationResult
from guanghe.allocate.solver import solve
from guanghe.programs import Program, assert_feasible, check_programs, creator_features, eligibility

BOOST_DAYS = 3  # days of each new work a boost runs on (delivery policy; the history's practice)
IMPRESSIONS_PER_FEN = 0.5  # cash -> impressions-equivalent for the segment-level cash curve (~50 per CNY)
KINDS = ("impressions", "cash_fen")
_COLS = ("creator_id", "tier", "followers", "category", "works_90d", "completion_rate", "engagement_rate",
         "follow_rate")  # fmt: skip


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
    )  # fmt: skip


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
    platform: Platform, programs: list[Program], kind: str, a: np.ndarray, s: np.ndarray
) -> AllocationProblem:
    """The AllocationProblem of one budget kind over the programs that have that budget."""
    cols = kind_programs(programs, kind)
    ps = [programs[i] for i in cols]
    caps = np.array([float(p.caps.get(kind, np.inf)) for p in ps])
    eligible = platform.eligible[:, cols]
    return AllocationProblem(
        a=a, s=s, tier=platform.tier, eligible=eligible,
        caps=np.where(eligible, caps[None, :], 0.0) if ps else np.zeros((platform.n, 0)),
        budgets=np.array([float(p.budget[kind]) for p in ps]),
        floors=np.array([[p.floors.get(t, 0.0) for t in TIER_NAMES] for p in ps]).reshape(len(ps), 3),
        names=tuple(p.name for p in ps),
    )  # fmt: skip


def integer_plan(problem: AllocationProblem, x: np.ndarray) -> np.ndarray:
    """Whole impressions / fen: largest remainders within each (program, tier); never above a cap or budget."""
    out = np.floor(x + 1e-9).astype(np.int64)
    for k in range(problem.k):
        budget = int(problem.budgets[k])
        for t in range(3):
            rows = np.flatnonzero(problem.tier == t)
            want = min(
                round(float(x[rows, k].sum())), budget - int(out[:, k].sum()) + int(out[rows, k].sum())
            )
            extra = want - int(out[rows, k].sum())
            if extra > 0:
                frac = x[rows, k] - out[rows, k]
                order = np.argsort(-frac, kind="stable")[:extra]
                out[rows[order[frac[order] > 0]], k] += 1
    return out


@dataclass
class KindPlan:
    kind: str
    columns: list[int]  # indices into Plan.programs
    problem: AllocationProblem
    result: AllocationResult
    amounts: np.ndarray  # (n, len(columns)) int64


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


def solve_kind(platform: Platform, programs: list[Program], kind: str, a, s, tol: float) -> KindPlan | None:
    cols = kind_programs(programs, kind)
    if not cols:
        return None
    problem = build_problem(platform, programs, kind, a, s)
    result = solve(problem, tol)
    return KindPlan(kind, cols, problem, result, integer_plan(problem, result.x))


def curves_for(c: Curves, d: np.ndarray) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """(a, S) per kind: the creator's own impressions curve; cash through its segment's curve."""
    a, s = period_curve(c.theta, c.s, d)
    a_seg, s_seg = period_curve(c.seg_theta, c.seg_s, d)
    return {"impressions": (a, s), "cash_fen": (a_seg, s_seg / IMPRESSIONS_PER_FEN)}


def make_plan(
    tables: dict[str, ibis.Table], programs: list[Program], as_of: date, plan_id: str, tol: float = 1e-4
) -> Plan:
    """Features -> eligibility (feasibility checked) -> curves -> one solved problem per budget kind."""
    features = creator_features(tables, as_of)
    assert_feasible(check_programs(features, programs))
    platform = load_platform(features, programs)
    curves = fit_curves(load_history(tables, as_of), platform.creator_id, platform.segment, platform.quality)
    d = work_days(platform.works_90d, window_days(programs))
    per_kind = curves_for(curves, d)
    kinds = {}
    for kind in KINDS:
        kp = solve_kind(platform, programs, kind, *per_kind[kind], tol)
        if kp is not None:
            kinds[kind] = kp
    return Plan(plan_id, as_of, programs, platform, curves, d, kinds)
