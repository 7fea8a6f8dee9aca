"""Marketplace (磁力聚星) metrics on fixtures/platform/brand_orders.csv, answers computed by hand.

brand_orders.csv (order: brand, fen, completed_at UTC):
  1: b10  50000 2022-06-05 10:00 | 2: b11 30000 2022-06-20 10:00 | 3: b10 20000 2022-05-15 10:00
  4: b10  60000 2023-06-05 10:00 | 5: b12 40000 2023-06-15 10:00 | 6: b13 10000 2023-06-30 16:30
  7: b11  25000 2023-05-31 15:59:59 | 8: b14 15000 2023-04-01 00:00 | 9: b12 5000 2022-03-31 16:00
  10: b11 70000 2022-12-31 23:59:59
Brand 10 is active in June of both years. Asia/Shanghai is UTC+8: order 6 is 2023-07-01 00:30 there, order 9
2022-04-01 00:00, order 10 2023-01-01 07:59:59; order 7 stays 2023-05-31 (23:59:59). The data (works) span
2022-03-01..2024-02-29, so 2022's prior year is no data.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from guanghe.metrics import compute, evaluate_many, get, parse_period

NAMES = ["market_advertisers", "market_orders", "market_gmv_fen"]
SH = ZoneInfo("Asia/Shanghai")


def values(tables, text: str, zone: ZoneInfo | None = None) -> tuple[int, int, int]:
    p = parse_period(text, zone=zone) if zone else parse_period(text)
    v = evaluate_many(tables, get(NAMES), [p])[0]
    return v["market_advertisers"], v["market_orders"], v["market_gmv_fen"]


def test_declared_like_every_metric() -> None:
    ms = {m.name: m for m in get(NAMES)}
    assert [ms[n].unit for n in NAMES] == ["count", "count", "fen"]
    assert all(m.label.startswith("磁力聚星") and m.definition and m.formula for m in ms.values())
    assert ms["market_orders"].source is ms["market_advertisers"].source  # one aggregate per period


def test_june_and_q2_in_utc(tables) -> None:
    # June 2022: orders 1, 2 -> brands {10, 11}; June 2023: 4, 5, 6 (16:30Z is still June 30 in UTC)
    assert values(tables, "2022-06") == (2, 2, 80_000)
    assert values(tables, "2023-06") == (3, 3, 110_000)
    # Q2 2022: 1, 2, 3 (order 9 is March 31 in UTC); Q2 2023: 4, 5, 6, 7, 8 -> brands {10, 11, 12, 13, 14}
    assert values(tables, "2022-Q2") == (2, 3, 100_000)
    assert values(tables, "2023-Q2") == (5, 5, 150_000)
    # a period without orders is 0, not None
    assert values(tables, "2023-08") == (0, 0, 0)


def test_yoy_and_pop_with_a_brand_active_in_both_years(tables) -> None:
    got = {v.name: v for v in compute(tables, "2023-06", NAMES)}
    adv = got["market_advertisers"]
    # brand 10 counts once in each June: {10, 12, 13} vs {10, 11} -> +50%; May 2023: order 7 -> {11}
    assert (adv.value, adv.prior_value, adv.previous_value) == (3, 2, 1)
    assert adv.yoy == pytest.approx(0.5) and adv.pop == pytest.approx(2.0)
    orders = {v.name: v for v in compute(tables, "2023-Q2", NAMES)}["market_orders"]
    assert (orders.value, orders.prior_value, orders.yoy) == (5, 3, pytest.approx(2 / 3))
    gmv = got["market_gmv_fen"]
    assert (gmv.value, gmv.prior_value, gmv.yoy) == (110_000, 80_000, pytest.approx(0.375))
    assert isinstance(gmv.value, int)


def test_years_and_the_distinct_count(tables) -> None:
    # 2022 (UTC): orders 1, 2, 3, 9, 10 -> brands {10, 11, 12}; 2023: 4..8 -> {10, 11, 12, 13, 14}
    assert values(tables, "2022") == (3, 5, 175_000)
    assert values(tables, "2023") == (5, 5, 150_000)
    got = {v.name: v for v in compute(tables, "2022", NAMES)}
    assert got["market_orders"].prior_value is None and got["market_orders"].yoy is None  # 2021: no data


def test_days_of_the_platform_zone(tables) -> None:
    # Shanghai: order 6 (2023-06-30T16:30Z) is July 1; order 7 (15:59:59Z) is still May 31
    assert values(tables, "2023-06", SH) == (2, 2, 100_000)
    assert values(tables, "2023-07", SH) == (1, 1, 10_000)
    assert values(tables, "2023-05", SH) == (1, 1, 25_000)
    # order 9 (2022-03-31T16:00Z) starts Q2 2022 there: 1, 2, 3, 9 -> {10, 11, 12}
    assert values(tables, "2022-Q2", SH) == (3, 4, 105_000)
    assert values(tables, "2023-Q2", SH) == (4, 4, 140_000)
    # order 10 (2022-12-31T23:59:59Z) is 2023-01-01 07:59:59 there
    assert values(tables, "2022", SH) == (3, 4, 105_000)
    assert values(tables, "2023", SH) == (5, 6, 220_000)
    # the day boundary itself: the half-open range of local midnights
    assert values(tables, "2023-06-30..2023-06-30", SH) == (0, 0, 0)
    assert values(tables, "2023-07-01..2023-07-01", SH) == (1, 1, 10_000)
