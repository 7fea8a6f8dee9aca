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
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path

from typer.testing import CliRunner

from guanghe.cli import app
from guanghe.synth import SynthConfig, generate

PEAKS: dict = {}  # (warehouse url, step) -> peak resident bytes of this process and its children (the JVM)
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
        MEMORY.take()
        t0 = time.perf_counter()
        r = runner.invoke(app, [*args, "--json"])
        times[name] = time.perf_counter() - t0
        PEAKS[(url, name)] = MEMORY.take()
        if r.exit_code != 0:
            raise SystemExit(f"{name} on {url} failed: {r.output[-2000:]}")
        out[name] = json.loads(r.stdout)
    return times, out


def tree_rss(pid: int) -> int:
    """Resident bytes of a process and its descendants (the Spark driver JVM is a child of this process)."""
    kids: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                ppid = int(Path(f"/proc/{d}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            kids.setdefault(ppid, []).append(int(d))
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            status = Path(f"/proc/{p}/status").read_text()
            total += int(next(x for x in status.splitlines() if x.startswith("VmRSS")).split()[1]) * 1024
        except (OSError, StopIteration, ValueError):
            pass
        todo += kids.get(p, [])
    return total


class PeakMemory:
    """Samples this process tree's resident memory every half second; ``take()`` returns and resets the peak."""

    def __init__(self) -> None:
        self.peak, self._stop = 0, threading.Event()
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            self.peak = max(self.peak, tree_rss(os.getpid()))

    def take(self) -> int:
        peak, self.peak = max(self.peak, tree_rss(os.getpid())), 0
        return peak


MEMORY = PeakMemory()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--creators", type=int, default=300)
    ap.add_argument("--months", type=int, default=6)
    ap.add_argument("--folder", type=Path, default=None)
    args = ap.parse_args()
    root = args.folder or Path(tempfile.mkdtemp(prefix="bench_spark_"))
    data = root / "synth" / "data"
    if not data.exists():
        t0 = time.perf_counter()
        generate(SynthConfig(creators=args.creators, months=args.months, seed=7), root / "synth")
        print(f"synth (not part of the pipeline): {time.perf_counter() - t0:.0f} s", flush=True)
    for old in (root / "wh.duckdb", root / "wh"):
        shutil.rmtree(old, ignore_errors=True) if old.is_dir() else old.unlink(missing_ok=True)
    duck_url, spark_url = f"duckdb:///{root / 'wh.duckdb'}", f"spark:///{root / 'wh'}"
    duck_t, duck = steps(duck_url, data, root / "ledger-duckdb.sqlite3")
    from guanghe.data.warehouse.spark import spark_session

    t0 = time.perf_counter()
    spark_session()
    print(f"Spark session start (local[2]): {time.perf_counter() - t0:.1f} s")
    spark_t, spark = steps(spark_url, data, root / "ledger-spark.sqlite3")
    print(f"{args.creators:,} creators x {args.months} months")
    print(f"{'step':<14} {'DuckDB s':>9} {'Spark s':>9} {'Spark/DuckDB':>13} {'peak GiB D/S':>14}")
    gib = {k: v / 2**30 for k, v in PEAKS.items()}
    for name in duck_t:
        mem = f"{gib[(duck_url, name)]:.1f} / {gib[(spark_url, name)]:.1f}"
        print(
            f"{name:<14} {duck_t[name]:>9.1f} {spark_t[name]:>9.1f} {spark_t[name] / duck_t[name]:>12.1f}x {mem:>14}"
        )
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
