"""Marketplace money joins the other channels' (on SQLite and PostgreSQL ledgers, a DuckDB warehouse): a
completed order and a resolved dispute are brand_deal earnings and fees in the month's statement, the MCN
share is taken at settlement per contract, and ``export_income`` writes their income rows."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pyarrow as pa
from order_world import CREATOR, MCN, PROGRAM_NAMES, World

from guanghe.data.money_schema import MCN_CONTRACTS
from guanghe.data.warehouse import open_warehouse
from guanghe.ledger.reconcile import reconcile
from guanghe.money.chart import check_program_codes
from guanghe.money.export import export_income
from guanghe.money.settle import Month, read_statement, settle_month
from guanghe.money.settle.rules import load_settlement

PROGRAMS = check_program_codes(PROGRAM_NAMES)


def test_orders_settle_and_export_like_every_channel(world: World, tmp_path: Path) -> None:
    m = world.m
    done = world.drive("accept", "fund", "deliver", "accept", programs=("xiaomai",))  # 100,000, fee 2,000
    split = world.drive(
        "accept", "fund", "deliver", "dispute", "resolve", price=50_000, programs=("xiaomai",)
    )
    cancelled = world.drive("accept", "fund", "cancel")  # nothing for anyone
    assert reconcile(m.ledger).ok
    with open_warehouse(f"duckdb:///{tmp_path / 'wh.duckdb'}", create=True) as wh:
        contract = {"contract_id": [1], "creator_id": [CREATOR], "mcn_id": [MCN], "share_bps": [2_000],
                    "start_date": [date(2023, 1, 1)], "end_date": [None]}  # fmt: skip
        with wh.writer() as w:
            w.merge("mcn_contracts", pa.table(contract, schema=MCN_CONTRACTS.arrow_schema()))
        result = settle_month(
            m.ledger, wh, load_settlement(), Month.parse("2023-06"), date(2030, 1, 1), PROGRAMS
        )
        # earnings: 100,000 + 60 % of 50,000 = 130,000; fees: 2,000 + 2 % of 30,000 = 2,600
        assert (result.earnings_fen, result.fees_fen, result.net_income_fen) == (130_000, -2_600, 127_400)
        statement = read_statement(wh, Month.parse("2023-06"), "creator", CREATOR)
        lines = {r["line_id"]: r["amount_fen"] for r in statement["lines"]}
        assert lines["earning/brand_deal/-/2023-06"] == 130_000
        assert lines["fee/brand_deal/xiaomai/2023-06"] == -2_600
        assert lines["mcn_share/1"] == -25_480  # floor(20 % x 127,400), taken at settlement like any channel
        mcn = {
            r["line_id"]: r["amount_fen"]
            for r in read_statement(wh, Month.parse("2023-06"), "mcn", MCN)["lines"]
        }
        assert mcn == {"mcn_income/1": 25_480}
        exported = export_income(m.ledger, wh, ZoneInfo("UTC"), PROGRAMS)
        assert exported.inserted == 4 and export_income(m.ledger, wh, ZoneInfo("UTC"), PROGRAMS).inserted == 0
        income = wh.table("income").to_pyarrow().to_pylist()
        got = sorted(
            (r["source_ref"], r["channel"], r["line"], r["amount_fen"], r["program"]) for r in income
        )
        assert got == sorted([
            (f"market_orders/{done}", "brand_deal", "earning", 100_000, None),
            (f"market_orders/{done}", "brand_deal", "fee", -2_000, "xiaomai"),
            (f"market_orders/{split}", "brand_deal", "earning", 30_000, None),
            (f"market_orders/{split}", "brand_deal", "fee", -600, "xiaomai"),
        ])  # fmt: skip
        assert {r["creator_id"] for r in income} == {CREATOR} and all(
            r["occurred_at"].date() == date(2023, 6, 1) for r in income
        )
        assert not any(str(cancelled) == r["source_ref"].split("/")[1] for r in income)
    assert reconcile(m.ledger).ok
