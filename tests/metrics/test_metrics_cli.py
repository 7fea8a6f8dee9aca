"""``guanghe metrics`` on the fixture warehouse (a DuckDB file)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from guanghe.cli import app
from guanghe.metrics.format import fmt_change, fmt_fen, fmt_value

runner = CliRunner()


def url(platform_wh) -> str:
    return f"duckdb:///{platform_wh.path}"


def test_json_output(platform_wh) -> None:
    args = [
        "-w",
        url(platform_wh),
        "--period",
        "2023-H1",
        "-m",
        "income_total_fen",
        "--metric",
        "works_published",
    ]
    r = runner.invoke(app, ["metrics", *args, "--json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.output)
    assert doc["period"]["label"] == "2023-H1"
    got = {m["name"]: (m["value"], m["prior_value"], m["previous_value"]) for m in doc["metrics"]}
    assert got == {"income_total_fen": (7650, 800, 1200), "works_published": (16, 1, 12)}


def test_table_output(platform_wh) -> None:
    r = runner.invoke(app, ["metrics", "-w", url(platform_wh), "-p", "2023-H1"], env={"COLUMNS": "200"})
    assert r.exit_code == 0, r.output
    assert "创作者总收入" in r.output and "¥76.50" in r.output  # 7650 fen
    assert "+1500.0%" in r.output  # works: 16 vs 1


def test_bad_input_exits_2(platform_wh) -> None:
    r = runner.invoke(app, ["metrics", "-w", url(platform_wh), "-p", "2023-Q7"])
    assert r.exit_code == 2 and "cannot read period '2023-Q7'" in r.output
    r = runner.invoke(app, ["metrics", "-w", url(platform_wh), "-m", "nope"])
    assert r.exit_code == 2 and "unknown metric 'nope'" in r.output


def test_formatting() -> None:
    assert fmt_fen(9_000_000_000_000) == "¥90,000,000,000.00"
    assert fmt_fen(-105) == "-¥1.05"
    assert fmt_value(None, "count") == "—"
    assert fmt_value(1234567, "count") == "1,234,567"
    assert fmt_change(-0.5) == "-50.0%"
