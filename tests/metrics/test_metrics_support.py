"""Support-traffic metrics on fixtures/platform/work_boost.csv, answers computed by hand.

work_boost.csv: work 107 (c1) 2023-01-11 1000, 01-12 500 | work 301 (c3) 2023-04-26 guanghe 2000 + juguang 300
| work 208 (c2) 2023-02-11 0 impressions | work 401 (c4) 2023-07-01 100.
Followers: c1 9000 from 2022-06-01, 10000 from 2023-03-01; c3 100 from 2023-04-20 (joined), 5000 from
2023-06-01; c4 has no creator_daily rows.
"""

from __future__ import annotations

from guanghe.metrics import evaluate_many, get, parse_period

NAMES = ["support_impressions", "creators_supported", "supported_follower_gain"]


def values(tables, text: str) -> dict:
    return evaluate_many(tables, get(NAMES), [parse_period(text)])[0]


def test_half_year(tables) -> None:
    v = values(tables, "2023-H1")
    assert v["support_impressions"] == 1000 + 500 + 2000 + 300 + 0  # 3800, both programs
    assert v["creators_supported"] == 2  # c1, c3; c2's only boost row has 0 impressions
    # c1: 10000 at 06-30 - 9000 at 2022-12-31 = +1000 (carried forward over months without rows)
    # c3: 5000 at 06-30 - 0 at 2022-12-31 (no row yet, joined 2023-04-20) = +5000
    assert v["supported_follower_gain"] == 6000


def test_supported_creator_without_follower_rows(tables) -> None:
    v = values(tables, "2023-07")
    assert v == {"support_impressions": 100, "creators_supported": 1, "supported_follower_gain": 0}  # c4


def test_gain_uses_the_day_before_the_period(tables) -> None:
    # c1 supported on 2023-01-11..12; over 2023-03-01..2023-03-31 nobody is supported -> 0.
    assert values(tables, "2023-03")["creators_supported"] == 0
    # Range 2023-01-12..2023-03-01: c1 supported (500 on 01-12);
    # followers 9000 on 01-11, 10000 on 03-01: +1000
    assert values(tables, "2023-01-12..2023-03-01") == {
        "support_impressions": 500, "creators_supported": 1, "supported_follower_gain": 1000,
    }  # fmt: skip
