"""A hand-made storefront platform for the trust-badge tests: a few products, prices, orders and after-sales
requests whose badges on 2023-06-30 (and 2023-05-31) are worked out by hand in the tests.

Price window and merchant window: 30 days, so on 2023-06-30 they are 2023-06-01 … 2023-06-30.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pyarrow as pa

from guanghe.data.schema import TABLES
from guanghe.data.warehouse import Warehouse, open_warehouse

AS_OF = date(2023, 6, 30)
D, T = date.fromisoformat, datetime.fromisoformat

# merchants 11..17 sell (e-commerce creators); 18 does not
CREATORS = [(i, D("2022-01-01"), "east", "food", None, i != 18, False) for i in range(11, 19)]
PRODUCTS = [
    # product_id, merchant_id, sku_group, title, listed_on
    (1, 11, "a", None, D("2023-05-01")),
    (2, 12, "a", None, D("2023-05-01")),
    (13, 13, "a", None, D("2023-07-01")),  # listed after as_of: not on sale
    (3, 11, "b", None, D("2023-05-01")),
    (4, 13, "b", None, D("2023-05-01")),
    (5, 12, "c", None, D("2023-05-01")),
    (6, 13, "c", None, D("2023-05-01")),
    (7, 11, "d", None, D("2023-05-11")),
    (8, 12, "d", None, D("2023-06-10")),
    (10, 11, "e", None, D("2023-05-01")),
    (11, 12, "e", None, D("2023-05-01")),
    (12, 13, "f", None, D("2023-05-01")),
    (14, 16, "g", None, D("2023-05-01")),
    (15, 14, "h", None, D("2023-05-01")),
    (16, 15, "h", None, D("2023-05-01")),
    (17, 17, "h", None, D("2023-05-01")),
]
PRICES = [
    (1, D("2023-05-01"), 100),
    (1, D("2023-07-01"), 10),  # after as_of: ignored
    (2, D("2023-05-01"), 100),  # a: equal prices both count as "at or below"
    (13, D("2023-07-01"), 1),
    (3, D("2023-05-01"), 90),  # b: 90 last holds on 2023-05-31, the day before the window
    (3, D("2023-06-01"), 120),
    (4, D("2023-05-01"), 110),
    (5, D("2023-05-01"), 80),  # c: 80 still holds on 2023-06-01, the window's first day
    (5, D("2023-06-02"), 150),
    (6, D("2023-05-01"), 100),
    (7, D("2023-05-11"), 70),  # d: set 50 days before, still in effect
    (8, D("2023-06-10"), 70),
    (10, D("2023-05-01"), 100),  # e: the product's own cut to 50 does not count against it
    (10, D("2023-06-10"), 50),
    (10, D("2023-06-20"), 100),
    (11, D("2023-05-01"), 100),
    (12, D("2023-05-01"), 30),  # f, g: alone in the group
    (14, D("2023-05-01"), 40),
    (15, D("2023-05-01"), 500),
    (16, D("2023-05-01"), 500),
    (17, D("2023-05-01"), 500),
]
ORDERS = [
    (11, D("2023-05-31"), 100),  # the day before the window
    (11, D("2023-06-01"), 10),
    (11, D("2023-06-30"), 20),  # 30 orders: exactly the minimum
    (12, D("2023-06-15"), 29),  # one short
    (13, D("2023-06-10"), 40),
    (14, D("2023-06-05"), 300),
    (15, D("2023-06-05"), 300),
    (17, D("2023-06-10"), 100),
]
_N = [0]


def _req(
    merchant: int, product: int, kind: str, at: str, resolved: str | None, outcome: str = "approved"
) -> tuple:
    _N[0] += 1
    return (
        _N[0],
        merchant,
        product,
        kind,
        T(at),
        T(resolved) if resolved else None,
        outcome if resolved else None,
    )


AFTER_SALES = [
    _req(11, 1, "refund", "2023-06-01 00:00:00", "2023-06-01 05:00:00"),  # the window's first instant
    _req(11, 1, "refund", "2023-05-31 23:59:59", None),  # just before: not counted
    _req(13, 4, "refund", "2023-06-10 10:00:00", "2023-06-10 12:00:00"),
    _req(
        13, 4, "refund", "2023-06-10 10:00:00", "2023-06-10 12:00:00", "rejected"
    ),  # 2 / 40 = 5%: at most 5%
    _req(13, 6, "complaint", "2023-06-11 10:00:00", "2023-06-12 10:00:00"),  # 1 / 40 = 2.5% > 1%
    *(_req(14, 15, "refund", "2023-06-10 00:00:00", "2023-06-12 00:00:00") for _ in range(9)),  # exactly 48 h
    _req(14, 15, "refund", "2023-06-10 00:00:00", "2023-06-12 01:00:00"),  # 49 h: late
    _req(14, 15, "refund", "2023-06-30 10:00:00", None),  # open, not yet 48 h: not judged
    _req(14, 15, "refund", "2023-06-29 12:00:00", "2023-07-01 01:00:00"),  # resolved after as_of, < 48 h then
    *(_req(15, 16, "refund", "2023-06-10 00:00:00", "2023-06-11 00:00:00") for _ in range(9)),
    _req(15, 16, "refund", "2023-06-10 00:00:00", "2023-06-13 00:00:00"),  # 72 h: late
    _req(15, 16, "refund", "2023-06-27 00:00:00", "2023-07-02 00:00:00"),  # open past 48 h on as_of: late
    _req(17, 17, "refund", "2023-05-31 16:30:00", None),  # 2023-06-01 00:30 in Shanghai: open, overdue
    _req(17, 17, "refund", "2023-06-30 16:30:00", "2023-06-30 17:00:00"),  # 2023-07-01 00:30 in Shanghai
]

# (orders, refunds, complaints, refunds_judged, refunds_on_time, enough_orders, refund_rate_ok,
#  complaint_rate_ok, handling_ok, badge) on 2023-06-30, days in UTC
MERCHANTS_UTC = {
    11: (30, 1, 0, 1, 1, True, True, True, True, True),
    12: (29, 0, 0, 0, 0, False, True, True, True, False),
    13: (40, 2, 1, 2, 2, True, True, False, True, False),
    14: (300, 12, 0, 10, 9, True, True, True, True, True),
    15: (300, 11, 0, 11, 9, True, True, True, False, False),
    16: (0, 0, 0, 0, 0, False, True, True, True, False),
    17: (100, 1, 0, 1, 1, True, True, True, True, True),
}
# In Shanghai (UTC+8) the window starts 2023-05-31 16:00 UTC: merchant 11's request of 23:59:59 UTC counts
# (2 / 30 refunds, one of them open past 48 h); merchant 17's first request counts, its second does not.
MERCHANTS_SHANGHAI = {
    **MERCHANTS_UTC,
    11: (30, 2, 0, 2, 1, True, False, True, False, False),
    17: (100, 1, 0, 1, 0, True, True, True, False, False),
}
# product_id: (price_fen, comparable_min_fen, comparables, badge) on 2023-06-30
PRODUCTS_EXPECTED = {
    1: (100, 100, 1, True), 2: (100, 100, 1, True),
    3: (120, 110, 1, False), 4: (110, 120, 1, True),
    5: (150, 100, 1, False), 6: (100, 80, 1, False),
    7: (70, 70, 1, True), 8: (70, 70, 1, True),
    10: (100, 100, 1, True), 11: (100, 50, 1, False),
    12: (30, None, 0, False), 14: (40, None, 0, False),
    15: (500, 500, 2, True), 16: (500, 500, 2, True), 17: (500, 500, 2, True),
}  # fmt: skip


def _table(name: str, rows: list[tuple]) -> pa.Table:
    schema = TABLES[name].arrow_schema()
    return pa.table(
        {f.name: pa.array([r[i] for r in rows], f.type) for i, f in enumerate(schema)}, schema=schema
    )


def build(path: Path) -> Warehouse:
    """The platform in a new DuckDB file."""
    wh = open_warehouse(f"duckdb:///{path}", create=True)
    data = {"creators": CREATORS, "products": PRODUCTS, "product_prices": PRICES, "merchant_orders": ORDERS,
            "after_sales": AFTER_SALES}  # fmt: skip
    with wh.writer() as w:
        for name, rows in data.items():
            w.insert(name, _table(name, rows))
    return wh
