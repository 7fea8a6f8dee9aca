"""Independent bracket of the optimum with HiGHS on piecewise-linear versions of the curves.

Each f_i is replaced on [0, Xmax_i] (Xmax_i = min(sum_k r[i, k] c[i, k], total_cap_i)) by J pieces, evenly spaced in
ln(1 + X / s_i). Chords lie below f: the chord LP's plan is feasible, so f at that plan is a LOWER bound
on the optimum. The tangent envelope lies above f: the tangent LP's optimum is an UPPER bound. Separable
concave pieces need no integer variables: X_i = sum_j z[i, j], 0 <= z <= piece length, slopes decreasing.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import highspy
import numpy as np

from guanghe.allocate.problem import AllocationProblem
from guanghe.allocate.repair import repair, violations


@dataclass
class Bracket:
    lower: float  # true value of the chord LP's (feasible) plan
    upper: float  # tangent LP optimum
    x_lower: np.ndarray  # (n, K) the chord LP's plan
    seconds: float


def _pieces(problem: AllocationProblem, segments: int, chords: bool) -> tuple[np.ndarray, np.ndarray]:
    """(lengths, slopes), each (n, pieces)."""
    c = problem.effective_caps()
    xmax = problem.totals(c)  # the most the curve can read: sum_k r c
    if problem.total_cap is not None:
        xmax = np.minimum(xmax, problem.total_cap)
    a, s = problem.a[:, None], problem.s[:, None]
    u = np.log1p(xmax / problem.s)[:, None] * np.linspace(0.0, 1.0, segments + 1)[None, :]
    e = s * np.expm1(u)  # breakpoints, e[:, 0] = 0, e[:, -1] = xmax
    if chords:
        lengths = np.diff(e, axis=1)
        slopes = np.where(lengths > 0, a * np.diff(u, axis=1) / np.where(lengths > 0, lengths, 1.0), 0.0)
        return lengths, slopes
    fv, dv = a * u, a / (s + e)  # tangent at each breakpoint
    den = dv[:, :-1] - dv[:, 1:]
    q = np.where(
        den > 0,
        (fv[:, 1:] - fv[:, :-1] + dv[:, :-1] * e[:, :-1] - dv[:, 1:] * e[:, 1:])
        / np.where(den > 0, den, 1.0),
        e[:, :-1],
    )
    q = np.clip(q, e[:, :-1], e[:, 1:])
    ends = np.concatenate([np.zeros((q.shape[0], 1)), q, e[:, -1:]], axis=1)
    return np.diff(ends, axis=1), dv


def _lp(problem: AllocationProblem, lengths: np.ndarray, slopes: np.ndarray, solver: str):
    n, k = problem.n, problem.k
    c = problem.effective_caps()
    pi, pk = np.nonzero(c > 0)
    floor_idx = np.argwhere(problem.floors * problem.budgets[:, None] > 0)
    floor_row = np.full((k, 3), -1)
    floor_row[floor_idx[:, 0], floor_idx[:, 1]] = k + np.arange(len(floor_idx))
    link0 = k + len(floor_idx)
    nx, pieces = pi.size, lengths.shape[1]
    # x columns: budget row, floor row (if any), link row; z columns: link row with -1.
    fr = floor_row[pk, problem.tier[pi]]
    has_f = fr >= 0
    counts = np.concatenate([2 + has_f, np.ones(n * pieces, dtype=np.int64)])
    start = np.concatenate([[0], np.cumsum(counts)])
    index = np.empty(start[-1], dtype=np.int32)
    value = np.ones(start[-1])
    sx = start[:nx]
    index[sx] = pk
    index[sx + 1 + has_f] = link0 + pi
    if problem.rate is not None:  # the link row reads X_i = sum_k r[i, k] x[i, k]
        value[sx + 1 + has_f] = problem.rate[pi, pk]
    index[sx[has_f] + 1] = fr[has_f]
    zi = np.repeat(np.arange(n), pieces)
    index[start[nx:-1]] = link0 + zi
    value[start[nx:-1]] = -1.0
    lp = highspy.HighsLp()
    lp.num_col_ = nx + n * pieces
    lp.num_row_ = link0 + n
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.col_cost_ = np.concatenate([np.zeros(nx), slopes.ravel()])
    lp.col_lower_ = np.zeros(lp.num_col_)
    lp.col_upper_ = np.concatenate([c[pi, pk], lengths.ravel()])
    lo = np.concatenate(
        [
            np.full(k, -highspy.kHighsInf),
            problem.floors[floor_idx[:, 0], floor_idx[:, 1]] * problem.budgets[floor_idx[:, 0]],
            np.zeros(n),
        ]
    )
    hi = np.concatenate([problem.budgets, np.full(len(floor_idx), highspy.kHighsInf), np.zeros(n)])
    lp.row_lower_, lp.row_upper_ = lo, hi
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = start, index, value
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("solver", solver)
    h.passModel(lp)
    h.run()
    status = h.getModelStatus()
    if status != highspy.HighsModelStatus.kOptimal:
        raise RuntimeError(f"HiGHS: {h.modelStatusToString(status)}")
    x = np.zeros((n, k))
    x[pi, pk] = np.clip(np.asarray(h.getSolution().col_value[:nx]), 0.0, c[pi, pk])
    return x, h.getInfo().objective_function_value


def bracket(problem: AllocationProblem, segments: int = 40, solver: str = "choose") -> Bracket:
    """Lower and upper bounds on the optimum from the chord and tangent LPs."""
    started = time.perf_counter()
    x_low, _ = _lp(problem, *_pieces(problem, segments, chords=True), solver)
    x_low = repair(problem, x_low)  # absorbs the LP's ~1e-9 tolerance slips; checked below
    bad = violations(problem, x_low)
    if bad:
        raise RuntimeError("chord LP plan infeasible beyond tolerance: " + "; ".join(bad))
    _, upper = _lp(problem, *_pieces(problem, segments, chords=False), solver)
    return Bracket(problem.value(x_low), float(upper), x_low, time.perf_counter() - started)
