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
