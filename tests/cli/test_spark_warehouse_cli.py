"""The pipeline on the Spark warehouse: ``guanghe ingest → allocate → metrics`` (and the level run, the money
accrual with its income export) through
the real CLI on a small synthetic platform, once into a DuckDB file and once into a Spark folder (local[2]);
DuckDB is the reference engine: the same plan, the same metric values, the same levels."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from guanghe.cli import app
from guanghe.synth import SynthConfig, generate

pytest.importorskip("pyspark")
pytestmark = pytest.mark.spark

runner = CliRunner()
METRICS = (
    "works_published",
    "active_creators_10k",
    "market_gmv_fen",
    "support_impressions",
    "supported_follower_gain",
)


def run(*args: str) -> dict:
    r = runner.invoke(app, [*args, "--json"])
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def pipeline(url: str, data: Path, ledger: str) -> dict:
    """What each command printed (the parts that do not depend on the engine or the clock)."""
    ingested = run("ingest", str(data), "-w", url)
    # money first: the programs weigh income, read from the ledger's income export
    money = run("money", "accrue", "-w", url, "--ledger", ledger, "--through", "2023-06-30")
    plan = run("allocate", "-w", url, "--plan-id", "p1")
    metric_args = [a for m in METRICS for a in ("--metric", m)]
    metrics = run("metrics", "-w", url, "--period", "2023-Q2", *metric_args)
    levels = run("growth", "levels", "-w", url, "--as-of", "2023-06-30")
    again = run("ingest", str(data), "-w", url)  # idempotent: every row is a duplicate now
    return {
        "loaded": {t: v["loaded"] for t, v in ingested["tables"].items()},
        "duplicates": again["totals"]["duplicates"],
        "plan": [
            {k: p[k] for k in ("program", "kind", "budget", "allocated", "creators")}
            for p in plan["programs"]
        ],
        "shadow": [round(p["shadow_price"], 9) for p in plan["programs"]],
        "metrics": {m["name"]: m["value"] for m in metrics["metrics"]},
        "levels": {k: levels[k] for k in ("creators", "levels", "promoted", "demoted")},
        "money": {c: (v["events"], v["new"], v["earnings_fen"]) for c, v in money["channels"].items()},
        "income": money["income"],
    }


def test_ingest_allocate_metrics_levels_agree_on_duckdb_and_spark(tmp_path) -> None:
    generate(SynthConfig(creators=300, months=6, seed=7), tmp_path / "synth")
    data = tmp_path / "synth" / "data"
    duck = pipeline(f"duckdb:///{tmp_path / 'wh.duckdb'}", data, f"sqlite:///{tmp_path / 'duck.sqlite3'}")
    spark = pipeline(f"spark:///{tmp_path / 'wh'}", data, f"sqlite:///{tmp_path / 'spark.sqlite3'}")
    assert spark == duck
    assert sum(p["allocated"] for p in duck["plan"]) > 0 and duck["duplicates"] == sum(
        duck["loaded"].values()
    )
    assert duck["metrics"]["works_published"] > 0 and (tmp_path / "wh" / "_manifest.json").exists()
    assert duck["income"]["inserted"] > 0 and duck["income"]["conflicts"] == 0  # the money export merged
