"""Benchmark: growth-rights levels for every creator (features, rules with hysteresis, stored history).

    python benchmarks/bench_growth_levels.py [--creators 1000000] [--months 4] [--folder DIR] [--repeat 3]
                                             [--spark]

Generates a synthetic platform (window ending 2023-06-30; ``--folder`` reuses one) and loads the tables the
levels read into a DuckDB file (not timed). Timed, on DuckDB:

- the first run, as of 2023-05-31 (every creator starts at the base level: the most changes to store);
- ``--repeat`` reruns as of 2023-06-30, which read that history (promotions and demotions); a rerun replaces
  the day's rows, so every repeat does the same work (and must store the same rows);
- the naive baseline in the same setting: the same features fetched once, then the rules applied creator by
  creator in Python (``LevelRules.assign``, the reference the query mirrors); the ranks must agree.

``--spark``: exports the warehouse to Parquet and computes the 2023-06-30 levels on PySpark (local[2]);
the rows must equal DuckDB's. Prints every figure.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np

from guanghe.data.warehouse.duckdb import DuckDBWarehouse
from guanghe.growth.level_features import level_features
from guanghe.growth.level_load import LEVELS_FILE, load_levels
from guanghe.growth.level_run import run_levels
from guanghe.growth.levels import compute_levels, previous_ranks

FIRST, SECOND = date(2023, 5, 31), date(2023, 6, 30)
USED = ("creators", "works", "work_daily", "creator_daily", "creator_violations")


def build(folder: Path, creators: int, months: int, db: Path) -> DuckDBWarehouse:
    if not (folder / "data" / "creators").exists():
        from guanghe.synth import SynthConfig, generate

        t0 = time.perf_counter()
        summary = generate(SynthConfig(creators=creators, months=months), folder)
        print(f"synth: {creators:,} creators x {months} months in {time.perf_counter() - t0:.1f} s: "
              + ", ".join(f"{k} {summary['rows'][k]:,}" for k in USED), flush=True)  # fmt: skip
    db.unlink(missing_ok=True)
    wh = DuckDBWarehouse(str(db))
    t0 = time.perf_counter()
    for name in USED:
        glob = str(folder / "data" / name / "*.parquet")
        wh.raw.execute(f"INSERT INTO \"{name}\" SELECT * FROM read_parquet('{glob}')")
    print(f"loaded into {db} in {time.perf_counter() - t0:.1f} s", flush=True)
    return wh


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--creators", type=int, default=1_000_000)
    ap.add_argument("--months", type=int, default=4)
    ap.add_argument("--folder", type=Path, default=None)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--spark", action="store_true")
    args = ap.parse_args()
    tmp = tempfile.TemporaryDirectory(prefix="bench_levels_")
    folder = args.folder or Path(tmp.name) / "synth"
    wh = build(folder, args.creators, args.months, Path(tmp.name) / "levels.duckdb")
    rules = load_levels(LEVELS_FILE)

    print(f"load average before the runs: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", flush=True)
    cpu = time.process_time()
    first = run_levels(wh, rules, FIRST)
    print(f"first run as of {FIRST}: {first.creators:,} creators, {first.changes.num_rows:,} changes stored "
          f"in {first.seconds:.2f} s (CPU {time.process_time() - cpu:.1f} s); levels {first.counts}", flush=True)  # fmt: skip
    times, cpus, stored = [], [], None
    for _ in range(args.repeat):
        cpu = time.process_time()
        run = run_levels(wh, rules, SECOND)
        cpus.append(time.process_time() - cpu)
        times.append(run.seconds)
        if stored is not None and not run.changes.equals(stored):
            sys.exit("a rerun stored other rows")
        stored = run.changes
    print(f"run as of {SECOND} (reads the history): {run.creators:,} creators, {run.promoted:,} promoted, "
          f"{run.demoted:,} demoted; runs {', '.join(f'{t:.2f}' for t in times)} s, "
          f"median {statistics.median(times):.2f} s (target < 30 s), CPU median {statistics.median(cpus):.1f} s "
          f"(all threads); levels {run.counts}", flush=True)  # fmt: skip

    t0 = time.perf_counter()
    feats = wh.fetch(level_features(wh.tables(), SECOND)).to_pylist()
    prev = wh.fetch(previous_ranks(wh.table("creator_levels"), SECOND))
    t1 = time.perf_counter()
    previous = dict(
        zip(prev.column("creator_id").to_pylist(), prev.column("previous_rank").to_pylist(), strict=True)
    )
    ranks = {r["creator_id"]: rules.assign(r, previous.get(r["creator_id"], 0)) for r in feats}
    t2 = time.perf_counter()
    query = wh.fetch(compute_levels(wh.tables(), rules, SECOND))
    t3 = time.perf_counter()
    got = dict(zip(query.column("creator_id").to_pylist(), query.column("rank").to_pylist(), strict=True))
    if got != ranks:
        sys.exit("the query's ranks differ from the Python reference")
    print(f"baseline (features fetched {t1 - t0:.2f} s, then Python rules creator by creator {t2 - t1:.2f} s): "
          f"{t2 - t0:.2f} s; the levels query alone (no store) {t3 - t2:.2f} s; ranks agree on "
          f"{len(ranks):,} creators; rules step: Python {t2 - t1:.2f} s vs query - features fetch "
          f"{max(t3 - t2 - (t1 - t0), 0):.2f} s", flush=True)  # fmt: skip

    if args.spark:
        from guanghe.data.warehouse import open_warehouse

        out = wh.export_parquet(Path(tmp.name) / "export")
        duck = query.sort_by("creator_id")
        spark = open_warehouse(f"spark:///{out}")
        t0 = time.perf_counter()
        rows = spark.fetch(compute_levels(spark.tables(), rules, SECOND)).sort_by("creator_id")
        secs = time.perf_counter() - t0
        same = rows.select(duck.column_names).cast(duck.schema).equals(duck)
        counts = np.bincount(rows.column("rank").to_numpy(), minlength=len(rules.levels)).tolist()
        print(f"PySpark (local[2]): {rows.num_rows:,} creators in {secs:.1f} s, levels {counts}; "
              f"rows identical to DuckDB: {same}", flush=True)  # fmt: skip
        spark.close()
        if not same:
            sys.exit("PySpark and DuckDB differ")
    wh.close()


if __name__ == "__main__":
    main()
