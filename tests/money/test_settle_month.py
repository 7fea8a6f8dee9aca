"""Monthly settlement on hand-made ledgers, on SQLite and PostgreSQL: statements hand-computed line by line,
lines equal to the payables' ledger movement (an independent row-by-row reference), MCN shares with a
contract ending mid-month, withholding, threshold and carried balances, late postings, a refund after the
payout recovered the month after, a failed payout carried forward, reruns identical, months in order."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest
from settle_book import PROGRAMS, RULES, Book, clean, june

from guanghe.ledger import LedgerStore
from guanghe.money.chart import Kind, account_id, parse_account
from guanghe.money.codes import BY_VALUE
from guanghe.money.ids import day_number
from guanghe.money.settle import Month, SettleError, read_statement, settle_month
from guanghe.money.settle.confirm import confirm
from guanghe.money.settle.markers import settled_months, write_cutoff

pytest_plugins = ("settle_fixtures",)
LATER = date(2030, 1, 1)
D = date


def settle(ledger: LedgerStore, wh, month: str, today: date = LATER):
    result = settle_month(ledger, wh, RULES, Month.parse(month), today, PROGRAMS)
    clean(ledger)
    return result


def lines_of(wh, month: str, kind: str, payee: int) -> dict[str, int]:
    return {
        r["line_id"]: r["amount_fen"] for r in read_statement(wh, Month.parse(month), kind, payee)["lines"]
    }


def head(wh, month: str, kind: str, payee: int) -> dict:
    return read_statement(wh, Month.parse(month), kind, payee)["statement"]


def reference_movement(ledger: LedgerStore) -> dict[tuple[str, str, int], int]:
    """(month, payee kind, id) -> what the month's statement must add up to, computed row by row from the
    ledger: postings by the first settled month whose last day >= their day and cutoff >= their time, plus
    the month's own MCN-share and withholding transfers (business day = the month's last day)."""
    marks = sorted(settled_months(ledger).values(), key=lambda m: m.month)
    out: dict[tuple[str, str, int], int] = defaultdict(int)
    after = 0
    while page := ledger.scan_transfers(after, 10_000):
        after = page[-1].timestamp
        for t in page:
            c = BY_VALUE.get(t.code)
            if t.flags & (2 | 8) or c is None or c.name in ("payout", "payout_to_bank", "settlement_mark"):
                continue
            day = t.user_data >> 104
            for account, sign in ((t.credit_account_id, 1), (t.debit_account_id, -1)):
                kind, entity, _ = parse_account(account)
                if kind not in (Kind.CREATOR_PAYABLE, Kind.MCN_PAYABLE):
                    continue
                payee = ("mcn" if kind == Kind.MCN_PAYABLE else "creator", entity)
                if c.name in ("mcn_share", "withholding"):
                    month = next(m for m in marks if day_number(m.month.last) == day)
                else:
                    month = next(
                        (m for m in marks if day <= day_number(m.month.last) and t.timestamp <= m.cutoff),
                        None,
                    )
                    if month is None:
                        continue
                out[(str(month.month), *payee)] += sign * t.amount
    return dict(out)


def check_against_ledger(ledger: LedgerStore, wh) -> None:
    """Every statement: lines sum to available - carried forward, and to the reference movement."""
    ref = reference_movement(ledger)
    stored = wh.table("money_statements").to_pyarrow().to_pylist()
    sums: dict[tuple[str, str, int], int] = defaultdict(int)
    for r in wh.table("money_statement_lines").to_pyarrow().to_pylist():
        sums[(r["month"], r["payee_kind"], r["payee_id"])] += r["amount_fen"]
    for s in stored:
        k = (s["month"], s["payee_kind"], s["payee_id"])
        assert sums.get(k, 0) == s["available_fen"] - s["carried_forward_fen"], k
        assert sums.get(k, 0) == ref.get(k, 0), k
    assert {k for k, v in ref.items() if v} <= {(s["month"], s["payee_kind"], s["payee_id"]) for s in stored}


def test_june_statements_hand_computed(settle_ledger: LedgerStore, settle_wh) -> None:
    ledger, wh = settle_ledger, settle_wh
    june(Book(ledger), wh)
    r = settle(ledger, wh, "2023-06")
    # creator 1: net 1,032,000; MCN 10% of the 510,000 earned up to 06-15; tax on 981,000: 784,800 x 20%
    assert lines_of(wh, "2023-06", "creator", 1) == {
        "earning/ad_share/guanghe/2023-06": 320_000,
        "earning/brand_deal/-/2023-06": 200_000,
        "earning/affiliate/-/2023-06": 550_000,
        "earning/local_life/-/2023-06": 30_000,
        "fee/brand_deal/-/2023-06": -10_000,
        "fee/affiliate/-/2023-06": -55_000,
        "fee/local_life/-/2023-06": -3_000,
        "mcn_share/1": -51_000,
        "withholding": -156_960,
    }
    h = head(wh, "2023-06", "creator", 1)
    assert (
        h["carried_forward_fen"],
        h["earnings_fen"],
        h["fees_fen"],
        h["net_income_fen"],
        h["mcn_share_fen"],
        h["withholding_fen"],
        h["available_fen"],
        h["payout_fen"],
        h["carried_to_next_fen"],
        h["held_fen"],
        h["postings"],
    ) == (0, 1_100_000, -68_000, 1_032_000, 51_000, 156_960, 824_040, 824_040, 0, 7_000, 8)
    assert lines_of(wh, "2023-06", "mcn", 900) == {"mcn_income/1": 51_000}
    m = head(wh, "2023-06", "mcn", 900)
    assert (m["mcn_income_fen"], m["withholding_fen"], m["payout_fen"]) == (51_000, 0, 51_000)
    c2 = head(wh, "2023-06", "creator", 2)  # below the threshold: carried
    assert (c2["available_fen"], c2["payout_fen"], c2["carried_to_next_fen"], c2["payout_id"]) == (
        6_000,
        0,
        6_000,
        None,
    )
    c3 = head(wh, "2023-06", "creator", 3)  # a net loss: no tax, negative carried
    assert (c3["net_income_fen"], c3["withholding_fen"], c3["available_fen"], c3["payout_fen"]) == (
        -3_000,
        0,
        -3_000,
        0,
    )
    assert (r.statements, r.creators, r.mcns, r.payouts, r.payout_fen) == (4, 3, 1, 2, 824_040 + 51_000)
    assert (r.withholding_fen, r.mcn_share_fen, r.carried_negative, r.carried_fen) == (
        156_960,
        51_000,
        1,
        3_000,
    )
    # the month's totals: creator 1's 9,000 still in its return window is pending at the cutoff
    assert (r.pending_fen, r.pending_creators) == (9_000, 1)
    (month_row,) = wh.table("money_months").to_pyarrow().to_pylist()
    assert {k: month_row[k] for k in ("month", "statements", "payouts", "payout_fen", "withholding_fen",
                                      "mcn_share_fen", "net_income_fen", "pending_fen", "pending_creators")} == {
        "month": "2023-06", "statements": 4, "payouts": 2, "payout_fen": 875_040, "withholding_fen": 156_960,
        "mcn_share_fen": 51_000, "net_income_fen": 1_032_000 + 6_000 - 3_000, "pending_fen": 9_000,
        "pending_creators": 1,
    }  # fmt: skip
    payouts = {(p["payee_kind"], p["payee_id"]): p for p in wh.table("payouts").to_pyarrow().to_pylist()}
    assert {k: (p["amount_fen"], p["withholding_fen"], p["status"]) for k, p in payouts.items()} == {
        ("creator", 1): (824_040, 156_960, "in_payout"),
        ("mcn", 900): (51_000, 0, "in_payout"),
    }
    assert payouts[("creator", 1)]["payout_id"] == h["payout_id"]
    # on the ledger: the payout is pending to clearing, the share and the tax are posted
    creator = ledger.lookup_accounts([account_id(Kind.CREATOR_PAYABLE, 1)])[0]
    assert creator.debits_pending == 824_040 and creator.credits_pending == 9_000
    assert ledger.lookup_accounts([account_id(Kind.WITHHOLDING_TAX)])[0].credits_posted == 156_960
    assert ledger.lookup_accounts([account_id(Kind.PAYOUT_CLEARING)])[0].credits_pending == 824_040 + 51_000
    check_against_ledger(ledger, wh)


def paid_and_failed(
    tmp: Path, ledger: LedgerStore, wh, month: str, paid: list[str], failed: list[str]
) -> None:
    f = tmp / f"result-{month}.csv"
    rows = [f"{p},paid,B{p[:6]}," for p in paid] + [f"{p},failed,,account closed" for p in failed]
    f.write_text("payout_id,status,bank_reference,reason\n" + "\n".join(rows) + "\n")
    confirm(ledger, wh, f)
    clean(ledger)


def test_three_months_carry_refund_failed_payout_and_late_postings(
    settle_ledger: LedgerStore, settle_wh, tmp_path
) -> None:
    ledger, wh = settle_ledger, settle_wh
    book = Book(ledger)
    june(book, wh)
    settle(ledger, wh, "2023-06")
    c1, mcn = head(wh, "2023-06", "creator", 1)["payout_id"], head(wh, "2023-06", "mcn", 900)["payout_id"]
    paid_and_failed(tmp_path, ledger, wh, "2023-06", [c1], [mcn])
    # July: a late June posting inside the contract, a refund after the payout (clawback), small earnings
    book.earn(1, "brand_deal", 40_000, D(2023, 6, 10))
    book.clawback(1, "affiliate_clawback", 500_000, D(2023, 7, 5))
    book.earn(2, "ad_share", 5_000, D(2023, 7, 3))
    book.earn(2, "ad_share", 100_000, D(2023, 7, 20))  # the second contract (5%, from 07-01) takes its share
    book.earn(3, "task_reward", 2_000, D(2023, 7, 9))
    settle(ledger, wh, "2023-07")
    assert lines_of(wh, "2023-07", "creator", 1) == {
        "earning/ad_share/-/2023-07": 7_000,  # held in June's statement (a July day)
        "earning/brand_deal/-/2023-06": 40_000,  # late: its own month
        "clawback/affiliate/-/2023-07": -500_000,
        "mcn_share/1": -4_000,
    }
    late = [r for r in read_statement(wh, Month.parse("2023-07"), "creator", 1)["lines"] if r["late"]]
    assert [r["line_id"] for r in late] == ["earning/brand_deal/-/2023-06"]
    h = head(wh, "2023-07", "creator", 1)
    assert (
        h["carried_forward_fen"],
        h["net_income_fen"],
        h["withholding_fen"],
        h["available_fen"],
        h["payout_fen"],
        h["carried_to_next_fen"],
    ) == (0, -453_000, 0, -457_000, 0, -457_000)
    m = head(wh, "2023-07", "mcn", 900)  # the failed June payout came back: carried forward, paid again
    assert (m["carried_forward_fen"], m["mcn_income_fen"], m["available_fen"], m["payout_fen"]) == (
        51_000,
        4_000,
        55_000,
        55_000,
    )
    c2 = head(wh, "2023-07", "creator", 2)  # 6,000 carried + 105,000 - 5% of 105,000 - tax on 99,750
    assert (c2["carried_forward_fen"], c2["mcn_share_fen"], c2["withholding_fen"], c2["payout_fen"]) == (
        6_000,
        5_250,
        3_950,
        6_000 + 105_000 - 5_250 - 3_950,
    )
    assert lines_of(wh, "2023-07", "mcn", 901) == {"mcn_income/2": 5_250}
    c3 = head(wh, "2023-07", "creator", 3)
    assert (c3["carried_forward_fen"], c3["available_fen"], c3["payout_fen"]) == (-3_000, -1_000, 0)
    # August: creator 1 earns again; the negative balance is recovered before anything is paid
    book.earn(1, "ad_share", 600_000, D(2023, 8, 10))
    settle(ledger, wh, "2023-08")
    h = head(wh, "2023-08", "creator", 1)
    assert (h["carried_forward_fen"], h["withholding_fen"], h["available_fen"], h["payout_fen"]) == (
        -457_000,
        96_000,
        47_000,
        47_000,
    )
    check_against_ledger(ledger, wh)
    payable = ledger.lookup_accounts([account_id(Kind.CREATOR_PAYABLE, 1)])[0]
    # paid in June + in payout now + the hold still pending: the payable's posted balance is what is in payout
    assert payable.credits_posted - payable.debits_posted == 47_000 and payable.debits_pending == 47_000


def test_rerun_is_identical_and_writes_nothing(settle_ledger: LedgerStore, settle_wh, tmp_path) -> None:
    ledger, wh = settle_ledger, settle_wh
    book = Book(ledger)
    june(book, wh)
    first = settle(ledger, wh, "2023-06")
    tables = ("money_statements", "money_statement_lines", "payouts")
    before = {
        t: wh.table(t).to_pyarrow().sort_by([(c, "ascending") for c in wh.table(t).columns[:4]])
        for t in tables
    }
    n = ledger.last_timestamp()
    book.earn(1, "ad_share", 1_000, D(2023, 6, 29))  # after the cutoff: next month's, not this rerun's
    again = settle(ledger, wh, "2023-06")
    assert again.rerun and again.transfers_written == 0 and set(again.rows_inserted.values()) == {0}
    assert (again.payout_fen, again.statements, again.cutoff) == (
        first.payout_fen,
        first.statements,
        first.cutoff,
    )
    for t in tables:
        assert (
            wh.table(t)
            .to_pyarrow()
            .sort_by([(c, "ascending") for c in wh.table(t).columns[:4]])
            .equals(before[t])
        )
    assert len(ledger.scan_transfers(n)) == 1  # only the new posting


def test_months_settle_in_order(settle_ledger: LedgerStore, settle_wh) -> None:
    ledger, wh = settle_ledger, settle_wh
    book = Book(ledger)
    june(book, wh)
    with pytest.raises(SettleError, match="2023-06 has not ended yet"):
        settle(ledger, wh, "2023-06", today=D(2023, 6, 30))
    book.earn(1, "ad_share", 1_000, D(2023, 7, 2))
    with pytest.raises(SettleError, match="2023-06 has postings and is not settled: settle 2023-06 first"):
        settle(ledger, wh, "2023-07")
    assert settled_months(ledger) == {}  # nothing written by a refused month
    settle(ledger, wh, "2023-05")  # before any posting: nothing to state
    assert wh.table("money_statements").count().execute() == 0
    settle(ledger, wh, "2023-06")
    with pytest.raises(SettleError, match="2023-07 has postings and is not settled"):
        settle(ledger, wh, "2023-08")
    settle(ledger, wh, "2023-07")
    settle(ledger, wh, "2023-08")
    with pytest.raises(SettleError, match="2023-08 is settled already and 2023-04 is not"):
        settle(ledger, wh, "2023-04")
    write_cutoff(
        ledger, Month.parse("2023-09"), ledger.last_timestamp()
    )  # a run that stopped after its marker
    with pytest.raises(SettleError, match="the settlement of 2023-09 did not finish"):
        settle(ledger, wh, "2023-10")
    settle(ledger, wh, "2023-09")  # the rerun finishes it
    settle(ledger, wh, "2023-10")


def test_changed_contracts_stop_a_rerun(settle_ledger: LedgerStore, settle_wh) -> None:
    ledger, wh = settle_ledger, settle_wh
    june(Book(ledger), wh)
    settle(ledger, wh, "2023-06")
    with wh.writer() as w:
        w.raw.execute("UPDATE mcn_contracts SET share_bps = 2000 WHERE contract_id = 1")
    with pytest.raises(
        SettleError, match="exists_with_different_amount — the month was settled before with other"
    ):
        settle(ledger, wh, "2023-06")


def test_the_first_month_settled_can_open_the_books(settle_ledger: LedgerStore, settle_wh) -> None:
    """--opening: a platform that starts settling in July takes June's postings into July's statements (as
    late lines of June); without it July is refused; once a month is settled, no later month can open."""
    ledger, wh = settle_ledger, settle_wh
    book = Book(ledger)
    june(book, wh)
    book.earn(1, "ad_share", 1_000, D(2023, 7, 2))
    with pytest.raises(SettleError, match="or open the books with this month: --opening"):
        settle(ledger, wh, "2023-07")
    settle_month(ledger, wh, RULES, Month.parse("2023-07"), LATER, PROGRAMS, opening=True)
    clean(ledger)
    assert set(settled_months(ledger)) == {Month.parse("2023-07")}
    lines = wh.table("money_statement_lines").to_pyarrow().to_pylist()
    months = {(r["earned_month"], r["late"]) for r in lines if r["payee_id"] == 1 and r["line"] == "earning"}
    assert ("2023-06", True) in months and ("2023-07", False) in months
    check_against_ledger(ledger, wh)  # every line traced to the ledger, June's postings included
    with pytest.raises(SettleError, match="2023-07 is settled already"):
        settle_month(ledger, wh, RULES, Month.parse("2023-08"), LATER, PROGRAMS, opening=True)
    with pytest.raises(SettleError, match="2023-07 is settled already and 2023-06 is not"):
        settle(ledger, wh, "2023-06")
