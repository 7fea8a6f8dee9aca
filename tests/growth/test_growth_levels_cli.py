"""``guanghe growth levels|explain`` through Typer's CliRunner on the hand-made platform."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from growth_levels_platform import RULES, build_platform
from typer.testing import CliRunner

from guanghe.cli import app

runner = CliRunner()


@pytest.fixture
def setup(tmp_path: Path) -> tuple[str, str]:
    """(rules file, warehouse URL)."""
    build_platform(tmp_path / "wh.duckdb").close()
    rules = tmp_path / "levels.toml"
    rules.write_text(RULES, encoding="utf-8")
    return str(rules), f"duckdb:///{tmp_path / 'wh.duckdb'}"


def _levels(rules: str, url: str, day: str, *extra: str):
    return runner.invoke(app, ["growth", "levels", "--as-of", day, "--rules", rules, "-w", url, *extra])


def test_levels_then_explain(setup) -> None:
    rules, url = setup
    r = _levels(rules, url, "2023-04-30", "--json")
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert {k: doc[k] for k in ("creators", "levels", "promoted", "demoted", "changes", "stored")} == {
        "creators": 3, "levels": {"base": 1, "silver": 1, "gold": 1}, "promoted": 2, "demoted": 0, "changes": 2,
        "stored": True,
    }  # fmt: skip
    for day in ("2023-05-31", "2023-06-30"):
        assert _levels(rules, url, day).exit_code == 0
    r = runner.invoke(app, ["growth", "explain", "2", "--rules", rules, "-w", url, "--json"])
    assert r.exit_code == 0, r.output
    ex = json.loads(r.stdout)
    assert (ex["as_of"], ex["level"], ex["rank"], ex["since"], ex["next_level"]) == (
        "2023-06-30",
        "silver",
        1,
        "2023-06-30",
        "gold",
    )
    assert ex["reason"] == "keep rule of gold fails: followers >= 7500; now silver"
    assert [h["level"] for h in ex["history"]] == ["gold", "silver"]
    entry = {c["feature"]: (c["value"], c["holds"], c["missing"]) for c in ex["next_level_entry"]}
    assert entry == {"followers": (7000, False, 3000.0), "active_days_90d": (9, True, 0.0)}
    # as of D2 creator 2 was still gold: the top level
    r = runner.invoke(app, ["growth", "explain", "2", "--as-of", "2023-05-31", "--rules", rules, "-w", url])
    assert r.exit_code == 0, r.output
    assert "creator 2 as of 2023-05-31: gold (rank 2) since 2023-04-30" in r.stdout
    assert "ok   followers >= 7500: followers is 8000" in r.stdout and "top level" in r.stdout
    r = runner.invoke(app, ["growth", "explain", "1", "--rules", rules, "-w", url])
    assert f"{rules}:22: MISS works_90d >= 4: works_90d is 2  (missing 2)" in r.stdout


def test_bad_input_exits_2(setup, tmp_path: Path) -> None:
    rules, url = setup
    bad = tmp_path / "bad.toml"
    bad.write_text(RULES.replace('op = ">="\nvalue = 4', 'op = ">="\nvalue = -4'), encoding="utf-8")
    r = _levels(str(bad), url, "2023-04-30")
    assert r.exit_code == 2
    assert f"{bad}:24: rule[1].value: expected a number >= 0, got -4" in r.stderr
    assert _levels(rules, url, "2023-13-01").exit_code == 2
    r = runner.invoke(app, ["growth", "explain", "1", "--rules", rules, "-w", url])
    assert r.exit_code == 2 and "no levels stored" in r.stderr
    assert _levels(rules, url, "2023-05-31").exit_code == 0
    r = _levels(rules, url, "2023-04-30")
    assert r.exit_code == 2 and "levels are stored up to 2023-05-31" in r.stderr
    r = runner.invoke(app, ["growth", "explain", "99", "--rules", rules, "-w", url])
    assert r.exit_code == 2 and "creator 99 is not in the warehouse" in r.stderr
    missing = f"duckdb:///{tmp_path / 'nowhere.duckdb'}"
    assert _levels(rules, missing, "2023-04-30").exit_code == 2
    assert not (tmp_path / "nowhere.duckdb").exists()


def test_dry_run_prints_and_stores_nothing(setup) -> None:
    rules, url = setup
    r = _levels(rules, url, "2023-04-30", "--dry-run")
    assert r.exit_code == 0, r.output
    assert "2 promoted, 0 demoted: 2 changes not stored (--dry-run)" in r.stdout
    r = runner.invoke(app, ["growth", "explain", "1", "--rules", rules, "-w", url])
    assert r.exit_code == 2
