"""``guanghe money accrue`` and ``guanghe money export-income`` end to end: exit codes, one-line errors,
--json, reads that never create a store, bad rule files refused before anything is written."""

from __future__ import annotations

import json
import shutil
import uuid

import psycopg
import pytest
from money_checks import at, day
from money_platform import Platform
from typer.testing import CliRunner

from guanghe.cli import app
from guanghe.money.rules import CHANNELS_DIR
from servers import PG_URL, postgres_available

runner = CliRunner()


def platform(tmp_path, unknown_work: bool = False) -> str:
    p = Platform().creator(1).work(10, 1, at("2023-05-02T10:00"))
    p.add("brand_orders", order_id=1, creator_id=1, price_fen=10_000, completed_at=at("2023-05-05T10:00"))
    p.add("task_rewards", reward_id=1, creator_id=1, reward_fen=300, completed_at=at("2023-05-05T10:00"))
    p.add("ad_revenue", work_id=10, date=day("2023-05-03"), ad_impressions=9, gross_fen=1_001)
    if unknown_work:
        p.add("ad_revenue", work_id=77, date=day("2023-05-03"), ad_impressions=9, gross_fen=5)
    return p.write(tmp_path / "wh.duckdb")


def money(*args: str):
    return runner.invoke(app, ["money", *args])


def one_error_line(r, code: int, *words: str) -> None:
    lines = r.stderr.strip().splitlines()
    assert r.exit_code == code and len(lines) == 1 and lines[0].startswith("error:"), (r.exit_code, r.stderr)
    for w in words:
        assert w in lines[0], (w, lines[0])


def test_accrue_then_export_income(tmp_path, make_ledger_url):
    wh, url = platform(tmp_path), make_ledger_url()
    r = money("accrue", "--through", "2023-05-31", "-w", wh, "--ledger", url, "--timezone", "UTC")
    assert r.exit_code == 0, r.output
    assert "brand_deal" in r.stdout and "income rows: 4 new, 0 already present, 0 differ" in r.stdout
    r = money("accrue", "--through", "2023-05-31", "-w", wh, "--ledger", url, "--json")
    doc = json.loads(r.stdout)
    assert r.exit_code == 0 and doc["ok"] and doc["events"] == 3 and doc["through"] == "2023-05-31"
    assert doc["channels"]["brand_deal"] | {"reasons": []} == {
        "events": 1, "skipped": 0, "new": 0, "present": 2, "refused": 0, "earnings_fen": 0, "fees_fen": 0,
        "clawbacks_fen": 0, "held_fen": 0, "reasons": []}  # fmt: skip
    assert doc["income"]["present"] == 4 and doc["income"]["inserted"] == 0
    r = money("export-income", "-w", wh, "--ledger", url, "--json")
    assert r.exit_code == 0 and json.loads(r.stdout) | {"scanned": 0} == {
        "rows": 4, "inserted": 0, "present": 4, "conflicts": 0, "scanned": 0, "conflict_ids": []}  # fmt: skip


def test_accrue_exits_1_when_events_are_skipped(tmp_path, make_ledger_url):
    r = money(
        "accrue", "--through", "2023-05-31", "-w", platform(tmp_path, True), "--ledger", make_ledger_url()
    )
    assert r.exit_code == 1 and "skipped ad_revenue/77: the work is not in `works`" in r.stdout


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--through", "May"], ["--through", "2023-06-30", "'May'"]),
        (["--through", "2023-05-31", "--timezone", "Mars/Base"], ["--timezone", "Mars/Base"]),
    ],
)
def test_bad_options_exit_2_with_one_line(tmp_path, args, words):
    ledger = tmp_path / "l.sqlite3"
    r = money("accrue", *args, "-w", platform(tmp_path), "--ledger", f"sqlite:///{ledger}")
    one_error_line(r, 2, *words)
    assert not ledger.exists()


def test_a_bad_rule_file_is_refused_before_anything_is_written(tmp_path):
    channels = tmp_path / "channels"
    shutil.copytree(CHANNELS_DIR, channels)
    f = channels / "affiliate.toml"
    f.write_text(f.read_text().replace("return_window_days = 7", "return_window_day = 7"))
    ledger, wh = tmp_path / "l.sqlite3", platform(tmp_path)
    r = money("accrue", "--through", "2023-05-31", "-w", wh, "--ledger", f"sqlite:///{ledger}", "--channels",
              str(channels))  # fmt: skip
    assert r.exit_code == 2 and not ledger.exists()
    assert f"{f}:7: return_window_day: unknown key 'return_window_day'" in r.stderr
    assert f"{f}: return_window_days: missing" in r.stderr  # a missing key has no line


def test_missing_stores_are_refused_and_never_created(tmp_path):
    wh, ledger = tmp_path / "none.duckdb", tmp_path / "l.sqlite3"
    r = money("accrue", "--through", "2023-05-31", "-w", f"duckdb:///{wh}", "--ledger", f"sqlite:///{ledger}")
    one_error_line(r, 2, "no warehouse at")
    assert not wh.exists() and not ledger.exists()  # the ledger is not made when the warehouse is missing
    r = money("accrue", "--through", "2023-05-31", "-w", platform(tmp_path), "--ledger",
              f"sqlite:///{tmp_path}/no/such/folder/l.sqlite3")  # fmt: skip
    one_error_line(r, 2, "--ledger", "folder")
    r = money("export-income", "-w", platform(tmp_path), "--ledger", f"sqlite:///{ledger}")
    one_error_line(r, 2, "no ledger at")
    assert not ledger.exists()


def test_export_income_never_creates_a_postgres_ledger(tmp_path):
    postgres_available()
    schema = f"m_{uuid.uuid4().hex[:16]}"
    r = money("export-income", "-w", platform(tmp_path), "--ledger", f"{PG_URL}?schema={schema}")
    one_error_line(r, 2, "no ledger at", schema)
    with psycopg.connect(PG_URL) as con:
        assert con.execute("SELECT count(*) FROM pg_namespace WHERE nspname = %s", (schema,)).fetchone() == (
            0,
        )
