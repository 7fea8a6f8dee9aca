"""Response curves: exact recovery on noiseless history, shrinkage, organic baselines, error vs the truth."""

from __future__ import annotations

import numpy as np
import pytest
from synth_platform import small_platform

from guanghe.allocate.curves import S_GRID, fit_curves, g, period_curve
from guanghe.allocate.curves_data import History
from guanghe.allocate.score import curve_errors, load_truth

THETA, S = 0.03, float(S_GRID[20])


def history(
    rows: list[tuple[int, int, float, float, float]], bases: list[tuple[int, int, float, float]]
) -> History:
    """rows: (creator, month, organic, boosted, follows); bases: (creator, month, organic, follows)."""
    r = np.array(rows, float).reshape(-1, 5)
    b = np.array(bases, float).reshape(-1, 4)
    return History(r[:, 0].astype(np.int64), r[:, 1], r[:, 2], r[:, 3], r[:, 4],
                   b[:, 0].astype(np.int64), b[:, 1], b[:, 2], b[:, 3])  # fmt: skip


def exact_rows(creator: int, xs, organic: float = 0.0, rate: float = 0.0) -> list[tuple]:
    return [(creator, 100, organic, x, rate * organic + THETA * S * np.log1p(x / S)) for x in xs]


def test_period_curve_by_hand() -> None:
    a, big_s = period_curve(np.array([0.02]), np.array([1_000.0]), np.array([10.0]))
    assert a[0] == pytest.approx(200.0) and big_s[0] == pytest.approx(10_000.0)
    # X spread evenly over 10 work-days: 10 * 0.02 * 1000 * ln(1 + 500 / 1000) = 200 ln 1.5
    assert a[0] * np.log1p(5_000 / big_s[0]) == pytest.approx(10 * 0.02 * g(500.0, 1_000.0))


def test_noiseless_history_recovers_the_curve() -> None:
    xs = np.geomspace(500, 60_000, 60)
    rows = exact_rows(1, xs) + exact_rows(2, xs * 0.7)
    c = fit_curves(history(rows, []), np.array([1, 2]), np.array(["tail/food", "tail/food"]))
    assert c.s == pytest.approx([S, S], rel=0.02)
    assert c.theta == pytest.approx([THETA, THETA], rel=0.02)
    assert c.boosted_days.tolist() == [60, 60]


def test_organic_follows_are_subtracted_at_the_creator_month_rate() -> None:
    xs = np.geomspace(500, 60_000, 60)
    rows = exact_rows(1, xs, organic=4_000.0, rate=0.01)
    bases = [(1, 100, 1_000_000.0, 10_000.0)]  # 1% organic follow rate that month
    c = fit_curves(history(rows, bases), np.array([1]), np.array(["tail/food"]))
    assert c.theta[0] == pytest.approx(THETA, rel=0.02)
    assert c.s[0] == pytest.approx(S, rel=0.02)


def test_thin_creators_shrink_to_their_segment() -> None:
    xs = np.geomspace(500, 60_000, 60)
    rows = exact_rows(1, xs) + exact_rows(2, xs)
    # creator 3: one boosted day with twice the segment's slope; creator 4: never boosted
    rows.append((3, 100, 0.0, 5_000.0, 2 * THETA * g(5_000.0, S)))
    c = fit_curves(history(rows, []), np.array([1, 2, 3, 4]), np.array(["tail/food"] * 4))
    seg = c.seg_theta[3]
    assert c.theta[3] == pytest.approx(seg) and c.weight[3] == 0.0 and c.boosted_days[3] == 0
    assert seg < c.theta[2] < 2 * THETA  # between the prior and its own raw slope
    assert 0 < c.weight[2] < c.weight[0]
    assert c.s[3] == pytest.approx(c.seg_s[3])  # no boosted history: the segment's s


def test_unsorted_creator_ids_are_rejected() -> None:
    with pytest.raises(ValueError, match="sorted"):
        fit_curves(history([], []), np.array([2, 1]), np.array(["a", "a"]))


def test_fitted_curves_are_close_to_the_generators_truth(tmp_path_factory) -> None:
    p = small_platform(tmp_path_factory)
    c, plan = p.plan.curves, p.plan
    theta, s = load_truth(p.truth, c.creator_id)
    e = curve_errors(c, theta, s, plan.kinds["impressions"].amounts.sum(1).astype(float), plan.work_days)
    assert e.slope_boosted_median < 0.10  # creators with >= 5 boosted work-days: f'(0) within 10%
    assert e.value_median < 0.15  # f(5,000) per work-day, all creators
    assert e.slope_unboosted_median < 0.40  # the segment-and-quality prior alone
    assert e.value_weighted < 0.30
