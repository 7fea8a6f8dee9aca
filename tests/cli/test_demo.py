"""`guanghe demo` and `guanghe report` end to end through the real CLI."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from guanghe.cli import app

runner = CliRunner()


def test_demo_runs_the_pipeline_and_report_reopens(tmp_path, monkeypatch):
    out = tmp_path / "demo"
    result = runner.invoke(app, ["demo", "--creators", "1500", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "The conference's figures vs this platform" in result.output
    assert "+14.8%" in result.output  # the seed's works-published figure, beside ours
    assert (out / "report.html").stat().st_size > 10_000
    assert (out / "synth" / "truth" / "creators.parquet").exists()

    # The demo's warehouse serves the other commands.
    url = f"duckdb:///{out / 'guanghe.duckdb'}"
    monkeypatch.setenv("GUANGHE_WAREHOUSE", url)
    metrics = runner.invoke(app, ["metrics", "--period", "2023-H1", "--metric", "works_published", "--json"])
    assert metrics.exit_code == 0, metrics.output
    payload = json.loads(metrics.output)
    works = payload[0] if isinstance(payload, list) else payload["metrics"][0]
    assert works["name"] == "works_published" and works["value"] > 0

    again = runner.invoke(app, ["report", "--out", str(tmp_path / "r.html")])
    assert again.exit_code == 0, again.output
    assert (tmp_path / "r.html").read_text(encoding="utf-8").startswith("<!doctype html>")

    # The money loop ran: a plan, income from the ledger, June's settlement opened the books, a clean ledger.
    assert "Money: accrued through 2023-06-30, settled 2023-06" in result.output
    assert "clean (" in result.output and (out / "ledger.sqlite3").exists()
    monkeypatch.setenv("GUANGHE_LEDGER", f"sqlite:///{out / 'ledger.sqlite3'}")
    rec = runner.invoke(app, ["ledger", "reconcile", "--json"])
    assert rec.exit_code == 0 and json.loads(rec.stdout)["ok"] is True, rec.output
    income = runner.invoke(app, ["metrics", "--period", "2023-H1", "--metric", "income_total_fen", "--json"])
    assert json.loads(income.stdout)["metrics"][0]["value"] > 0
    from guanghe.allocate.store import PROGRAMS
    from guanghe.data.warehouse import open_warehouse

    with open_warehouse(url, read_only=True) as wh:
        statements = wh.table("money_statements").to_pyarrow()
        plans = wh.table(PROGRAMS).count().execute()
    assert (
        statements.num_rows > 0 and set(statements.column("month").to_pylist()) == {"2023-06"} and plans > 0
    )
    creator = next(r["payee_id"] for r in statements.to_pylist() if r["payee_kind"] == "creator")
    st = runner.invoke(app, ["money", "statement", str(creator), "--month", "2023-06", "--json"])
    assert st.exit_code == 0, st.output


def test_report_on_empty_warehouse_fails_clearly(tmp_path):
    result = runner.invoke(
        app,
        [
            "report",
            "--warehouse",
            f"duckdb:///{tmp_path / 'empty.duckdb'}",
            "--out",
            str(tmp_path / "r.html"),
        ],
    )
    assert result.exit_code == 2
    assert "no warehouse at" in result.output and "guanghe ingest" in result.output
    assert not (tmp_path / "r.html").exists() and not (tmp_path / "empty.duckdb").exists()
