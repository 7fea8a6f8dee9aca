"""Benchmark: the pipeline (ingest → money accrue → allocate → metrics → growth levels) on the Spark warehouse vs DuckDB.

    python benchmarks/bench_spark_pipeline.py [--creators 300] [--months 6] [--folder DIR]

Generates a synthetic platform (not timed), then runs each command through the CLI in this process, first
into a DuckDB file (the baseline), then into a Spark folder (local[2]); prints each step's seconds on both
engines and the ratio Spark / DuckDB. The Spark session's start is timed on its own line. Asserts both
engines print the same plan totals and metric values.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

from typer.testing import CliRunner

from guanghe.cli import app
from guanghe.synth import SynthConfig, generate

METRICS = ("works_published", "active_creators_10k", "market_gmv_fen", "support_impressions")


def steps(url: str, data: Path, ledger: Path) -> tuple[dict[str, float], dict]:
    runner, times, out = CliRunner(), {}, {}
    commands = {
        "ingest": ["ingest", str(data), "-w", url],
        # the programs weigh income: the ledger's income export comes before the plan
        "money accrue": [
            "money",
            "accrue",
            "-w",
            url,
            "--ledger",
            f"sqlite:///{ledger}",
            "--through",
            "2023-06-30",
        ],
        "allocate": ["allocate", "-w", url, "--plan-id", "bench"],
        "metrics": [
            "metrics",
            "-w",
            url,
            "--period",
            "2023-Q2",
            *[a for m in METRICS for a in ("--metric", m)],
        ],
        "growth levels": ["growth", "levels", "-w", url, "--as-of", "2023-06-30"],
    }
    for name, args in commands.items():
        t0 = time.perf_counter()
        r = runner.invoke(app, [*args, "--json"])
        times[name] = time.perf_counter() - t0
        if r.exit_code != 0:
            raise SystemExit(f"{name} on {url} failed: {r.output[-2000:]}")
        out[name] = json.loads(r.stdout)
    return times, out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--creators", type=int, default=300)
    ap.add_argument("--months", type=int, default=6)
    ap.add_argument("--folder", type=Path, default=None)
    args = ap.parse_args()
    root = args.folder or Path(tempfile.mkdtemp(prefix="bench_spark_"))
    data = root / "synth" / "data"
    if not data.exists():
        generate(SynthConfig(creators=args.creators, months=args.months, seed=7), root / "synth")
    for old in (root / "wh.duckdb", root / "wh"):
        shutil.rmtree(old, ignore_errors=True) if old.is_dir() else old.unlink(missing_ok=True)
    duck_t, duck = steps(f"duckdb:///{root / 'wh.duckdb'}", data, root / "ledger-duckdb.sqlite3")
    from guanghe.data.warehouse.spark import spark_session

    t0 = time.perf_counter()
    spark_session()
    print(f"Spark session start (local[2]): {time.perf_counter() - t0:.1f} s")
    spark_t, spark = steps(f"spark:///{root / 'wh'}", data, root / "ledger-spark.sqlite3")
    print(f"{args.creators:,} creators x {args.months} months")
    print(f"{'step':<14} {'DuckDB s':>9} {'Spark s':>9} {'Spark/DuckDB':>13}")
    for name in duck_t:
        print(f"{name:<14} {duck_t[name]:>9.1f} {spark_t[name]:>9.1f} {spark_t[name] / duck_t[name]:>12.1f}x")
    total_d, total_s = sum(duck_t.values()), sum(spark_t.values())
    print(f"{'total':<14} {total_d:>9.1f} {total_s:>9.1f} {total_s / total_d:>12.1f}x")
    plan = [
        [p[k] for k in ("program", "kind", "allocated", "creators")] for p in duck["allocate"]["programs"]
    ]
    assert plan == [
        [p[k] for k in ("program", "kind", "allocated", "creators")] for p in spark["allocate"]["programs"]
    ]
    assert duck["metrics"]["metrics"] == spark["metrics"]["metrics"], "the engines' metric values differ"
    print("Spark agrees with DuckDB (plan totals, metric values)")


if __name__ == "__main__":
    main()
