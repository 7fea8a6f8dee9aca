"""The badges of the hand-made storefronts (badges_platform.py) against values worked out by hand: equal prices,
the price window's edges, a product's own past prices, groups of one, the minimum orders, rates at their limit,
refund handling at exactly 48 hours, requests still open, and days counted in the platform's zone."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import pytest
from badges_platform import AS_OF, MERCHANTS_SHANGHAI, MERCHANTS_UTC, PRODUCTS_EXPECTED, build

from guanghe.growth.badge_compute import merchant_badges, price_badges
from guanghe.growth.badge_rules import RULES_FILE, load_badge_rules

RULES = load_badge_rules(RULES_FILE)
MERCHANT_COLS = ("orders", "refunds", "complaints", "refunds_judged", "refunds_on_time", "enough_orders",
                 "refund_rate_ok", "complaint_rate_ok", "handling_ok", "badge")  # fmt: skip


@pytest.fixture(scope="module")
def wh(tmp_path_factory: pytest.TempPathFactory):
    w = build(tmp_path_factory.mktemp("badges") / "shop.duckdb")
    yield w
    w.close()


def _products(wh, as_of: date, window_days: int = 30) -> dict[int, tuple]:
    rule = RULES.price.__class__(window_days)
    rows = wh.fetch(price_badges(wh.tables(), as_of, rule)).to_pylist()
    assert all(r["as_of"] == as_of for r in rows)
    return {
        r["product_id"]: (r["price_fen"], r["comparable_min_fen"], r["comparables"], r["badge"]) for r in rows
    }


def test_price_compare_on_the_day(wh) -> None:
    assert _products(wh, AS_OF) == PRODUCTS_EXPECTED


def test_price_compare_a_month_earlier(wh) -> None:
    """On 2023-05-31 (window 05-02 … 05-31): product 3 still costs 90 and undercuts product 4; product 8 is not
    listed yet, so product 7 has nothing to compare with; 5 (80) undercuts 6 (100)."""
    got = _products(wh, date(2023, 5, 31))
    assert got[3] == (90, 110, 1, True) and got[4] == (110, 90, 1, False)
    assert got[7] == (70, None, 0, False) and 8 not in got
    assert got[5] == (80, 100, 1, True) and got[6] == (100, 80, 1, False)
    assert 13 not in got


def test_a_one_day_window_compares_current_prices_only(wh) -> None:
    """With window_days = 1 only the prices on the day count: product 6 (100) now beats product 5 (150), and
    product 11 ties product 10 — the cuts earlier in the month no longer count."""
    got = _products(wh, AS_OF, window_days=1)
    assert got[6] == (100, 150, 1, True) and got[5] == (150, 100, 1, False)
    assert got[11] == (100, 100, 1, True) and got[10] == (100, 100, 1, True)


@pytest.mark.parametrize(
    ("zone", "expected"), [("UTC", MERCHANTS_UTC), ("Asia/Shanghai", MERCHANTS_SHANGHAI)]
)
def test_trusted_purchase(wh, zone: str, expected: dict) -> None:
    rows = wh.fetch(merchant_badges(wh.tables(), AS_OF, RULES.merchant, ZoneInfo(zone))).to_pylist()
    got = {r["merchant_id"]: tuple(r[c] for c in MERCHANT_COLS) for r in rows}
    assert got == expected


def test_stricter_rules_change_the_verdicts(wh) -> None:
    """min_orders 31 drops merchant 11 (30 orders); a 4% refund limit drops 13 (5%) and 14 (4% is still ok)."""
    m = RULES.merchant
    stricter = m.__class__(
        m.window_days, 31, 400, m.max_complaint_rate_bps, m.refund_hours, m.min_on_time_bps
    )
    rows = wh.fetch(merchant_badges(wh.tables(), AS_OF, stricter)).to_pylist()
    got = {r["merchant_id"]: (r["enough_orders"], r["refund_rate_ok"], r["badge"]) for r in rows}
    assert got[11] == (False, True, False)
    assert got[13] == (True, False, False)
    assert got[14] == (True, True, True)  # 12 / 300 = 4%: at the limit
    assert got[17] == (True, True, True)
