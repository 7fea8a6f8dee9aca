"""``guanghe ledger ...`` end to end through the Typer app, on both stores."""

from __future__ import annotations

import json
import sqlite3
import uuid

import psycopg
import pytest
from typer.testing import CliRunner

from guanghe.cli import app
from guanghe.ledger import LedgerMissing, open_ledger
from servers import PG_URL, postgres_available

runner = CliRunner()


def run(url: str, *args: str) -> tuple[int, str]:
    r = runner.invoke(app, ["ledger", *args, "--url", url])
    return r.exit_code, r.stdout


def test_cli_accounts_transfer_balance_statement_reconcile(make_url, tmp_path):
    url = make_url()
    assert run(url, "accounts", "--create", "1", "--code", "platform_revenue")[0] == 0
    assert run(url, "accounts", "--create", "2", "--flag", "debits_must_not_exceed_credits")[0] == 0
    assert run(
        url,
        "accounts",
        "--create",
        "2",
        "--code",
        "brand_escrow",
        "--flag",
        "debits_must_not_exceed_credits",
        "--json",
    ) == (1, json.dumps({"id": 2, "result": "exists_with_different_code"}, indent=2) + "\n")
    assert run(url, "accounts", "--create", "3", "--code", "nonsense")[0] == 2
    assert run(url, "transfer", "--id", "10", "--debit", "1", "--credit", "2", "--amount", "1000")[0] == 0
    code, out = run(
        url, "transfer", "--id", "11", "--debit", "2", "--credit", "1", "--amount", "1001", "--json"
    )
    assert (code, json.loads(out)) == (1, [{"id": 11, "result": "exceeds_credits"}])
    assert (
        run(url, "transfer", "--id", "12", "--debit", "2", "--credit", "1", "--amount", "300", "--pending")[0]
        == 0
    )
    assert run(url, "transfer", "--id", "13", "--post", "12", "--amount", "100")[0] == 0
    batch = tmp_path / "batch.jsonl"
    batch.write_text(
        '{"id": 10, "debit_account_id": 1, "credit_account_id": 2, "amount": 1000, "ledger": 156, '
        '"code": 1}\n{"id": 14, "debit_account_id": 2, "credit_account_id": 1, "amount": 1, '
        '"ledger": 156, "code": 1}\n'
    )
    code, out = run(url, "transfer", "--file", str(batch), "--json")
    assert (code, [r["result"] for r in json.loads(out)]) == (0, ["exists", "ok"])
    code, out = run(url, "balance", "2", "--json")
    assert code == 0
    assert json.loads(out) | {"as_of": None} == {
        "account_id": 2,
        "debits_pending": 0,
        "debits_posted": 101,
        "credits_pending": 0,
        "credits_posted": 1000,
        "as_of": None,
        "balance": 899,
    }
    code, out = run(url, "statement", "2", "--json")
    assert [(r["id"], r["balance_after"]) for r in json.loads(out)] == [
        (10, 1000),
        (12, 1000),
        (13, 900),
        (14, 899),
    ]
    code, out = run(url, "accounts", "--json")
    assert [(a["id"], a["balance"]) for a in json.loads(out)] == [(1, -899), (2, 899)]
    code, out = run(url, "history", "12", "--json")
    assert json.loads(out)["pending"]["status"] == "posted"
    code, out = run(url, "reconcile", "--json")
    assert (code, json.loads(out)["ok"], json.loads(out)["transfers"]) == (0, True, 4)
    with open_ledger(url) as store, store._write() as con:
        store._q(con, "UPDATE accounts SET debits_posted = debits_posted + 1 WHERE ledger = 156 RETURNING id")
    code, out = run(url, "reconcile", "--json")
    assert code == 1
    assert len(json.loads(out)["problems"]) >= 2
    assert run(url, "balance", "99")[0] == 1


def test_cli_bad_url_and_bad_batch_line(tmp_path):
    assert runner.invoke(app, ["ledger", "accounts", "--url", "mysql://x"]).exit_code == 2
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1, "amount": "ten"}\n')
    r = runner.invoke(
        app, ["ledger", "transfer", "--file", str(bad), "--url", f"sqlite:///{tmp_path}/l.sqlite3"]
    )
    assert r.exit_code == 2
    assert "bad.jsonl:1" in r.output


def setup_pending(url: str) -> None:
    """Accounts 1 (platform) and 2, and pending transfer 50 of 300 from 1 to 2."""
    assert run(url, "accounts", "--create", "1", "--code", "platform_revenue")[0] == 0
    assert run(url, "accounts", "--create", "2")[0] == 0
    assert (
        run(url, "transfer", "--id", "50", "--debit", "1", "--credit", "2", "--amount", "300", "--pending")[0]
        == 0
    )


def pending_state(url: str) -> tuple[str, int, int]:
    """(status of pending transfer 50, account 2's credits_pending, credits_posted)."""
    with open_ledger(url) as store:
        a = store.lookup_accounts([2])[0]
        return store.history(50)["pending"].status, a.credits_pending, a.credits_posted


def one_error_line(r, *words: str) -> None:
    """Exit 2, no traceback, one line on stderr naming every word."""
    assert r.exit_code == 2, (r.exit_code, r.output, r.exception)
    assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:"), r.stderr
    assert all(w in lines[0] for w in words), (words, lines[0])


@pytest.mark.parametrize(
    "args",
    [["--post", "0", "--void", "50"], ["--post", "50", "--void", "50"], ["--void", "50", "--post", "50"]],
)
def test_cli_post_and_void_are_mutually_exclusive(make_url, args):
    url = make_url()
    setup_pending(url)
    r = runner.invoke(app, ["ledger", "transfer", "--id", "51", *args, "--url", url])
    one_error_line(r, "--post", "--void")
    assert pending_state(url) == ("pending", 300, 0)  # nothing posted, nothing voided


@pytest.mark.parametrize(
    ("args", "want"),
    [
        (["--void", "50"], ("voided", 0, 0)),
        (["--post", "50"], ("posted", 0, 300)),  # no --amount: the whole hold
        (["--post", "50", "--amount", "120"], ("posted", 0, 120)),
        (["--post", "50", "--amount", "0"], ("posted", 0, 0)),  # posts nothing, releases the hold
    ],
)
def test_cli_post_and_void_act_as_named(make_url, args, want):
    url = make_url()
    setup_pending(url)
    assert run(url, "transfer", "--id", "51", *args) == (0, "transfer 51: ok\n")
    assert pending_state(url) == want
    assert run(url, "reconcile")[0] == 0


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["transfer", "--id", "-1", "--debit", "1", "--credit", "2", "--amount", "5"], "--id"),
        (["transfer", "--id", "1", "--debit", "1", "--credit", "2", "--amount", "5", "--code", str(2**32)], "--code"),
        (["transfer", "--id", "1", "--debit", "1", "--credit", "2", "--amount", "5", "--pending", "--timeout", "-1"],
         "--timeout"),
        (["transfer", "--id", "1", "--debit", "1", "--credit", "2", "--amount", "5", "--pending", "--timeout",
          str(2**40)], "--timeout"),
        (["transfer", "--id", "1", "--debit", "1", "--credit", "2", "--amount", "5", "--user-data", "-7"],
         "--user-data"),
        (["transfer", "--id", "1", "--debit", "1", "--credit", "2", "--amount", "-5"], "--amount"),
        (["transfer", "--id", "1", "--debit", str(2**128), "--credit", "2", "--amount", "5"], "--debit"),
        (["transfer", "--id", "1", "--void", "-3"], "--void"),
        (["accounts", "--create", "-4"], "--create"),
        (["accounts", "--create", "4", "--ledger-id", str(2**32)], "--ledger-id"),
        (["history", str(2**128)], "TRANSFER"),
        (["history", "--", "-1"], "TRANSFER"),
        (["balance", "--", "-1"], "ACCOUNT"),
        (["balance", "1", "--as-of", "-1"], "--as-of"),
        (["statement", "1", "--limit", "-1"], "--limit"),
        (["statement", str(2**128)], "ACCOUNT"),
    ],
)  # fmt: skip
def test_cli_out_of_range_values_exit_2_naming_the_field(make_url, args, field):
    url = make_url()
    setup_pending(url)
    with open_ledger(url) as store:
        before = store.snapshot()
    r = runner.invoke(app, ["ledger", args[0], "--url", url, *args[1:]])
    one_error_line(r, field)
    with open_ledger(url) as store:  # nothing written
        after = store.snapshot()
    assert (before[0], list(before[1]), before[2]) == (after[0], list(after[1]), after[2])


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ('{"id": 7, "debit_account_id": 1, "credit_account_id": 2, "amount": true, "ledger": 156, "code": 1}',
         ["batch.jsonl:2", "amount = true"]),
        ('{"id": -7, "debit_account_id": 1, "credit_account_id": 2, "amount": 5, "ledger": 156, "code": 1}',
         ["batch.jsonl:2", "id = -7"]),
        ('{"id": 7, "debit_account_id": 1, "credit_account_id": 2, "amount": 5, "ledger": 156, "code": 4294967296}',
         ["batch.jsonl:2", "code = 4294967296"]),
        ('{"id": 7, "debit_account_id": 1, "credit_account_id": 2, "amount": -5, "ledger": 156, "code": 1}',
         ["batch.jsonl:2", "amount = -5"]),
        ('[1, 2]', ["batch.jsonl:2", "JSON object"]),
        ('{"id": 7, "amount": 5', ["batch.jsonl:2", "not JSON"]),
    ],
)  # fmt: skip
def test_cli_bad_batch_line_exit_2_nothing_written(make_url, tmp_path, line, words):
    url = make_url()
    setup_pending(url)
    batch = tmp_path / "batch.jsonl"
    good = '{"id": 6, "debit_account_id": 1, "credit_account_id": 2, "amount": 5, "ledger": 156, "code": 1}'
    batch.write_text(f"{good}\n{line}\n")
    r = runner.invoke(app, ["ledger", "transfer", "--file", str(batch), "--url", url])
    one_error_line(r, *words)
    with open_ledger(url) as store:
        assert store.lookup_transfers([6, 7]) == []


READS = [["accounts"], ["balance", "1"], ["statement", "1"], ["history", "1"], ["reconcile"]]


@pytest.mark.parametrize("argv", READS, ids=lambda a: a[0])
def test_cli_reads_never_create_a_sqlite_ledger(tmp_path, argv):
    db = tmp_path / "typo" / "nested" / "ledger.sqlite3"
    r = runner.invoke(app, ["ledger", *argv, "--url", f"sqlite:///{db}"])
    one_error_line(r, "no ledger at", str(db))
    assert not db.exists() and not (tmp_path / "typo").exists()
    flat = tmp_path / "ledger.sqlite3"  # a missing file in an existing folder: not created either
    r = runner.invoke(app, ["ledger", *argv, "--url", f"sqlite:///{flat}"])
    one_error_line(r, "no ledger at", str(flat))
    assert not flat.exists()


@pytest.mark.parametrize("argv", READS, ids=lambda a: a[0])
def test_cli_reads_never_create_a_postgres_ledger(argv):
    postgres_available()
    schema = f"t_{uuid.uuid4().hex[:16]}"
    r = runner.invoke(app, ["ledger", *argv, "--url", f"{PG_URL}?schema={schema}"])
    one_error_line(r, "no ledger at", schema)
    with psycopg.connect(PG_URL) as con:
        assert con.execute("SELECT count(*) FROM pg_namespace WHERE nspname = %s", (schema,)).fetchone() == (
            0,
        )


def test_reads_refuse_a_file_or_schema_without_ledger_tables(make_url, backend, tmp_path):
    if backend == "sqlite":
        other = tmp_path / "other.sqlite3"
        sqlite3.connect(other).execute("CREATE TABLE notes (x)").connection.commit()
        url = f"sqlite:///{other}"
    else:
        url = make_url()
        with psycopg.connect(PG_URL, autocommit=True) as con:
            con.execute(f'CREATE SCHEMA "{url.rsplit("=", 1)[1]}"')
    with pytest.raises(LedgerMissing, match="no ledger at"):
        open_ledger(url)
    r = runner.invoke(app, ["ledger", "accounts", "--url", url])
    one_error_line(r, "no ledger at")
    if backend == "sqlite":  # untouched: no ledger tables written into somebody else's file
        names = [n for (n,) in sqlite3.connect(other).execute("SELECT name FROM sqlite_master")]
        assert names == ["notes"]
    with open_ledger(url, create=True) as store:  # a write may create the tables
        assert store.accounts() == []


def test_cli_writes_create_a_ledger_but_not_its_folder(tmp_path):
    nested = tmp_path / "missing" / "ledger.sqlite3"
    r = runner.invoke(app, ["ledger", "accounts", "--create", "1", "--url", f"sqlite:///{nested}"])
    one_error_line(r, "cannot create ledger", str(nested.parent))
    assert not nested.parent.exists()
    flat = tmp_path / "ledger.sqlite3"
    assert run(f"sqlite:///{flat}", "accounts", "--create", "1") == (0, "account 1: ok\n")
    assert run(f"sqlite:///{flat}", "accounts", "--json")[0] == 0
    flat2 = tmp_path / "ledger2.sqlite3"
    assert (
        run(f"sqlite:///{flat2}", "transfer", "--id", "1", "--debit", "1", "--credit", "2", "--amount", "1")[
            0
        ]
        == 1
    )
    assert flat2.exists()  # a transfer is a write: the ledger is created (the transfer finds no account)


def test_cli_options_that_would_be_ignored_are_refused(make_url, tmp_path):
    url = make_url()
    setup_pending(url)
    batch = tmp_path / "b.jsonl"
    batch.write_text("")
    one_error_line(runner.invoke(app, ["ledger", "transfer", "--file", str(batch), "--id", "3", "--url", url]),
                   "--file", "--id")  # fmt: skip
    one_error_line(runner.invoke(app, ["ledger", "transfer", "--id", "3", "--post", "50", "--pending", "--url", url]),
                   "--pending")  # fmt: skip
    one_error_line(
        runner.invoke(app, ["ledger", "accounts", "--code", "brand_escrow", "--url", url]), "--create"
    )
    one_error_line(
        runner.invoke(app, ["ledger", "transfer", "--id", "3", "--debit", "1", "--url", url]), "--amount"
    )
    assert pending_state(url) == ("pending", 300, 0)
    code, out = run(url, "accounts", "--ledger-id", "840", "--json")  # --ledger-id lists only that ledger
    assert (code, json.loads(out)) == (0, [])
