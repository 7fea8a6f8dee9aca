"""``guanghe ingest`` through Typer's CliRunner: exit codes, summary, JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from typer.testing import CliRunner

from guanghe.cli import app
from guanghe.data.warehouse.duckdb import DuckDBWarehouse

FIXTURES = Path(__file__).parent / "fixtures"
runner = CliRunner()


def _run(*args: str):
    return runner.invoke(app, ["ingest", *args])


def test_summary_and_exit_zero(tmp_path):
    url = f"duckdb:///{tmp_path / 'wh.duckdb'}"
    result = _run(str(FIXTURES / "valid"), "--warehouse", url)
    assert result.exit_code == 0, result.output
    for word in ("creators", "creator_daily", "works", "rows read", "loaded", "duplicates", "quarantined"):
        assert word in result.stdout
    again = _run(str(FIXTURES / "valid"), "--warehouse", url, "--json")
    assert again.exit_code == 0
    report = json.loads(again.stdout)
    assert report["totals"] == {"rows_read": 9, "loaded": 0, "duplicates": 9, "quarantined": 0}
    assert report["tables"]["works"]["files"] == 1


def test_warehouse_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("GUANGHE_WAREHOUSE", f"duckdb:///{tmp_path / 'env.duckdb'}")
    assert _run(str(FIXTURES / "valid" / "creators.csv")).exit_code == 0
    wh = DuckDBWarehouse(str(tmp_path / "env.duckdb"))
    assert wh.count("creators") == 3
    wh.close()


def test_quarantine_summary_names_file_line_and_field(tmp_path):
    url = f"duckdb:///{tmp_path / 'wh.duckdb'}"
    result = _run(str(FIXTURES / "rules" / "creators_rules.csv"), "-w", url)
    assert result.exit_code == 0
    assert "13 row(s) quarantined" in result.stdout
    assert "creators_rules.csv:3 creator_id: expected an integer, got 'x1'" in result.stdout


def test_unreadable_file_exit_two_and_nothing_written(tmp_path):
    url = f"duckdb:///{tmp_path / 'wh.duckdb'}"
    bad = tmp_path / "works.parquet"
    bad.write_bytes(b"garbage")
    result = _run(str(FIXTURES / "valid"), str(bad), "-w", url)
    assert result.exit_code == 2
    assert "works.parquet" in result.stderr and "Nothing was written" in result.stderr
    as_json = _run(str(bad), "-w", url, "--json")
    assert as_json.exit_code == 2 and json.loads(as_json.stdout)["ok"] is False
    wh = DuckDBWarehouse(str(tmp_path / "wh.duckdb"))
    assert wh.count("creators") == 0 and wh.count("loads") == 0
    wh.close()


def test_nothing_loaded_exit_one(tmp_path):
    url = f"duckdb:///{tmp_path / 'wh.duckdb'}"
    bad = tmp_path / "creators.csv"
    bad.write_text("creator_id,joined_on,region,category,mcn_id,is_ecommerce,is_local_life\n-1,x,y,z,,a,b\n")
    result = _run(str(bad), "-w", url)
    assert result.exit_code == 1
    assert "every row was quarantined" in result.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    assert _run(str(empty), "-w", url).exit_code == 1


def test_messages_with_brackets_are_printed_verbatim(tmp_path):
    """Reasons and errors are text, not Rich markup: '[red]' and 'timestamp[us]' are printed as they are."""
    url = f"duckdb:///{tmp_path / 'wh.duckdb'}"
    works = tmp_path / "works.jsonl"
    works.write_text(
        '{"work_id": 1, "creator_id": 1, "published_at": "2023-01-01", "kind": "[red]vlog", "category": "food", '
        '"duration_s": 1}\n'
    )
    result = _run(str(FIXTURES / "valid" / "creators.csv"), str(works), "-w", url)
    assert result.exit_code == 0, result.output
    assert "works.jsonl:1 kind: expected one of short_video, live, image; got '[red]vlog'" in result.stdout
    columns = {
        "work_id": [2],
        "creator_id": [1],
        "published_at": [True],
        "kind": ["live"],
        "category": ["food"],
    }
    pq.write_table(pa.table({**columns, "duration_s": pa.array([1], pa.int32())}), tmp_path / "works.parquet")
    bad = _run(str(tmp_path / "works.parquet"), "-w", url)
    assert bad.exit_code == 2
    assert "column published_at has type bool: expected timestamp[us] (an ISO-8601 timestamp)" in bad.stderr
