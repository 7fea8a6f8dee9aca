"""Badge rule files: the example loads; a bad file is refused with every problem as file:line: field: message."""

from __future__ import annotations

from pathlib import Path

import pytest

from guanghe.growth.badge_rules import (
    RULES_FILE,
    BadgeRuleError,
    MerchantRule,
    PriceRule,
    load_badge_rules,
    parse_badge_rules,
)

GOOD = RULES_FILE.read_text(encoding="utf-8")


def test_example_rules() -> None:
    rules = load_badge_rules()
    assert rules.price == PriceRule(window_days=30)
    assert rules.merchant == MerchantRule(30, 30, 500, 100, 48, 9000)
    assert rules.source == str(RULES_FILE)


def _issues(text: str) -> list[str]:
    with pytest.raises(BadgeRuleError) as e:
        parse_badge_rules(text, "b.toml")
    return [str(i) for i in e.value.issues]


def test_every_problem_with_its_line_and_field() -> None:
    text = """\
title = "x"
colour = "red"

[price]
window_days = 0

[merchant]
window_days = 30
min_orders = 12.5
max_refund_rate_bps = 10001
max_complaint_rate_bps = true
refund_hours = 48
min_on_time_bps = "90%"
extra = 1
"""
    assert _issues(text) == [
        "b.toml:2: colour: unknown key 'colour'; expected one of: title, description, price, merchant",
        "b.toml:5: price.window_days: expected the price window in days (an integer 1..366), got 0",
        "b.toml:14: merchant.extra: unknown key 'extra'; expected one of: window_days, min_orders, "
        "max_refund_rate_bps, max_complaint_rate_bps, refund_hours, min_on_time_bps",
        "b.toml:9: merchant.min_orders: expected the orders a merchant needs in the window to be judged "
        "(an integer 1..1000000000), got 12.5",
        "b.toml:10: merchant.max_refund_rate_bps: expected the highest refund rate in basis points "
        "(an integer 0..10000), got 10001",
        "b.toml:11: merchant.max_complaint_rate_bps: expected the highest complaint rate in basis points "
        "(an integer 0..10000), got True",
        "b.toml:13: merchant.min_on_time_bps: expected the lowest share of refunds handled on time in basis "
        "points (an integer 0..10000), got '90%'",
    ]


def test_missing_sections_and_keys() -> None:
    assert _issues("[price]\n") == [
        "b.toml:1: price.window_days: missing; expected the price window in days (an integer 1..366)",
        "b.toml: merchant: missing; expected a [merchant] table",
    ]
    no_hours = GOOD.replace("refund_hours = 48", "")
    line = GOOD.splitlines().index("[merchant]                     # 信任购 (trusted purchase): the merchant's "
                                   "after-sales record over the window") + 1  # fmt: skip
    assert _issues(no_hours) == [
        f"b.toml:{line}: merchant.refund_hours: missing; expected the refund handling time in hours "
        "(an integer 1..8784)"
    ]


def test_not_toml_and_no_file(tmp_path: Path) -> None:
    (issue,) = _issues("[price]\nwindow_days = = 3\n")
    assert issue.startswith("b.toml:2: not valid TOML")
    with pytest.raises(BadgeRuleError) as e:
        load_badge_rules(tmp_path / "none.toml")
    assert str(e.value.issues[0]).startswith(f"{tmp_path / 'none.toml'}: cannot read the file")
    assert str(e.value).startswith("1 problem in the badge rule file:")
