"""``guanghe metrics`` on the fixture warehouse (a DuckDB file)."""

from __future__ import annotations

import json
from datetime import date

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
    got = {m["name"]: (m["value"], m["prior_value"], m["previous_value"]) for m in doc["metrics"]}
    # The prior year 2022-H1 starts before the data (2022-03-01): no data, null, not 800 fen / 1 work.
    assert got == {"income_total_fen": (7650, None, 1200), "works_published": (16, None, 12)}
    assert doc["period"]["label"] == "2023-H1" and doc["period"]["partial"] is False
    prior = doc["metrics"][0]["prior_period"]
    assert (prior["partial"], prior["covered_start"], prior["data_start"]) == (
        True,
        "2022-03-01",
        "2022-03-01",
    )
    assert doc["metrics"][0]["yoy"] is None


def test_table_output(platform_wh) -> None:
    r = runner.invoke(app, ["metrics", "-w", url(platform_wh), "-p", "2023-H1"], env={"COLUMNS": "200"})
    assert r.exit_code == 0, r.output
    assert "创作者总收入" in r.output and "¥76.50" in r.output  # 7650 fen
    assert "+33.3%" in r.output  # works: 16 vs 12 in 2022-H2
    row = next(line for line in r.output.splitlines() if "works_published" in line)
    assert [c.strip() for c in row.split("│")[3:6]] == ["16", "n/a", "n/a"]  # prior year: no data
    assert "prior year 2022-H1 (n/a: the data covers only 2022-03-01 … 2022-06-30)" in r.output
    assert "PARTIAL" not in r.output


def test_data_ending_mid_month(platform_until) -> None:
    # The fixture cut at 2023-06-15: the last work is 2023-06-10, so June is not complete.
    wh = f"duckdb:///{platform_until(date(2023, 6, 15))}"
    r = runner.invoke(app, ["metrics", "-w", wh, "-m", "works_published", "--json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.output)
    # The default past year is 2022-06..2023-05, complete: c1 Jul-May 11, c2 Jul-May 10 (no March), c3 3,
    # c5 2023-02-28 1 = 25; not 2022-07..2023-06 with half a June.
    assert (doc["period"]["start"], doc["period"]["end"], doc["metrics"][0]["value"]) == (
        "2022-06-01", "2023-05-31", 25,
    )  # fmt: skip
    assert doc["period"]["partial"] is False
    # Asked explicitly, 2023 is computed but flagged partial with the days it covers.
    r = runner.invoke(app, ["metrics", "-w", wh, "-p", "2023", "-m", "works_published", "--json"])
    period = json.loads(r.output)["period"]
    assert (period["partial"], period["covered_start"], period["covered_end"], period["data_end"]) == (
        True, "2023-01-01", "2023-06-10", "2023-06-10",
    )  # fmt: skip
    r = runner.invoke(app, ["metrics", "-w", wh, "-p", "2023", "-m", "works_published"])
    assert "PARTIAL PERIOD: the data covers only 2023-01-01 … 2023-06-10" in r.output
    assert "value (partial)" in r.output


def test_timezone_option_and_setting(platform_wh) -> None:
    # c4's works at 2023-06-30 23:59:59Z and 2023-07-01 00:00Z are both July in Shanghai (07:59:59 and
    # 08:00 local): July has c1 113 + c4 401, 402 = 3 works there, 2 in UTC.
    args = ["metrics", "-w", url(platform_wh), "-p", "2023-07", "-m", "works_published", "--json"]
    for extra, env, want in (
        ([], {}, 2), (["--timezone", "Asia/Shanghai"], {}, 3), ([], {"GUANGHE_TIMEZONE": "Asia/Shanghai"}, 3),
        (["--timezone", "UTC"], {"GUANGHE_TIMEZONE": "Asia/Shanghai"}, 2),
    ):  # fmt: skip
        r = runner.invoke(app, [*args, *extra], env=env)
        assert r.exit_code == 0, r.output
        doc = json.loads(r.output)
        assert doc["metrics"][0]["value"] == want, (extra, env)
    for extra, env, want in (([], {}, 2), ([], {"GUANGHE_TIMEZONE": "Asia/Shanghai"}, 3)):
        r = runner.invoke(app, [*args, *extra], env=env)
        assert json.loads(r.output)["period"]["timezone"] == ("UTC" if want == 2 else "Asia/Shanghai")
    r = runner.invoke(app, ["metrics", "-w", url(platform_wh), "--timezone", "Mars/Base"])
    assert r.exit_code == 2 and "--timezone 'Mars/Base': expected an IANA time zone" in r.output
    assert "Traceback" not in r.output and len(r.output.strip().splitlines()) == 1


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
