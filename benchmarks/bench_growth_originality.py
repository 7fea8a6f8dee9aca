"""Benchmark of the originality scan: ~1M works' fingerprints of a generated platform (planted re-uploads and
near misses), scanned by the LSH index + verification + earliest-publisher resolution; precision / recall
against the generator's truth beside two naive baselines (exact first-frame hash, equal titles); and the
brute-force all-pairs frame comparison timed on a sample and extrapolated (n^2) for the ratio.

    python benchmarks/bench_growth_originality.py [--creators 16000] [--months 24] [--seed 5] [--repeat 3]

The figures printed last are medians over the repetitions of the scan (wall and CPU seconds: on a machine
shared with other work the wall time stretches, the CPU time much less).
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

from guanghe.data.warehouse.duckdb import DuckDBWarehouse
from guanghe.growth.originality.baselines import exact_fingerprint, score, title_equality
from guanghe.growth.originality.hashing import MIRROR_MASK, distance
from guanghe.growth.originality.match import Thresholds, detect
from guanghe.growth.originality.platform import load_works
from guanghe.growth.originality.resolve import resolve
from guanghe.synth import SynthConfig, generate


def brute_force_seconds(frames: np.ndarray, sample: int) -> float:
    """All pairs of ``sample`` frame hashes (direct and mirrored) within the threshold, by popcount."""
    h = frames[:sample]
    t0 = time.perf_counter()
    hits = 0
    for s in range(0, sample, 2048):
        block = h[s : s + 2048, None]
        hits += int(
            ((distance(block, h[None, :]) <= 12) | (distance(block ^ MIRROR_MASK, h[None, :]) <= 12)).sum()
        )
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--creators", type=int, default=16_000)
    ap.add_argument("--months", type=int, default=24)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--sample", type=int, default=40_000, help="frames in the brute-force sample")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as out:
        generate(SynthConfig(creators=args.creators, months=args.months, seed=args.seed), out)
        truth = {r["work_id"] for r in pq.read_table(Path(out) / "truth" / "reuploads.parquet").to_pylist()}
        wh = DuckDBWarehouse.over_parquet(Path(out) / "data")
        through = (
            wh.fetch(wh.table("works").published_at.max().name("last").as_table()).column(0)[0].as_py().date()
        )
        t0 = time.perf_counter()
        works = load_works(wh, through)
        load_s = time.perf_counter() - t0
        wh.close()
    times, cpu, found = [], [], None
    for _ in range(args.repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        pairs = detect(works, Thresholds())
        verdicts = resolve(works, pairs, {})
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        found = score({v.work_id for v in verdicts if v.flagged}, truth)
    n, frames = len(works.work_id), len(works.frames)
    brute = brute_force_seconds(works.frames, args.sample) * (frames / args.sample) ** 2
    exact, title = score(exact_fingerprint(works), truth), score(title_equality(works), truth)
    median = statistics.median(times)
    figures = {
        "works": n, "frames": frames, "planted_reuploads": len(truth), "load_s": round(load_s, 2),
        "scan_s_median": round(median, 2), "scan_s": [round(t, 2) for t in times],
        "scan_cpu_s_median": round(statistics.median(cpu), 2),  # both threads; on a busy machine wall > this
        "works_per_s": round(n / median), "brute_force_s_extrapolated": round(brute),
        "speedup_vs_brute_force": round(brute / median, 1),
        "precision": round(found.precision, 4), "recall": round(found.recall, 4),
        "exact_fingerprint": {"precision": round(exact.precision, 4), "recall": round(exact.recall, 4)},
        "title_equality": {"precision": round(title.precision, 4), "recall": round(title.recall, 4)},
    }  # fmt: skip
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
