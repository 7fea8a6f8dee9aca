"""Bank batch, the bank's result file and receipts, on SQLite and PostgreSQL: paid posts the payout and moves
it to the bank, failed voids it; a file applied twice changes nothing; a bad line is an error naming
file:line and nothing of its file is applied."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from settle_book import PROGRAMS, RULES, Book, clean, june

from guanghe.ledger import LedgerStore
from guanghe.money.chart import Kind, account_id
from guanghe.money.settle import ConfirmError, Month, SettleError, confirm, receipt, settle_month, write_batch
from guanghe.money.settle.confirm import bank_id, post_id, void_id
from guanghe.money.settle.rows import utc

pytest_plugins = ("settle_fixtures",)
JUNE = Month.parse("2023-06")
HEADER = "payout_id,status,bank_reference,reason\n"


def settled_june(ledger: LedgerStore, wh) -> tuple[str, str]:
    june(Book(ledger), wh)
    settle_month(ledger, wh, RULES, JUNE, date(2030, 1, 1), PROGRAMS)
    st = wh.table("money_statements").to_pyarrow().to_pylist()
    ids = {(s["payee_kind"], s["payee_id"]): s["payout_id"] for s in st}
    return ids[("creator", 1)], ids[("mcn", 900)]


def result_file(tmp: Path, name: str, *lines: str) -> Path:
    f = tmp / name
    f.write_text(HEADER + "".join(f"{ln}\n" for ln in lines))
    return f


def test_bank_batch(settle_ledger: LedgerStore, settle_wh, tmp_path) -> None:
    ledger, wh = settle_ledger, settle_wh
    with pytest.raises(SettleError, match="2023-06 is not settled"):
        write_batch(ledger, JUNE, RULES, tmp_path / "b.csv")
    c1, mcn = settled_june(ledger, wh)
    out = tmp_path / "batch.csv"
    b = write_batch(ledger, JUNE, RULES, out)
    assert (b.payouts, b.amount_fen, b.creators, b.mcns, b.value_date) == (2, 875_040, 1, 1, "2023-07-15")
    assert out.read_text().splitlines() == [
        "payout_id,payee_kind,payee_id,amount_fen,amount,currency,value_date,statement_ref,remark",
        f"{c1},creator,1,824040,8240.40,CNY,2023-07-15,2023-06/creator/1,月度结算 2023-06",
        f"{mcn},mcn,900,51000,510.00,CNY,2023-07-15,2023-06/mcn/900,月度结算 2023-06",
    ]
    confirm(ledger, wh, result_file(tmp_path, "r.csv", f"{c1},paid,BK1,"))
    write_batch(ledger, JUNE, RULES, out)  # a confirmed payout is never sent again
    assert out.read_text().splitlines()[1:] == [
        f"{mcn},mcn,900,51000,510.00,CNY,2023-07-15,2023-06/mcn/900,月度结算 2023-06"
    ]


def test_confirm_paid_and_failed_then_again(settle_ledger: LedgerStore, settle_wh, tmp_path) -> None:
    ledger, wh = settle_ledger, settle_wh
    c1, mcn = settled_june(ledger, wh)
    f = result_file(tmp_path, "r.csv", f"{c1},paid,BK-778,", f"{mcn},failed,,account closed")
    r = confirm(ledger, wh, f)
    assert (r.paid, r.failed, r.already, r.paid_fen, r.failed_fen) == (1, 1, 0, 824_040, 51_000)
    clean(ledger)
    clearing, bank = (ledger.lookup_accounts([account_id(k)])[0] for k in (Kind.PAYOUT_CLEARING, Kind.BANK))
    assert (clearing.credits_pending, clearing.credits_posted, clearing.debits_posted) == (
        0,
        824_040,
        824_040,
    )
    assert bank.credits_posted == 824_040
    creator = ledger.lookup_accounts([account_id(Kind.CREATOR_PAYABLE, 1)])[0]
    agency = ledger.lookup_accounts([account_id(Kind.MCN_PAYABLE, 900)])[0]
    assert (creator.debits_pending, agency.debits_pending, agency.credits_posted - agency.debits_posted) == (
        0,
        0,
        51_000,
    )
    states = {p.id: p.status for p in ledger.lookup_pending([int(c1, 16), int(mcn, 16)])}
    assert states == {int(c1, 16): "posted", int(mcn, 16): "voided"}
    ts = {t.id: t.timestamp for t in ledger.lookup_transfers([post_id(int(c1, 16)), void_id(int(mcn, 16))])}
    rows = {(p["payout_id"], p["status"]): p for p in wh.table("payouts").to_pyarrow().to_pylist()}
    paid, failed = rows[(c1, "paid")], rows[(mcn, "failed")]
    assert (paid["amount_fen"], paid["withholding_fen"], paid["bank_ref"], paid["month"]) == (
        824_040,
        156_960,
        "BK-778",
        "2023-06",
    )
    assert paid["updated_at"] == utc(ts[post_id(int(c1, 16))])
    assert (failed["reason"], failed["bank_ref"], failed["updated_at"]) == (
        "account closed",
        None,
        utc(ts[void_id(int(mcn, 16))]),
    )
    assert len(rows) == 4  # in_payout and the result, for each payout
    # the same file again: nothing changes anywhere
    last, n = ledger.last_timestamp(), wh.count("payouts")
    again = confirm(ledger, wh, f)
    assert (again.paid, again.failed, again.already) == (1, 1, 2)
    assert (ledger.last_timestamp(), wh.count("payouts")) == (last, n)
    assert ledger.lookup_transfers([bank_id(int(c1, 16))])[0].amount == 824_040
    clean(ledger)


def test_bad_result_files_apply_nothing(settle_ledger: LedgerStore, settle_wh, tmp_path) -> None:
    ledger, wh = settle_ledger, settle_wh
    c1, mcn = settled_june(ledger, wh)
    last = ledger.last_timestamp()

    def errors(*lines: str, header: str = HEADER) -> list[str]:
        f = tmp_path / "bad.csv"
        f.write_text(header + "".join(f"{ln}\n" for ln in lines))
        with pytest.raises(ConfirmError) as e:
            confirm(ledger, wh, f)
        assert ledger.last_timestamp() == last  # nothing applied
        return [str(i) for i in e.value.issues]

    f = str(tmp_path / "bad.csv")
    unknown = "0" * 31 + "1"
    assert errors(f"{c1},paid,BK1,", f"{unknown},paid,BK2,") == [
        f"{f}:3: payout_id: unknown payout {unknown}"
    ]
    assert errors(f"{c1},paid,BK1,", f"{mcn},settled,BK2,") == [
        f"{f}:3: status: expected paid or failed, got 'settled'"
    ]
    assert errors(f"{c1},paid,,") == [
        f"{f}:2: bank_reference: missing; a paid payout needs the bank's reference"
    ]
    assert errors(f"{c1},paid,BK1,", f"{c1},failed,,x") == [
        f"{f}:3: payout_id: payout {c1} is already on line 2"
    ]
    assert errors("xyz,paid,BK1,") == [f"{f}:2: payout_id: expected a payout id of 32 hex digits, got 'xyz'"]
    assert errors(f"{c1},paid", "") == [
        f"{f}:2: expected 4 fields (payout_id,status,bank_reference,reason), got 2"
    ]
    assert errors(f"{c1},paid,BK1,", header="id,status\n") == [
        f"{f}:1: expected the header payout_id,status,bank_reference,reason"
    ]
    # a result contradicting an earlier one
    confirm(ledger, wh, result_file(tmp_path, "ok.csv", f"{c1},paid,BK1,"))
    last = ledger.last_timestamp()
    assert errors(f"{mcn},paid,BK9,", f"{c1},failed,,bounced") == [
        f"{f}:3: status: payout {c1} was confirmed paid before"
    ]
    assert errors(f"{c1},paid,BK2,") == [
        f"{f}:2: bank_reference: payout {c1} was confirmed paid with bank reference 'BK1' and reason ''"
    ]
    assert ledger.lookup_pending([int(mcn, 16)])[0].status == "pending"  # its good line was not applied
    clean(ledger)


def test_receipts(settle_ledger: LedgerStore, settle_wh, tmp_path) -> None:
    ledger, wh = settle_ledger, settle_wh
    c1, mcn = settled_june(ledger, wh)
    r = receipt(ledger, wh, c1)
    assert {
        k: r[k]
        for k in (
            "payee_kind",
            "payee_id",
            "period",
            "gross_fen",
            "fees_fen",
            "clawbacks_fen",
            "mcn_share_fen",
            "withholding_fen",
            "carried_forward_fen",
            "net_fen",
            "status",
            "bank_reference",
        )
    } == {
        "payee_kind": "creator",
        "payee_id": 1,
        "period": "2023-06",
        "gross_fen": 1_100_000,
        "fees_fen": -68_000,
        "clawbacks_fen": 0,
        "mcn_share_fen": -51_000,
        "withholding_fen": -156_960,
        "carried_forward_fen": 0,
        "net_fen": 824_040,
        "status": "in_payout",
        "bank_reference": None,
    }
    parts = (
        "gross_fen",
        "fees_fen",
        "clawbacks_fen",
        "other_fen",
        "mcn_income_fen",
        "mcn_share_fen",
        "withholding_fen",
        "carried_forward_fen",
    )
    assert sum(r[k] for k in parts) == r["net_fen"]
    confirm(ledger, wh, result_file(tmp_path, "r.csv", f"{c1},paid,BK-5,", f"{mcn},failed,,closed"))
    assert (receipt(ledger, wh, c1)["status"], receipt(ledger, wh, c1)["bank_reference"]) == ("paid", "BK-5")
    m = receipt(ledger, wh, mcn)
    assert (m["payee_kind"], m["mcn_income_fen"], m["net_fen"], m["status"], m["reason"]) == (
        "mcn",
        51_000,
        51_000,
        "failed",
        "closed",
    )
    with pytest.raises(SettleError, match="unknown payout"):
        receipt(ledger, wh, "0" * 32)
    with pytest.raises(SettleError, match="expected 32 hex digits"):
        receipt(ledger, wh, "12")
