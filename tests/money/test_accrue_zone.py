"""Business days are platform days (GUANGHE_TIMEZONE), and income comes from the ledger: ``export-income``
rebuilds exactly the rows ``accrue`` wrote, and they aggregate by channel, month and line."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from zoneinfo import ZoneInfo

from money_checks import NAMES, at, check_conservation, day, income, run, state
from money_platform import Platform

from guanghe.data.warehouse import open_warehouse
from guanghe.money.chart import check_program_codes
from guanghe.money.export import export_income

SHANGHAI = "Asia/Shanghai"


def platform(tmp_path) -> str:
    p = Platform().creator(1).work(10, 1, at("2023-04-01T10:00"))
    p.add("brand_orders", order_id=1, creator_id=1, price_fen=10_000, completed_at=at("2023-05-31T16:30"))
    p.add("brand_orders", order_id=2, creator_id=1, price_fen=20_000, completed_at=at("2023-05-31T15:59"))
    p.add("ecommerce_orders", order_id=1, creator_id=1, amount_fen=10_000, paid_at=at("2023-04-30T17:00"),
          delivered_at=at("2023-05-02T20:00"))  # fmt: skip
    return p.write(tmp_path / "wh.duckdb")


def test_days_are_platform_days(tmp_path, make_ledger):
    wh, ledger = platform(tmp_path), make_ledger()
    report = run(wh, ledger, day("2023-05-31"), zone=SHANGHAI)
    assert report.ok and report.channels["brand_deal"].events == 1  # order 1 completed on June 1 in Shanghai
    assert income(wh, SHANGHAI) == [
        (1, "affiliate", -100, day("2023-05-10"), "fee", None, "ecommerce_orders/1"),  # delivered 05-03 there
        (1, "affiliate", 1_000, day("2023-05-10"), "earning", None, "ecommerce_orders/1"),
        (1, "brand_deal", -1_000, day("2023-05-31"), "fee", None, "brand_orders/2"),
        (1, "brand_deal", 20_000, day("2023-05-31"), "earning", None, "brand_orders/2"),
    ]
    w = open_warehouse(wh)
    starts = {r["occurred_at"] for r in w.table("income").to_pyarrow().to_pylist()}
    w.close()
    assert starts == {datetime(2023, 5, 9, 16), datetime(2023, 5, 30, 16)}  # midnight in Shanghai, in UTC
    check_conservation(ledger, wh, SHANGHAI)


def test_export_income_rebuilds_the_rows_from_the_ledger(tmp_path, make_ledger):
    wh, ledger = platform(tmp_path), make_ledger()
    run(wh, ledger, day("2023-06-30"), zone=SHANGHAI)
    fresh = Platform().creator(1).write(tmp_path / "fresh.duckdb")
    names = check_program_codes(NAMES)
    for url, new in ((fresh, 6), (fresh, 0), (wh, 0)):  # into an empty table, again, and beside accrue's rows
        w = open_warehouse(url)
        try:
            result = export_income(ledger, w, ZoneInfo(SHANGHAI), names)
        finally:
            w.close()
        assert (result.rows, result.inserted, result.present, result.conflicts) == (6, new, 6 - new, 0)
        assert (
            result.scanned == 7
        )  # a hold, its post and the take, 2 brand orders x 2: all read, 6 are income
    assert income(fresh, SHANGHAI) == income(wh, SHANGHAI)
    by = defaultdict(int)  # the way the truth is aggregated: channel, month in the platform's zone, line
    for _, channel, amount, d, line, *_ in income(wh, SHANGHAI):
        by[(channel, d.strftime("%Y-%m"), line)] += amount
    assert dict(by) == {("affiliate", "2023-05", "earning"): 1_000, ("affiliate", "2023-05", "fee"): -100,
                        ("brand_deal", "2023-05", "earning"): 20_000, ("brand_deal", "2023-05", "fee"): -1_000,
                        ("brand_deal", "2023-06", "earning"): 10_000, ("brand_deal", "2023-06", "fee"): -500}  # fmt: skip


def test_a_changed_time_zone_is_refused_and_changes_nothing(tmp_path, make_ledger):
    """An order's steps have ids without a day, so another zone finds the same ids with other business days
    in user_data: exists_with_different_user_data, reported; nothing is paid twice."""
    wh, ledger = platform(tmp_path), make_ledger()
    run(wh, ledger, day("2023-06-30"), zone=SHANGHAI)
    before, rows = state(ledger), income(wh, SHANGHAI)
    again = run(wh, ledger, day("2023-06-30"), zone="UTC")
    assert not again.ok and again.channels["brand_deal"].new == 0
    refused = {(p.code, p.source_ref, p.result) for p in again.problems}
    assert ("brand_deal", "brand_orders/1", "exists_with_different_user_data") in refused  # 05-31 vs 06-01
    assert (
        "affiliate",
        "ecommerce_orders/1",
        "exists_with_different_user_data",
    ) in refused  # paid 04-30 vs 05-01
    assert state(ledger) == before and income(wh, SHANGHAI) == rows
