"""Levels on a hand-made platform: known features -> known levels, and a known path with hysteresis."""

from __future__ import annotations

from pathlib import Path

import pyarrow.compute as pc
import pytest
from growth_levels_platform import D1, D2, D3, RULES, build_platform

from guanghe.data.growth_schema import CREATOR_LEVELS, LEVEL_RIGHTS
from guanghe.growth.level_features import level_features
from guanghe.growth.level_load import parse_levels
from guanghe.growth.level_run import LevelOrderError, run_levels

rules = parse_levels(RULES, "rules.toml")


@pytest.fixture
def wh(tmp_path: Path):
    w = build_platform(tmp_path / "wh.duckdb")
    yield w
    w.close()


def _history(wh) -> list[tuple]:
    t = wh.fetch(wh.table(CREATOR_LEVELS).order_by(["as_of", "creator_id"])).to_pylist()
    return [(r["as_of"], r["creator_id"], r["previous_level"], r["level"], r["reason"]) for r in t]


def test_features_by_hand(wh) -> None:
    rows = {r["creator_id"]: r for r in wh.fetch(level_features(wh.tables(), D1)).to_pylist()}
    assert set(rows) == {1, 2, 3}  # creator 4 joins after D1
    pick = ("active_days_90d", "works_90d", "followers", "violations_90d", "originality")
    got = {c: tuple(r[k] for k in pick) for c, r in rows.items()}
    assert got == {1: (4, 4, 100, 0, 1.0), 2: (4, 5, 20_000, 0, 1.0), 3: (5, 5, 500, 1, 1.0)}
    rows = {r["creator_id"]: r for r in wh.fetch(level_features(wh.tables(), D3)).to_pylist()}
    assert {c: (r["works_90d"], r["followers"], r["violations_90d"]) for c, r in rows.items()} == {
        1: (2, 100, 0),
        2: (10, 7_000, 0),
        3: (6, 500, 0),
        4: (0, 0, 0),
    }


def test_path_with_hysteresis(wh) -> None:
    r1 = run_levels(wh, rules, D1)
    assert (r1.creators, r1.counts, r1.promoted, r1.demoted) == (3, {"base": 1, "silver": 1, "gold": 1}, 2, 0)
    r2 = run_levels(wh, rules, D2)
    # creator 1 has works_90d 3 (< entry 4, >= keep 3) and creator 2 8,000 followers: both keep their level
    assert (r2.counts, r2.promoted, r2.demoted) == ({"base": 1, "silver": 2, "gold": 1}, 1, 0)
    r3 = run_levels(wh, rules, D3)
    assert (r3.counts, r3.promoted, r3.demoted) == ({"base": 2, "silver": 2, "gold": 0}, 0, 2)
    assert _history(wh) == [
        (D1, 1, "base", "silver", "entry rules of silver hold: works_90d >= 4, violations_90d <= 0"),
        (D1, 2, "base", "gold", "entry rules of gold hold: followers >= 10000, active_days_90d >= 4"),
        (D2, 3, "base", "silver", "entry rules of silver hold: works_90d >= 4, violations_90d <= 0"),
        (D3, 1, "silver", "base", "keep rule of silver fails: works_90d >= 3; now base"),
        (D3, 2, "gold", "silver", "keep rule of gold fails: followers >= 7500; now silver"),
    ]
    rights = wh.fetch(wh.table(LEVEL_RIGHTS).filter(wh.table(LEVEL_RIGHTS).as_of == D3).order_by("rank"))
    assert rights.select(["level", "creators", "traffic_coupon", "fee_discount_bps"]).to_pylist() == [
        {"level": "base", "creators": 2, "traffic_coupon": 0, "fee_discount_bps": 0},
        {"level": "silver", "creators": 2, "traffic_coupon": 10, "fee_discount_bps": 0},
        {"level": "gold", "creators": 0, "traffic_coupon": 50, "fee_discount_bps": 800},
    ]


def test_without_hysteresis_the_boundary_flaps(wh) -> None:
    """The same rules with keep = entry (margin 0): creators 1 and 2 leave their level on D2 already."""
    strict = parse_levels(
        RULES.replace("margin = 0.25", "margin = 0").replace("keep = 1\n", ""), "strict.toml"
    )
    run_levels(wh, strict, D1)
    r2 = run_levels(wh, strict, D2)
    assert (r2.counts, r2.demoted) == ({"base": 2, "silver": 2, "gold": 0}, 2)


def test_rerun_same_day_is_idempotent(wh) -> None:
    run_levels(wh, rules, D1)
    run_levels(wh, rules, D2)
    before = (_history(wh), wh.fetch(wh.table(LEVEL_RIGHTS).order_by(["as_of", "rank"])))
    again = run_levels(wh, rules, D2)
    assert again.changes.num_rows == 1
    after = (_history(wh), wh.fetch(wh.table(LEVEL_RIGHTS).order_by(["as_of", "rank"])))
    assert before[0] == after[0] and before[1].equals(after[1])
    assert wh.count(CREATOR_LEVELS.name) == 3


def test_earlier_day_refused_and_nothing_written(wh) -> None:
    run_levels(wh, rules, D2)
    rows = wh.count(CREATOR_LEVELS.name)
    with pytest.raises(LevelOrderError, match="stored up to 2023-05-31; as-of 2023-04-30 is earlier"):
        run_levels(wh, rules, D1)
    assert wh.count(CREATOR_LEVELS.name) == rows


def test_dry_run_stores_nothing(wh) -> None:
    run = run_levels(wh, rules, D1, store=False)
    assert run.changes.num_rows == 2 and not run.stored
    assert wh.count(CREATOR_LEVELS.name) == 0 and wh.count(LEVEL_RIGHTS.name) == 0


def test_changes_match_the_python_reference(wh) -> None:
    """``LevelRules.assign`` (the reference) on the fetched features gives the ranks the query stores."""
    previous: dict[int, int] = {}
    for day in (D1, D2, D3):
        feats = wh.fetch(level_features(wh.tables(), day)).to_pylist()
        expected = {r["creator_id"]: rules.assign(r, previous.get(r["creator_id"], 0)) for r in feats}
        run = run_levels(wh, rules, day)
        changed = dict(zip(run.changes.column("creator_id").to_pylist(),
                           run.changes.column("rank").to_pylist(), strict=True))  # fmt: skip
        assert changed == {c: k for c, k in expected.items() if k != previous.get(c, 0)}
        assert pc.all(pc.not_equal(run.changes.column("rank"), run.changes.column("previous_rank"))).as_py()
        previous = expected


def test_synthetic_platform_matches_the_python_reference(tmp_path: Path) -> None:
    """On 3,000 synthetic creators over three month-ends, the stored ranks are the reference's, demotions
    happen only where a keep rule fails, and every level of the shipped file is reached."""
    from growth_levels_platform import synth_warehouse

    from guanghe.growth.level_load import LEVELS_FILE, load_levels

    shipped = load_levels(LEVELS_FILE)
    wh = synth_warehouse(tmp_path)
    try:
        previous: dict[int, int] = {}
        demoted = 0
        for day in (D1, D2, D3):
            feats = wh.fetch(level_features(wh.tables(), day)).to_pylist()
            expected = {r["creator_id"]: shipped.assign(r, previous.get(r["creator_id"], 0)) for r in feats}
            run = run_levels(wh, shipped, day)
            got = dict(zip(run.changes.column("creator_id").to_pylist(), run.changes.column("rank").to_pylist(),
                           strict=True))  # fmt: skip
            assert got == {c: k for c, k in expected.items() if k != previous.get(c, 0)}
            assert all(n > 0 for n in run.counts.values()), run.counts
            demoted += run.demoted
            previous = expected
        assert demoted > 0
    finally:
        wh.close()
