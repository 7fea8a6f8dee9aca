"""``guanghe allocate`` and ``guanghe explain`` through Typer's CliRunner on the small synthetic platform."""

from __future__ import annotations

import json
import re
import shutil

import duckdb
from synth_platform import plan_rows, small_platform
from typer.testing import CliRunner

from guanghe.cli import app
from guanghe.programs import PROGRAMS_DIR

runner = CliRunner()


def test_allocate_stores_the_plan_and_prints_certificate_prices_and_scores(
    tmp_path_factory, tmp_path
) -> None:
    p = small_platform(tmp_path_factory)
    db = tmp_path / "copy.duckdb"
    shutil.copy(p.root / "wh.duckdb", db)
    url = f"duckdb:///{db}"
    r = runner.invoke(app, ["allocate", "-w", url, "--truth", str(p.truth), "--plan-id", "cli"])
    assert r.exit_code == 0, r.output
    out = r.output
    assert re.search(
        r"impressions: primal [\d,.]+ follows \(outcome-weighted\), dual bound [\d,.]+, gap", out
    )
    assert "cash_fen: primal" in out and "shadow price" in out and "general_support" in out
    ratio = float(re.search(r"allocator / oracle = ([\d.]+)", out).group(1))
    assert ratio >= 0.90 and "best baseline" in out
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert (
            con.execute(
                "SELECT count(DISTINCT program) FROM allocation_programs WHERE plan_id = 'cli'"
            ).fetchone()[0]
            == 7
        )
    finally:
        con.close()
    r = runner.invoke(app, ["explain", "-w", url, "--json", str(int(p.plan.platform.creator_id[0]))])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.output)
    assert doc["plan_id"] == "cli" and len(doc["programs"]) == 7
    r = runner.invoke(
        app, ["explain", "-w", url, "--plan-id", "cli", str(int(p.plan.platform.creator_id[1]))]
    )
    assert r.exit_code == 0 and "curve (per boosted work-day)" in r.output


def test_bad_input_exits_2_with_a_clear_message(tmp_path) -> None:
    r = runner.invoke(app, ["allocate", "-w", f"duckdb:///{tmp_path / 'x.duckdb'}", "--as-of", "June"])
    assert r.exit_code == 2 and "--as-of" in r.output
    r = runner.invoke(app, ["explain", "-w", f"duckdb:///{tmp_path / 'x.duckdb'}", "1"])
    assert r.exit_code == 2 and "no warehouse at" in r.output and "guanghe ingest" in r.output
    assert not (tmp_path / "x.duckdb").exists()  # a read never creates a store


def test_infeasible_programs_exit_1_naming_the_conflict_and_write_nothing(tmp_path_factory, tmp_path) -> None:
    p = small_platform(tmp_path_factory)
    db = tmp_path / "copy.duckdb"
    shutil.copy(p.root / "wh.duckdb", db)
    progs = tmp_path / "progs"
    progs.mkdir()
    text = (PROGRAMS_DIR / "xiaomai.toml").read_text(encoding="utf-8")
    (progs / "xiaomai.toml").write_text(
        text.replace("[caps]", "[floors]\nhead = 0.5\n\n[caps]"), encoding="utf-8"
    )
    r = runner.invoke(app, ["allocate", "-w", f"duckdb:///{db}", "-P", str(progs), "--plan-id", "bad"])
    assert r.exit_code == 1, r.output
    assert "floors.head" in r.output and "xiaomai" in r.output
    assert plan_rows(db, "bad") == 0


def test_allocate_json_prints_the_plan_summary_the_warehouse_holds(tmp_path_factory, tmp_path) -> None:
    p = small_platform(tmp_path_factory)
    db = tmp_path / "copy.duckdb"
    shutil.copy(p.root / "wh.duckdb", db)
    r = runner.invoke(app, ["allocate", "-w", f"duckdb:///{db}", "--plan-id", "js", "--json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)  # nothing but the JSON on stdout
    assert doc["plan_id"] == "js" and doc["as_of"] == "2023-06-30" and doc["creators"] == 4_000
    con = duckdb.connect(str(db), read_only=True)
    try:
        for table, n in doc["rows"].items():
            assert con.execute(f"SELECT count(*) FROM {table} WHERE plan_id = 'js'").fetchone()[0] == n > 0
        cur = con.execute("SELECT * FROM allocation_programs WHERE plan_id = 'js'")
        names = [d[0] for d in cur.description]
        stored = {(row[1], row[2]): dict(zip(names, row, strict=True)) for row in cur.fetchall()}
    finally:
        con.close()
    assert (
        set(doc["certificate"]) == {"impressions", "cash_fen"} and len(doc["programs"]) == len(stored) == 11
    )
    floors = {
        (q.name, kind, t): q.floor_amount(t, kind) for q in p.programs for kind in q.budget for t in q.floors
    }
    for e in doc["programs"]:
        row = stored[e["program"], e["kind"]]
        for field in ("budget", "allocated", "creators", "shadow_price", "budget_binding"):
            assert e[field] == row[field], (e["program"], field)
        cert = doc["certificate"][e["kind"]]
        assert (cert["primal"], cert["dual_bound"], cert["gap"]) == (
            row["primal"],
            row["dual_bound"],
            row["gap"],
        )
        assert e["floors_hold"] and all(f["holds"] and f["allocated"] >= f["floor"] for f in e["floors"])
        assert {f["tier"]: f["floor"] for f in e["floors"]} == {
            t: v for (name, kind, t), v in floors.items() if (name, kind) == (e["program"], e["kind"])
        }
        assert ",".join(f["tier"] for f in e["floors"] if f["binding"]) == row["floors_binding"]
    general = next(
        e for e in doc["programs"] if (e["program"], e["kind"]) == ("general_support", "impressions")
    )
    assert [(f["tier"], f["share"]) for f in general["floors"]] == [("waist", 0.3), ("tail", 0.4)]


def test_allocate_json_keeps_the_exit_codes(tmp_path_factory, tmp_path) -> None:
    r = runner.invoke(app, ["allocate", "--json", "-w", f"duckdb:///{tmp_path / 'none.duckdb'}"])
    assert r.exit_code == 2 and "no warehouse at" in r.output and not (tmp_path / "none.duckdb").exists()
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    r = runner.invoke(app, ["allocate", "--json", "-w", f"duckdb:///{empty}"])
    assert r.exit_code == 2 and "no data in" in r.output
    p = small_platform(tmp_path_factory)
    db = tmp_path / "copy.duckdb"
    shutil.copy(p.root / "wh.duckdb", db)
    progs = tmp_path / "progs"
    progs.mkdir()
    text = (PROGRAMS_DIR / "xiaomai.toml").read_text(encoding="utf-8")
    (progs / "xiaomai.toml").write_text(
        text.replace("[caps]", "[floors]\nhead = 0.5\n\n[caps]"), encoding="utf-8"
    )
    r = runner.invoke(app, ["allocate", "--json", "-w", f"duckdb:///{db}", "-P", str(progs)])
    assert r.exit_code == 1 and "floors.head" in r.output
