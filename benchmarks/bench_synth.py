"""Benchmark of the synthetic platform generator: wall time, peak RSS, rows per table (the money events and
the truth's earnings among them) and rows/s.

    python benchmarks/bench_synth.py [--creators 1000000] [--months 24] [--repeat 2] [--out DIR]

Each repetition runs in a fresh subprocess (so peak RSS is that run's own) and writes into a temporary folder
that is removed afterwards unless --out is given. The figures printed last are medians over the repetitions.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path


def child(creators: int, months: int, out: str) -> None:
    from guanghe.synth import SynthConfig, generate

    summary = generate(SynthConfig(creators=creators, months=months), out)
    summary["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(summary))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--creators", type=int, default=1_000_000)
    ap.add_argument("--months", type=int, default=24)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--out", default=None, help="keep the data here (default: a temporary folder, removed)")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.creators, args.months, args.out)
        return
    runs = []
    for i in range(args.repeat):
        out = args.out or tempfile.mkdtemp(prefix="guanghe-bench-")
        cmd = [
            sys.executable,
            __file__,
            "--child",
            "--creators",
            str(args.creators),
            "--months",
            str(args.months),
        ]
        proc = subprocess.run([*cmd, "--out", out], capture_output=True, text=True, check=True)
        run = json.loads(proc.stdout.strip().splitlines()[-1])
        size = sum(f.stat().st_size for f in Path(out).rglob("*.parquet"))
        run["disk_mib"] = size / 2**20
        if args.out is None:
            shutil.rmtree(out)
        runs.append(run)
        total = sum(run["rows"].values())
        print(
            f"run {i + 1}: {run['seconds']:.1f} s, peak RSS {run['peak_rss_mib']:,.0f} MiB, {total:,} rows, "
            f"{run['rows_per_second']:,} rows/s, {run['disk_mib']:,.0f} MiB on disk",
            flush=True,
        )
    med = {
        k: statistics.median(r[k] for r in runs)
        for k in ("seconds", "peak_rss_mib", "rows_per_second", "disk_mib")
    }
    print(f"\ngenerator: {args.creators:,} creators x {args.months} months, median of {len(runs)} runs")
    print(f"  wall time      {med['seconds']:10.1f} s")
    print(f"  peak RSS       {med['peak_rss_mib']:10,.0f} MiB")
    print(f"  rows/s         {med['rows_per_second']:10,.0f}")
    print(f"  on disk        {med['disk_mib']:10,.0f} MiB")
    from guanghe.data.money_schema import EVENT_TABLES

    for table, rows in runs[0]["rows"].items():
        print(f"  {table:<17} {rows:>14,} rows")
    events = sum(runs[0]["rows"][t.name] for t in EVENT_TABLES)
    print(f"  {'money events':<17} {events:>14,} rows (all event tables)")
    print(f"  {'truth/earnings':<17} {runs[0]['truth_earnings']:>14,} rows")


if __name__ == "__main__":
    main()
