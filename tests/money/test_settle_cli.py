"""``guanghe money settle|payouts|confirm|statement|balance|receipt|export`` through the Typer app, on both
stores: exit 0 with JSON, exit 2 with one line per problem on stderr and nothing written."""

from __future__ import annotations

import json
from pathlib import Path

from settle_book import Book, june
from typer.testing import CliRunner

from guanghe.cli import app
from guanghe.data.warehouse import open_warehouse
from guanghe.ledger import open_ledger
from guanghe.money.settle import RULES_FILE
from guanghe.money.settle.markers import settled_months

pytest_plugins = ("settle_fixtures",)
runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    r = runner.invoke(app, ["money", *args])
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    return r.exit_code, r.stdout, r.stderr


def fails(*args: str) -> list[str]:
    code, out, err = run(*args)
    assert code == 2, (code, out, err)
    lines = err.strip().splitlines()
    assert lines and all(ln.startswith("error: ") for ln in lines), err
    return [ln.removeprefix("error: ") for ln in lines]


def test_settle_pay_confirm_read(settle_ledger_url: str, settle_wh_url: str, tmp_path: Path) -> None:
    lg, w = ("--ledger", settle_ledger_url), ("--warehouse", settle_wh_url)
    assert fails("settle", "--month", "2023-06", *lg, *w)[0].startswith("no ledger at ")
    assert not Path(tmp_path / "ledger.sqlite3").exists()  # a failed read creates nothing
    with open_ledger(settle_ledger_url, create=True) as ledger:
        wh = open_warehouse(settle_wh_url)
        june(Book(ledger), wh)
        wh.close()
    assert fails("settle", "--month", "2023-13", *lg, *w) == [
        "--month: expected a month like 2023-06, got '2023-13'"
    ]
    bad = tmp_path / "rules.toml"
    bad.write_text(RULES_FILE.read_text().replace("payout_day = 15", "payout_day = 0"))
    assert fails("settle", "--month", "2023-06", "--rules", str(bad), *lg, *w) == [
        f"{bad}:5: payout_day: expected the day of the next month payouts are sent (an integer >= 1), got 0"
    ]
    assert fails("settle", "--month", "2023-07", *lg, *w) == [
        "2023-06 has postings and is not settled: settle 2023-06 first (months are settled in order; "
        "or open the books with this month: --opening)"
    ]
    with open_ledger(settle_ledger_url) as ledger:
        assert settled_months(ledger) == {}  # nothing written by the refusals
    code, out, _ = run("settle", "--month", "2023-06", *lg, *w, "--timezone", "Asia/Shanghai", "--json")
    s = json.loads(out)
    assert (code, s["month"], s["statements"], s["payouts"], s["payout_fen"], s["rerun"]) == (
        0,
        "2023-06",
        4,
        2,
        875_040,
        False,
    )
    code, out, _ = run("settle", "--month", "2023-06", *lg, *w, "--json")
    assert code == 0 and json.loads(out)["rerun"] and json.loads(out)["transfers_written"] == 0
    assert fails("settle", "--month", "2023-06", *lg, *w, "--timezone", "Mars/Olympus") == [
        "--timezone 'Mars/Olympus': expected an IANA time zone such as UTC or Asia/Shanghai"
    ]

    batch = tmp_path / "batch.csv"
    code, out, _ = run("payouts", "--month", "2023-06", "--out", str(batch), *lg, "--json")
    assert (code, json.loads(out)["payouts"], len(batch.read_text().splitlines())) == (0, 2, 3)
    assert fails("payouts", "--month", "2023-06", "--out", str(tmp_path / "no" / "b.csv"), *lg) == [
        f"--out {tmp_path / 'no' / 'b.csv'}: the folder {tmp_path / 'no'} does not exist"
    ]
    ids = [ln.split(",")[0] for ln in batch.read_text().splitlines()[1:]]

    result = tmp_path / "result.csv"
    result.write_text(
        f"payout_id,status,bank_reference,reason\n{ids[0]},paid,B1,\n{ids[1]},lost,,\n{'f' * 32},paid,B,\n"
    )
    assert fails("confirm", str(result), *lg, *w) == [
        f"{result}:3: status: expected paid or failed, got 'lost'"
    ]
    result.write_text(f"payout_id,status,bank_reference,reason\n{ids[0]},paid,B1,\n{'f' * 32},paid,B,\n")
    assert fails("confirm", str(result), *lg, *w) == [f"{result}:3: payout_id: unknown payout {'f' * 32}"]
    result.write_text(f"payout_id,status,bank_reference,reason\n{ids[0]},paid,B1,\n{ids[1]},failed,,closed\n")
    code, out, _ = run("confirm", str(result), *lg, *w, "--json")
    assert (code, json.loads(out)["paid"], json.loads(out)["failed"]) == (0, 1, 1)
    code, out, _ = run("confirm", str(result), *lg, *w, "--json")
    assert (code, json.loads(out)["already"]) == (0, 2)

    code, out, _ = run("statement", "1", "--month", "2023-06", *w, "--json")
    st = json.loads(out)
    assert code == 0 and st["statement"]["payout_fen"] == 824_040 and len(st["lines"]) == 9
    code, out, _ = run("statement", "900", "--mcn", "--month", "2023-06", *w)
    assert code == 0 and "mcn_income" in out and "510.00" in out
    assert fails("statement", "77", "--month", "2023-06", *w) == [
        "creator 77, 2023-06: no statement for this payee (no money settled for it that month)"
    ]
    assert fails("statement", "1", "--month", "2023-09", *w) == [
        "creator 1, 2023-09: 2023-09 is not settled in this warehouse: run `guanghe money settle --month 2023-09`"
    ]

    code, out, _ = run("balance", "1", *lg, "--json", "--transfers")
    b = json.loads(out)
    assert (code, b["paid"], b["held"], b["pending"], len(b["transfers"])) == (0, 824_040, 7_000, 9_000, 15)
    code, out, _ = run("balance", "900", "--mcn", *lg)
    assert code == 0 and "available_fen" in out and "510.00" in out
    assert fails("balance", "77", *lg) == [
        "creator 77 has no account on the ledger (no money moved for it yet)"
    ]

    code, out, _ = run("receipt", ids[0], *lg, *w, "--json")
    r = json.loads(out)
    assert (code, r["status"], r["bank_reference"], r["net_fen"]) == (0, "paid", "B1", 824_040)
    assert fails("receipt", "zz", *lg, *w) == ["payout id 'zz': expected 32 hex digits"]

    journal = tmp_path / "journal.csv"
    code, out, _ = run("export", "--month", "2023-06", "--out", str(journal), *lg, "--json")
    assert code == 0 and json.loads(out)["transfers"] == len(journal.read_text().splitlines()) - 1 > 10
    assert fails("export", "--month", "2023-07", "--out", str(journal), *lg) == [
        "2023-07 is not settled: its journal is not final (run `guanghe money settle --month 2023-07` first)"
    ]
