"""Balances by state and the accountants' monthly journal, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
from collections import Counter
from datetime import date

import pytest
from settle_book import PROGRAMS, RULES, Book, clean, june

from guanghe.ledger import LedgerStore
from guanghe.money.settle import Month, SettleError, balance, confirm, settle_month, write_journal
from guanghe.money.settle.markers import settled_months

pytest_plugins = ("settle_fixtures",)
D = date


def settle(ledger: LedgerStore, wh, month: str) -> None:
    settle_month(ledger, wh, RULES, Month.parse(month), D(2030, 1, 1), PROGRAMS)
    clean(ledger)


FIGS = (
    "pending",
    "pending_fees",
    "held",
    "available",
    "in_payout",
    "paid",
    "reversed",
    "fees",
    "mcn_share",
    "mcn_income",
    "withholding",
    "posted_balance",
)


def figures(ledger: LedgerStore, kind: str, payee: int) -> dict[str, int]:
    b = balance(ledger, kind, payee)
    assert b["held"] + b["available"] + b["in_payout"] == b["posted_balance"]
    return {k: b[k] for k in FIGS if b[k]}


def test_balance_by_state_through_settlement_and_payout(
    settle_ledger: LedgerStore, settle_wh, tmp_path
) -> None:
    ledger, wh = settle_ledger, settle_wh
    book = Book(ledger)
    june(book, wh)
    before = figures(ledger, "creator", 1)
    # nothing settled: every posting is held; the open hold is pending
    assert before == {
        "pending": 9_000,
        "held": 1_032_000 + 7_000,
        "fees": 68_000,
        "posted_balance": 1_039_000,
    }
    settle(ledger, wh, "2023-06")
    assert figures(ledger, "creator", 1) == {
        "pending": 9_000,
        "held": 7_000,
        "in_payout": 824_040,
        "fees": 68_000,
        "mcn_share": 51_000,
        "withholding": 156_960,
        "posted_balance": 831_040,
    }
    assert figures(ledger, "creator", 3) == {"available": -3_000, "reversed": 8_000, "posted_balance": -3_000}
    assert figures(ledger, "mcn", 900) == {
        "in_payout": 51_000,
        "mcn_income": 51_000,
        "posted_balance": 51_000,
    }
    st = {s["payee_id"]: s["payout_id"] for s in wh.table("money_statements").to_pyarrow().to_pylist()}
    f = tmp_path / "r.csv"
    f.write_text(f"payout_id,status,bank_reference,reason\n{st[1]},paid,B1,\n{st[900]},failed,,closed\n")
    confirm(ledger, wh, f)
    assert figures(ledger, "creator", 1) == {
        "pending": 9_000,
        "held": 7_000,
        "paid": 824_040,
        "fees": 68_000,
        "mcn_share": 51_000,
        "withholding": 156_960,
        "posted_balance": 7_000,
    }
    assert figures(ledger, "mcn", 900) == {
        "available": 51_000,
        "mcn_income": 51_000,
        "posted_balance": 51_000,
    }
    b = balance(ledger, "creator", 1)
    states = Counter(t["state"] for t in b["transfers"])
    assert states == {
        "settled 2023-06": 8,
        "pending": 1,
        "held": 1,
        "posted": 1,
        "mcn_share": 1,
        "withholding": 1,
        "paid": 2,
    }
    by_state = Counter()
    for t in b["transfers"]:
        by_state[t["state"]] += t["amount_fen"]
    assert by_state["held"] == b["held"] and by_state["pending"] == b["pending"]
    assert -by_state["paid"] == 2 * b["paid"]  # the hold and its post both name the money paid
    with pytest.raises(SettleError, match="creator 77 has no account"):
        balance(ledger, "creator", 77)


def test_voided_hold_is_reversed(settle_ledger: LedgerStore) -> None:
    book = Book(settle_ledger)
    h = book.hold(5, 4_000, D(2023, 6, 1))
    book.void(h, D(2023, 6, 8))
    book.earn(5, "affiliate", 1_000, D(2023, 6, 2))
    book.clawback(5, "affiliate_clawback", 300, D(2023, 6, 9))
    assert figures(settle_ledger, "creator", 5) == {"held": 700, "reversed": 4_300, "posted_balance": 700}


def journal_ids(ledger: LedgerStore, month: str, tmp) -> list[dict[str, str]]:
    out = tmp / f"journal-{month}.csv"
    write_journal(ledger, Month.parse(month), out, PROGRAMS)
    with out.open() as f:
        return list(csv.DictReader(f))


def test_journal_partitions_the_ledger(settle_ledger: LedgerStore, settle_wh, tmp_path) -> None:
    ledger, wh = settle_ledger, settle_wh
    book = Book(ledger)
    june(book, wh)
    with pytest.raises(SettleError, match="2023-06 is not settled: its journal is not final"):
        journal_ids(ledger, "2023-06", tmp_path)
    settle(ledger, wh, "2023-06")
    jun = journal_ids(ledger, "2023-06", tmp_path)
    st = {s["payee_id"]: s["payout_id"] for s in wh.table("money_statements").to_pyarrow().to_pylist()}
    f = tmp_path / "r.csv"
    f.write_text(f"payout_id,status,bank_reference,reason\n{st[1]},paid,B1,\n{st[900]},failed,,closed\n")
    confirm(ledger, wh, f)
    book.earn(1, "brand_deal", 40_000, D(2023, 6, 10))  # late
    book.earn(2, "ad_share", 5_000, D(2023, 7, 3))
    book.earn(2, "ad_share", 1_000, D(2023, 8, 3))  # next month's, booked before July's cutoff
    settle(ledger, wh, "2023-07")
    jul = journal_ids(ledger, "2023-07", tmp_path)
    # each transfer booked by July's settlement is in exactly one journal (markers left out); the August
    # posting in none yet
    july = settled_months(ledger)[Month.parse("2023-07")]
    every = [t for t in ledger.scan_transfers(0, 100_000, until=july.done_at) if t.code != 991]
    aug = [t for t in every if t.user_data >> 104 == (D(2023, 8, 3) - D(1970, 1, 1)).days]
    ids = Counter(r["transfer_id"] for r in jun + jul)
    assert max(ids.values()) == 1
    assert set(ids) == {f"{t.id:032x}" for t in every} - {f"{t.id:032x}" for t in aug}
    june_rows = {r["code"]: r for r in jun}
    assert "payout_to_bank" not in june_rows and june_rows["withholding"]["amount_fen"] == "156960"
    assert june_rows["withholding"]["debit_account"] == "creator_payable:1"
    assert june_rows["withholding"]["credit_account"] == "withholding_tax:0"
    assert june_rows["brand_fee"]["credit_account"] == "platform_revenue:brand_deal"
    ad = [
        (r["date"], r["debit_account"], r["credit_account"], r["amount_fen"], r["program"], r["state"])
        for r in jun
        if r["code"] == "ad_share"
    ]
    assert ad == [
        ("2023-06-03", "ad_pool:0", "creator_payable:1", "300000", "guanghe", "posted"),
        ("2023-06-10", "ad_pool:0", "creator_payable:2", "6000", "", "posted"),
    ]
    assert {r["kind"] for r in jun} == {"transfer", "hold", "post"}
    july_codes = Counter(r["code"] for r in jul)
    assert (
        july_codes["payout_to_bank"] == 1 and july_codes["payout"] == 2 + 3
    )  # post, void; new payouts of creators 1, 2 and MCN 900
    late = [r for r in jul if r["code"] == "brand_deal"]
    assert [(r["date"], r["amount"]) for r in late] == [("2023-06-10", "400.00")]
