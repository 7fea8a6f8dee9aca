"""``guanghe ledger ...`` end to end through the Typer app, on both stores."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from guanghe.cli import app
from guanghe.ledger import open_ledger

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
