"""Levels files: the shipped one loads; bad ones are refused with file:line:field and what was expected."""

from __future__ import annotations

from pathlib import Path

import pytest
from growth_levels_platform import RULES

from guanghe.growth.level_load import LEVELS_FILE, LevelsError, load_levels, parse_levels


def test_shipped_file_loads() -> None:
    r = load_levels(LEVELS_FILE)
    assert [lv.name for lv in r.levels] == ["newcomer", "rising", "quality", "star"]
    assert r.margin == 0.2 and r.levels[3].rights.traffic_coupon == 25
    followers = next(x for x in r.levels[2].rules if x.feature == "followers")
    assert (followers.value, followers.keep) == (5000, 4000)  # keep = value x (1 - margin)
    violations = next(x for x in r.levels[2].rules if x.feature == "violations_90d")
    assert (violations.value, violations.keep) == (0, 1)  # an explicit keep


def test_keep_from_margin_both_directions() -> None:
    r = parse_levels(RULES.replace("value = 0\nkeep = 1\n", "value = 10\n"))
    works, violations = r.levels[1].rules
    assert (works.keep, violations.keep) == (3, 12.5)  # >=: 4 x 0.75; <=: 10 x 1.25


def _issues(text: str) -> list[str]:
    with pytest.raises(LevelsError) as e:
        parse_levels(text, "bad.toml")
    return [str(i) for i in e.value.issues]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            'feature = "works_90d"',
            'feature = "likes"',
            "bad.toml:22: rule[1].feature: unknown feature 'likes'",
        ),
        ('op = ">="\nvalue = 4', 'op = "=="\nvalue = 4', "bad.toml:23: rule[1].op: unknown operator '=='"),
        ("value = 4\n", 'value = "four"\n', "bad.toml:24: rule[1].value: expected a number >= 0, got 'four'"),
        (
            'level = "gold"\nfeature = "followers"',
            'level = "platinum"\nfeature = "followers"',
            "bad.toml:34: rule[3].level: unknown level 'platinum'; expected one of: base, silver, gold",
        ),
        ("keep = 1", "keep = -1", "bad.toml:31: rule[2].keep: expected a number >= 0, got -1"),
        (
            "value = 0\nkeep = 1",
            "value = 2\nkeep = 1",
            "bad.toml:31: rule[2].keep: a keep threshold is looser",
        ),
        (
            "fee_discount_bps = 800",
            "fee_discount_bps = 20000",
            "bad.toml:17: level[3].fee_discount_bps: expected an integer from 0 to 10000, got 20000",
        ),
        ("ad_share = true", 'ad_share = "yes"', "bad.toml:16: level[3].ad_share: expected true or false"),
        ("margin = 0.25", "margin = 1.5", "bad.toml:2: hysteresis.margin: expected a share in [0, 1)"),
        ('name = "gold"', 'name = "silver"', "bad.toml:14: level[3].name: level 'silver' is declared twice"),
        (
            "traffic_coupon = 10",
            "traffic_coupn = 10",
            "bad.toml:11: level[2].traffic_coupn: unknown key 'traffic_coupn'",
        ),
    ],
)
def test_bad_field_named_with_line(old: str, new: str, expected: str) -> None:
    assert old in RULES
    issues = _issues(RULES.replace(old, new, 1))
    assert any(i.startswith(expected) for i in issues), issues


def test_every_problem_listed_at_once() -> None:
    text = RULES.replace('feature = "works_90d"', 'feature = "likes"').replace("margin = 0.25", "margin = -1")
    assert [i.split(":")[1] for i in _issues(text)] == ["2", "22"]


def test_base_level_takes_no_rules_and_levels_need_one() -> None:
    text = RULES.replace('level = "silver"\nfeature = "works_90d"', 'level = "base"\nfeature = "works_90d"')
    issues = _issues(text)
    assert issues[0].startswith("bad.toml:21: rule[1].level: 'base' is the base level")
    text = RULES.split("[[rule]]")[0] + "[[rule]]" + RULES.split("[[rule]]")[3]
    assert _issues(text) == ["bad.toml:9: level[2].name: level 'silver' has no [[rule]]: every level above the "
                             "base needs one"]  # fmt: skip


def test_not_toml_and_missing_file(tmp_path: Path) -> None:
    (issue,) = _issues("[[level]\nname = 1")
    assert issue.startswith("bad.toml:1: not valid TOML: ")
    with pytest.raises(LevelsError, match="cannot read the file"):
        load_levels(tmp_path / "missing.toml")
