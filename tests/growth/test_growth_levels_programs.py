"""Levels reach the programs and the allocator: `level`, `level_rank`, `traffic_coupon` creator features,
eligibility rules on them, and the coupon as the weight of a creator's impressions value in the objective."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from growth_levels_platform import D1, D2, D3, RULES, build_platform

from guanghe.allocate.curves import Curves
from guanghe.allocate.plan import build_problem, curves_for, load_platform
from guanghe.allocate.solver import solve
from guanghe.growth.level_load import parse_levels
from guanghe.growth.level_run import run_levels
from guanghe.programs import check_programs, creator_features, parse_program

PROGRAM = """\
name = "level_boost"
title = "等级扶持"
[period]
start = 2023-07-01
end = 2023-07-31
[scale]
creators = 4
[budget]
impressions = 10_000
[outcome]
follower_growth = 1.0
[[eligibility]]
feature = "works_90d"
op = ">="
value = 0
"""


def _rule(feature: str, op: str, value: str) -> str:
    return PROGRAM + f'[[eligibility]]\nfeature = "{feature}"\nop = "{op}"\nvalue = {value}\n'


@pytest.fixture(scope="module")
def wh(tmp_path_factory: pytest.TempPathFactory):
    w = build_platform(tmp_path_factory.mktemp("levels_programs") / "wh.duckdb")
    rules = parse_levels(RULES)
    before = creator_features(w.tables(), D2).select("creator_id", "level", "level_rank", "traffic_coupon")
    w.before = sorted(tuple(r.values()) for r in before.to_pyarrow().to_pylist())  # type: ignore[attr-defined]
    for day in (D1, D2, D3):
        run_levels(w, rules, day)
    yield w
    w.close()


def _levels(wh, day) -> dict[int, tuple]:
    f = creator_features(wh.tables(), day).to_pyarrow().to_pylist()
    return {r["creator_id"]: (r["level"], r["level_rank"], r["traffic_coupon"]) for r in f}


def test_level_features_follow_the_history(wh) -> None:
    assert wh.before == [(1, "", 0, 0), (2, "", 0, 0), (3, "", 0, 0), (4, "", 0, 0)]  # no run yet
    assert _levels(wh, D1) == {1: ("silver", 1, 10), 2: ("gold", 2, 50), 3: ("base", 0, 0)}
    assert _levels(wh, D2) == {
        1: ("silver", 1, 10),
        2: ("gold", 2, 50),
        3: ("silver", 1, 10),
        4: ("base", 0, 0),
    }
    assert _levels(wh, D3) == {
        1: ("base", 0, 0),
        2: ("silver", 1, 10),
        3: ("silver", 1, 10),
        4: ("base", 0, 0),
    }
    # a day between runs reads the newest run before it
    assert _levels(wh, D2.replace(day=15)) == _levels(wh, D1) | {4: ("base", 0, 0)}


@pytest.mark.parametrize(
    ("rule", "day", "eligible"),
    [
        (("level_rank", ">=", "2"), D2, {2}),
        (("level_rank", ">=", "1"), D2, {1, 2, 3}),
        (("level_rank", ">=", "2"), D3, set()),
        (("level", "==", '"silver"'), D3, {2, 3}),
        (("traffic_coupon", ">", "0"), D3, {2, 3}),
    ],
)
def test_eligibility_on_levels(wh, rule, day, eligible) -> None:
    features = creator_features(wh.tables(), day)
    prog = parse_program(_rule(*rule))
    platform = load_platform(features, [prog])
    assert set(platform.creator_id[platform.eligible[:, 0]].tolist()) == eligible
    assert sum(check_programs(features, [prog])[0].eligible.values()) == len(eligible)


def test_allocator_weighs_impressions_value_by_the_coupon(wh) -> None:
    """Four creators with the same curve (a = 1, S = 1000); coupons 10, 50, 10, 0 on D2 weigh a_i by 1.1, 1.5,
    1.1, 1.0. The optimum of sum w_i ln(1 + X_i / S) with sum X_i = 10,000 is X_i = w_i t - S with
    t = (10,000 + 4 S) / sum w = 14,000 / 4.7: 2,276.6, 3,468.1, 2,276.6, 1,978.7 (equal without coupons)."""
    prog = parse_program(PROGRAM)
    platform = load_platform(creator_features(wh.tables(), D2), [prog])
    assert platform.priority.tolist() == [1.1, 1.5, 1.1, 1.0]
    n = platform.n
    same = np.ones(n)
    curves = Curves(platform.creator_id, same * 1e-3, same * 1000, platform.segment, same * 1e-3, same * 1000,
                    same * 1e-3, same, same, same)  # fmt: skip
    for priority, expected in ((platform.priority, [2276.6, 3468.1, 2276.6, 1978.7]), (None, [2500.0] * 4)):
        a, s = curves_for(curves, np.ones(n), priority)["impressions"]
        x = solve(build_problem(platform, [prog], "impressions", a, s), tol=1e-7).x[:, 0]
        np.testing.assert_allclose(x, expected, rtol=1e-3)


def test_shipped_programs_unchanged_without_levels(tmp_path: Path) -> None:
    """Without a levels run the features carry coupon 0: every priority is exactly 1 (plans as before)."""
    w = build_platform(tmp_path / "fresh.duckdb")
    try:
        platform = load_platform(creator_features(w.tables(), D2), [parse_program(PROGRAM)])
        assert platform.priority.tolist() == [1.0] * 4
    finally:
        w.close()
