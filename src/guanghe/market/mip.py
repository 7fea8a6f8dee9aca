"""The matching knapsack as a HiGHS MIP, built column-wise from numpy arrays in one passModel call."""

from __future__ import annotations

import highspy
import numpy as np

STATUS = {
    highspy.HighsModelStatus.kOptimal: "optimal",
    highspy.HighsModelStatus.kTimeLimit: "time_limit",
    highspy.HighsModelStatus.kInterrupt: "interrupted",
}


def model(
    price: np.ndarray, value: np.ndarray, mcn: np.ndarray, must: np.ndarray,
    budget: int, max_creators: int | None, max_per_mcn: int | None,
) -> highspy.HighsLp:  # fmt: skip
    """Binary x per candidate; rows: budget, count (if N can bind), one per MCN with more than M candidates."""
    n = price.size
    shared = []  # (coefficients, upper bound) of the rows every column enters
    if price.sum() > budget:  # in units of the prices' gcd: same integer points, smaller coefficients
        unit = int(np.gcd.reduce(price))
        shared.append(((price // unit).astype(float), float(budget // unit)))
    if max_creators is not None and max_creators < n:
        shared.append((np.ones(n), float(max_creators)))
    group_row = np.full(n, -1)  # each candidate's MCN row, -1 when its MCN cannot exceed M
    if max_per_mcn is not None and n:
        groups, inverse, sizes = np.unique(mcn, return_inverse=True, return_counts=True)
        big = (groups != 0) & (sizes > max_per_mcn)
        group_row = np.where(big, np.cumsum(big) - 1, -1)[inverse]
    k, n_mcn, capped = len(shared), int(group_row.max(initial=-1)) + 1, group_row >= 0
    start = np.concatenate([[0], np.cumsum(k + capped)])
    index = np.empty(start[-1], dtype=np.int32)
    values = np.ones(start[-1])
    for r, (coef, _) in enumerate(shared):
        index[start[:-1] + r] = r
        values[start[:-1] + r] = coef
    index[start[:-1][capped] + k] = k + group_row[capped]
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n, k + n_mcn
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.col_cost_ = value.astype(float)
    lp.col_lower_ = must.astype(float)
    lp.col_upper_ = np.ones(n)
    lp.row_lower_ = np.full(lp.num_row_, -highspy.kHighsInf)
    lp.row_upper_ = np.array([u for _, u in shared] + [float(max_per_mcn or 0)] * n_mcn)
    lp.integrality_ = [highspy.HighsVarType.kInteger] * n
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = n, lp.num_row_
    lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = start, index, values
    return lp


def solve(
    price: np.ndarray, value: np.ndarray, mcn: np.ndarray, must: np.ndarray, budget: int,
    max_creators: int | None, max_per_mcn: int | None, time_limit_s: float, rel_gap: float,
) -> tuple[np.ndarray, str, float]:  # fmt: skip
    """(chosen positions, status, proven upper bound on the optimum)."""
    lp = model(price, value, mcn, must, budget, max_creators, max_per_mcn)
    if lp.num_row_ == 0 or price.size == 0:  # nothing binds: take everyone who helps
        return np.arange(price.size), "optimal", float(value.sum())
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(time_limit_s))
    h.setOptionValue("mip_rel_gap", float(rel_gap))
    h.setOptionValue("mip_abs_gap", 0.0)
    h.passModel(lp)
    h.run()
    status = h.getModelStatus()
    info = h.getInfo()
    has_solution = info.primal_solution_status == highspy.SolutionStatus.kSolutionStatusFeasible
    chosen = np.flatnonzero((np.asarray(h.getSolution().col_value) > 0.5) if has_solution else must)
    name = STATUS.get(status, h.modelStatusToString(status))
    return chosen, name, float(info.mip_dual_bound)
