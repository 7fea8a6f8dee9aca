"""``guanghe programs list|show|check`` through Typer's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from programs_platform import VALID
from typer.testing import CliRunner

from guanghe.cli import app

runner = CliRunner()


@pytest.fixture
def dirs(write, platform) -> tuple[str, str]:
    """(program directory with demo.toml, warehouse URL of the hand-made platform)."""
    return str(write(VALID).parent), f"duckdb:///{platform.path}"


def test_list_and_show(dirs):
    progs, _ = dirs
    r = runner.invoke(app, ["programs", "list", "-P", progs, "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output) == [{
        "name": "demo", "title": "演示计划", "budget": {"impressions": 1_000_000, "cash_fen": 500_000},
        "floors": {"tail": 0.4}, "file": f"{progs}/demo.toml", "rules": ["works_90d >= 1", 'tier in ["waist", "tail"]'],
    }]  # fmt: skip
    r = runner.invoke(app, ["programs", "show", "demo", "-P", progs])
    assert r.exit_code == 0, r.output
    assert "works_90d >= 1" in r.output and "tail ≥ 40%" in r.output
    assert runner.invoke(app, ["programs", "show", "nope", "-P", progs]).exit_code == 2


def test_check_json(dirs):
    progs, wh = dirs
    r = runner.invoke(app, ["programs", "check", "-P", progs, "-w", wh, "--as-of", "2023-06-30", "--json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.output)
    assert (doc["as_of"], doc["creators"], doc["feasible"]) == ("2023-06-30", 4, True)
    (p,) = doc["programs"]
    assert p["scale_factor"] == pytest.approx(4 / 1000)  # 4 creators on the platform, written for 1,000
    assert p["budget"] == {"impressions": 4000, "cash_fen": 2000}
    assert p["eligible"] == {"head": 0, "waist": 1, "tail": 1} and p["eligible_total"] == 2
    assert p["floors"] == {"tail": {"share": 0.4, "impressions": 1600, "cash_fen": 800}}


def test_check_table_default_as_of_and_scale(dirs):
    progs, wh = dirs
    r = runner.invoke(app, ["programs", "check", "-P", progs, "-w", wh, "--scale", "1"])
    assert r.exit_code == 0, r.output
    assert "as of 2023-07-01" in r.output  # the last day with a published work
    assert "feasible" in r.output and "1M impr." in r.output


def test_check_creator_why_not(dirs):
    progs, wh = dirs
    r = runner.invoke(
        app, ["programs", "check", "-P", progs, "-w", wh, "--as-of", "2023-06-30", "--creator", "3", "--json"]
    )
    assert r.exit_code == 0, r.output
    doc = json.loads(r.output)
    assert doc["features"]["tier"] == "head"
    (v,) = doc["programs"]
    assert v["eligible"] is False
    assert [(f["feature"], f["value"]) for f in v["why_not"]] == [("works_90d", 0), ("tier", "head")]
    r = runner.invoke(app, ["programs", "check", "-P", progs, "-w", wh, "--as-of", "2023-06-30", "-c", "1"])
    assert r.exit_code == 0 and "eligible" in r.output and "not eligible" not in r.output
    r = runner.invoke(app, ["programs", "check", "-P", progs, "-w", wh, "-c", "4", "--as-of", "2023-06-30"])
    assert r.exit_code == 2 and "creator 4 is not in the warehouse" in r.output


def test_check_infeasible_exits_1(write, dirs):
    _, wh = dirs
    p = write(VALID.replace("tail = 0.4", "head = 0.2"), directory="bad")  # no eligible head creator
    r = runner.invoke(app, ["programs", "check", "-P", str(p.parent), "-w", wh, "--as-of", "2023-06-30"])
    assert r.exit_code == 1, r.output
    assert "INFEASIBLE" in r.output and "floors.head vs eligibility" in " ".join(r.output.split())


def test_bad_file_exits_2_naming_line_and_field(write, dirs):
    _, wh = dirs
    p = write(VALID.replace('op = "in"', 'op = "within"'), directory="typo")
    r = runner.invoke(app, ["programs", "check", "-P", str(p.parent), "-w", wh])
    assert r.exit_code == 2
    line = next(n for n, s in enumerate(p.read_text().splitlines(), 1) if '"within"' in s)
    assert f"demo.toml:{line}: eligibility[2].op: unknown operator 'within'" in "".join(r.output.split("\n"))
    r = runner.invoke(app, ["programs", "check", "-P", str(p.parent), "-w", wh, "--as-of", "June"])
    assert r.exit_code == 2 and "--as-of" in r.output


def test_shipped_programs_on_a_synthetic_platform(tmp_path: Path):
    from guanghe.data.ingest import ingest
    from guanghe.synth import SynthConfig, generate

    generate(SynthConfig(creators=500, months=24, seed=11), tmp_path / "synth")
    url = f"duckdb:///{tmp_path / 'wh.duckdb'}"
    ingest([tmp_path / "synth" / "data"], url)
    r = runner.invoke(app, ["programs", "check", "-w", url, "--as-of", "2023-06-30", "--json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.output)
    assert doc["feasible"] and len(doc["programs"]) == 7
    progs = {p["program"]: p for p in doc["programs"]}
    assert all(p["eligible_total"] > 0 for p in progs.values())
    assert progs["general_support"]["scale_factor"] == pytest.approx(doc["creators"] / 7_000_000)
    assert progs["xiaomai"]["eligible"]["head"] == progs["xiaomai"]["eligible"]["tail"] == 0
