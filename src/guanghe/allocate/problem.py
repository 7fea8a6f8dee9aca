"""The allocation problem and its certified result, as plain NumPy dataclasses.

Maximise sum_i a_i ln(1 + X_i / s_i), X_i = sum_k r[i, k] x[i, k] (r = 1 without program rates), subject to
0 <= x[i, k] <= caps[i, k] (0 where not eligible), X_i <= total_cap_i, sum_i x[i, k] <= budgets[k]
and, for each program k and tier t, sum_{i in t} x[i, k] >= floors[k, t] * budgets[k].
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

TIER_NAMES: tuple[str, ...] = ("head", "waist", "tail")


class InfeasibleProblem(ValueError):
    """The rule set admits no plan; `conflicts` names each conflicting group of constraints."""

    def __init__(self, conflicts: list[str]) -> None:
        self.conflicts = conflicts
        super().__init__("infeasible allocation rules:\n  - " + "\n  - ".join(conflicts))


@dataclass(frozen=True)
class AllocationProblem:
    """Inputs; n creators x K programs. `caps` may hold np.inf (no per-program cap)."""

    a: np.ndarray  # (n,) value scale a_i > 0
    s: np.ndarray  # (n,) saturation scale s_i > 0
    tier: np.ndarray  # (n,) 0 head, 1 waist, 2 tail
    eligible: np.ndarray  # (n, K) bool
    caps: np.ndarray  # (n, K) >= 0
    budgets: np.ndarray  # (K,) >= 0
    floors: np.ndarray  # (K, 3) fractions of the budget, each row sums to <= 1
    total_cap: np.ndarray | None = None  # (n,) cap on sum_k x[i, k] over all programs
    names: tuple[str, ...] = ()
    # (n, K) > 0 where eligible: what one unit of program k is worth to creator i's curve, in the creator's own
    # units (a program valuing outcomes the creator is good at counts more); None: every rate 1
    rate: np.ndarray | None = None

    def __post_init__(self) -> None:
        n, k = self.eligible.shape
        if not self.names:
            object.__setattr__(self, "names", tuple(f"program {j}" for j in range(k)))
        checks = [
            (
                "a",
                self.a.shape == (n,) and bool(np.all(np.isfinite(self.a) & (self.a > 0))),
                "(n,) finite > 0",
            ),
            (
                "s",
                self.s.shape == (n,) and bool(np.all(np.isfinite(self.s) & (self.s > 0))),
                "(n,) finite > 0",
            ),
            (
                "tier",
                self.tier.shape == (n,) and bool(np.all((self.tier >= 0) & (self.tier <= 2))),
                "(n,) in 0..2",
            ),
            ("eligible", self.eligible.dtype == np.bool_, "a bool (n, K) array"),
            ("caps", self.caps.shape == (n, k) and bool(np.all(self.caps >= 0)), "(n, K) >= 0 (inf allowed)"),
            (
                "budgets",
                self.budgets.shape == (k,) and bool(np.all(np.isfinite(self.budgets) & (self.budgets >= 0))),
                "(K,) finite >= 0",
            ),
            (
                "floors",
                self.floors.shape == (k, 3) and bool(np.all((self.floors >= 0) & (self.floors <= 1))),
                "(K, 3) fractions in [0, 1]",
            ),
            ("names", len(self.names) == k, f"{k} program names"),
        ]
        if self.total_cap is not None:
            ok = self.total_cap.shape == (n,) and bool(np.all(self.total_cap >= 0))
            checks.append(("total_cap", ok, "(n,) >= 0 (inf allowed)"))
        if self.rate is not None:
            ok = self.rate.shape == (n, k) and bool(np.all(np.isfinite(self.rate) & (self.rate > 0)))
            checks.append(("rate", ok, "(n, K) finite > 0"))
            # the total cap bounds sum_k x, the curve reads sum_k r x: the best responses assume they agree
            checks.append(
                ("rate", self.total_cap is None, "no total_cap (program rates and total caps do not mix)")
            )
        bad = [f"{name}: expected {want}" for name, ok, want in checks if not ok]
        if bad:
            raise ValueError("bad AllocationProblem: " + "; ".join(bad))

    @property
    def n(self) -> int:
        return int(self.eligible.shape[0])

    @property
    def k(self) -> int:
        return int(self.eligible.shape[1])

    def effective_caps(self, rows: np.ndarray | None = None) -> np.ndarray:
        """Caps made finite: 0 where not eligible, never above twice the budget or the creator's total cap.

        (Twice, not once: a cap equal to the budget would hold the budget's price at 0 for a lone creator.)
        The whole array is computed once per problem and returned read-only (the inputs are not to be changed
        in place after construction: the problem is frozen).
        """
        if rows is None and "_caps" in self.__dict__:
            return self.__dict__["_caps"]
        sel = slice(None) if rows is None else rows
        c = np.minimum(self.caps[sel], 2 * self.budgets[None, :])
        if self.total_cap is not None:
            np.minimum(c, self.total_cap[sel, None], out=c)
        c *= self.eligible[sel]  # finite here (budgets are): 0 where not eligible
        if rows is None:  # computed once (the solver, the repair and the checks all need it); read-only
            c.setflags(write=False)
            self.__dict__["_caps"] = c
        return c

    def floor_units(self) -> np.ndarray:
        """(K, 3) the tier floors in whole units: ceil(floors * budgets), as ``Program.floor_amount``."""
        return np.ceil(self.floors * self.budgets[:, None]).astype(np.int64)

    def whole_caps(self) -> np.ndarray:
        """(n, K) the effective caps in whole units (rounded down): no whole plan may pass them."""
        return np.floor(self.effective_caps() + 1e-9).astype(np.int64)

    def totals(self, x: np.ndarray) -> np.ndarray:
        """(n,) X_i = sum_k r[i, k] x[i, k]: what the curve of each creator reads."""
        return x.sum(axis=1) if self.rate is None else np.sum(self.rate * x, axis=1)

    def value(self, x: np.ndarray) -> float:
        """The objective sum_i a_i ln(1 + X_i / s_i) of a plan x (n, K)."""
        return float(np.sum(self.a * np.log1p(self.totals(x) / self.s)))


@dataclass
class AllocationResult:
    """A feasible plan with its optimality certificate and the prices that explain it."""

    x: np.ndarray  # (n, K) impressions (or fen) of program k to creator i
    value: float  # primal value of x (feasible, checked)
    dual_bound: float  # upper bound on the optimum (weak duality)
    gap: float  # (dual_bound - value) / value
    budget_multipliers: np.ndarray  # (K,) lambda_k
    floor_multipliers: np.ndarray  # (K, 3) mu[k, t]
    shadow_prices: np.ndarray  # (K,) d optimum / d B_k = lambda_k - sum_t floors[k, t] mu[k, t]
    marginal: np.ndarray  # (n,) f_i'(X_i) (one unit of program k is worth r[i, k] times this)
    budget_binding: np.ndarray  # (K,) bool
    floor_binding: np.ndarray  # (K, 3) bool
    cap_binding: np.ndarray  # (n, K) bool, x at its per-program cap
    total_cap_binding: np.ndarray  # (n,) bool
    stats: dict = field(default_factory=dict)  # iterations, seconds, regularisation path
