"""Scoring against the synthetic platform's ground truth: curve errors, the oracle and the baselines.

The truth (``truth/creators.parquet``) holds each creator's true per-work-day curve theta s ln(1 + x / s);
over the plan window a creator's true value of X impressions is D theta s ln(1 + X / (D s)) with the same
expected boosted work-days D the plan uses. Only impressions are scored: the generator models no response to
cash.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

from guanghe.allocate import baselines
from guanghe.allocate.curves import Curves, g, period_curve
from guanghe.allocate.plan import Plan, curves_for
from guanghe.allocate.problem import AllocationProblem
from guanghe.allocate.solver import solve


def load_truth(truth_dir: str | Path, creator_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(theta, s) of each creator from ``truth_dir/creators.parquet``."""
    path = Path(truth_dir) / "creators.parquet"
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no ground truth (expected the truth/ folder `guanghe synth` wrote)")
    t = pq.read_table(path, columns=["creator_id", "theta", "s"])
    ids = t.column("creator_id").to_numpy()
    order = np.argsort(ids)
    ids = ids[order]
    pos = np.minimum(np.searchsorted(ids, creator_ids), max(ids.size - 1, 0))
    missing = ids[pos] != creator_ids if ids.size else np.ones(creator_ids.size, bool)
    if np.any(missing):
        raise ValueError(
            f"{path}: no truth for {int(missing.sum())} creators (e.g. {creator_ids[missing][:3]})"
        )
    return t.column("theta").to_numpy()[order][pos], t.column("s").to_numpy()[order][pos]


@dataclass
class CurveErrors:
    """Relative errors of fitted curves against the truth (medians of |error|, and allocation-weighted means)."""

    slope_median: float  # |theta_hat / theta - 1|, all creators
    slope_boosted_median: float  # ... creators with >= 5 boosted work-days in the history
    slope_unboosted_median: float  # ... creators never boosted (segment prior only)
    value_median: float  # |f_hat(x) / f(x) - 1| at a typical boost x per work-day (default 5,000)
    slope_weighted: float  # sum_i X_i |error_i| / sum_i X_i with the plan's X
    value_weighted: float  # f at each creator's own planned x = X_i / D_i, weighted by X_i
    typical_x: float


def curve_errors(c: Curves, theta: np.ndarray, s: np.ndarray, big_x: np.ndarray, d: np.ndarray,
                 typical_x: float = 5_000.0) -> CurveErrors:  # fmt: skip
    slope = np.abs(c.theta / theta - 1)
    val = np.abs(c.theta * g(typical_x, c.s) / (theta * g(typical_x, s)) - 1)
    x_own = np.maximum(big_x / d, 1.0)
    own = np.abs(c.theta * g(x_own, c.s) / (theta * g(x_own, s)) - 1)
    w = big_x / max(big_x.sum(), 1e-300)
    many, none = c.boosted_days >= 5, c.boosted_days == 0
    med = lambda v, m: float(np.median(v[m])) if np.any(m) else float("nan")  # noqa: E731
    return CurveErrors(
        med(slope, np.ones_like(many)), med(slope, many), med(slope, none), float(np.median(val)),
        float(np.sum(w * slope)), float(np.sum(w * own)), typical_x,
    )  # fmt: skip


STORED = "stored plan (outcome weights)"  # the plan as stored, when its programs weigh more than follows


@dataclass
class Comparison:
    """True value (follows) of each plan of the impressions budgets and the ratios the issue asks for."""

    values: dict[str, float]  # allocator, oracle, uniform, followers, quality
    errors: CurveErrors
    oracle_gap: float
    extra: dict = field(default_factory=dict)

    @property
    def vs_oracle(self) -> float:
        return self.values["allocator"] / self.values["oracle"]

    @property
    def best_baseline(self) -> str:
        return max(("uniform", "followers", "quality"), key=lambda b: self.values[b])

    @property
    def vs_best_baseline(self) -> float:
        return self.values["allocator"] / self.values[self.best_baseline]

    def to_dict(self) -> dict:
        """The comparison as data (``guanghe allocate --truth --json``)."""
        return {"values": dict(self.values), "vs_oracle": self.vs_oracle, "best_baseline": self.best_baseline,
                "vs_best_baseline": self.vs_best_baseline, "oracle_gap": self.oracle_gap,
                "curve_errors": dataclasses.asdict(self.errors)}  # fmt: skip


def true_problem(
    problem: AllocationProblem, theta: np.ndarray, s: np.ndarray, d: np.ndarray
) -> AllocationProblem:
    a, big_s = period_curve(theta, s, d)
    return dataclasses.replace(problem, a=a, s=big_s, rate=None)  # the truth of follows: no program rates


def compare(plan: Plan, truth_dir: str | Path, tol: float = 1e-4) -> Comparison:
    """Score the plan's impressions allocation, the oracle and the baselines under the true curves."""
    kp = plan.kinds["impressions"]
    theta, s = load_truth(truth_dir, plan.platform.creator_id)
    problem, allocator = kp.problem, kp.amounts.astype(float)
    if (
        problem.rate is not None
    ):  # programs weigh other outcomes: score the plan of follows on the same curves
        a, big_s = curves_for(plan.curves, plan.work_days, plan.platform.priority)["impressions"]
        problem = dataclasses.replace(problem, a=a, s=big_s, rate=None)
        allocator = solve(problem, tol).x
    truth = true_problem(problem, theta, s, plan.work_days)
    oracle = solve(truth, tol)
    plans = {
        "allocator": allocator,
        "oracle": oracle.x,
        "uniform": baselines.uniform(problem),
        "followers": baselines.by_followers(problem, plan.platform.followers),
        "quality": baselines.greedy_quality(problem, plan.platform.quality),
    }
    if kp.problem.rate is not None:
        plans[STORED] = kp.amounts.astype(float)
    values = {name: truth.value(x) for name, x in plans.items()}
    errors = curve_errors(plan.curves, theta, s, kp.amounts.sum(axis=1).astype(float), plan.work_days)
    return Comparison(values, errors, oracle.gap)
