"""Ingestion throughput: rows/s per format (Parquet, CSV) into a fresh DuckDB file, median of N runs.

    .venv/bin/python benchmarks/bench_ingest.py                 # ~3 M work_daily rows + works, creators
    .venv/bin/python benchmarks/bench_ingest.py --rows 1000000  # smaller
    .venv/bin/python benchmarks/bench_ingest.py --folder DIR    # ingest an existing folder instead

The generated data: creators.parquet, works.parquet and work_daily/<month>.parquet (and the same as CSV);
every row valid, so the figure is the cost of reading, validating and merging.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

from guanghe.data.ingest import ingest
from guanghe.data.schema import CATEGORIES, REGIONS, WORK_KINDS
from guanghe.data.warehouse.duckdb import DuckDBWarehouse

COUNTS = ("organic_impressions", "boosted_impressions", "plays", "completed_plays", "likes", "comments",
          "shares", "follows_gained")  # fmt: skip
DAY0 = 19_358  # 2023-01-01


def _pick(rng: np.random.Generator, values: tuple[str, ...], n: int) -> pa.Array:
    return pa.array(np.array(values, dtype=object)[rng.integers(0, len(values), n)], pa.string())


def generate(
    root: Path, rows: int, formats: tuple[str, ...] = ("parquet", "csv"), creators: int = 50_000
) -> None:
    """Write creators, works and ~``rows`` work_daily rows (one file per 3 days) in each format."""
    rng = np.random.default_rng(42)
    days, files = 30, 10
    n_works = max(rows // days, 1)
    mcn = np.where(rng.random(creators) < 0.2, rng.integers(1, 500, creators), -1)
    tables = {
        "creators": pa.table({
            "creator_id": np.arange(1, creators + 1),
            "joined_on": pa.array(rng.integers(17_000, DAY0, creators).astype(np.int32)).view(pa.date32()),
            "region": _pick(rng, REGIONS, creators), "category": _pick(rng, CATEGORIES, creators),
            "mcn_id": pa.array(mcn, mask=mcn < 0),
            "is_ecommerce": rng.random(creators) < 0.1, "is_local_life": rng.random(creators) < 0.05,
        }),
        "works": pa.table({
            "work_id": np.arange(1, n_works + 1), "creator_id": rng.integers(1, creators + 1, n_works),
            "published_at": pa.array(
                (DAY0 * 86_400 + rng.integers(0, 86_400 * 300, n_works)) * 1_000_000, pa.timestamp("us")
            ),
            "kind": _pick(rng, WORK_KINDS, n_works), "category": _pick(rng, CATEGORIES, n_works),
            "duration_s": pa.array(rng.integers(0, 600, n_works), pa.int32()),
            "title": pa.nulls(n_works, pa.string()), "fingerprint": pa.nulls(n_works, pa.string()),
        }),
    }  # fmt: skip
    for fmt in formats:
        (root / fmt / "work_daily").mkdir(parents=True, exist_ok=True)
        for name, t in tables.items():
            _write(t, root / fmt / f"{name}.{fmt}", fmt)
    per_file = max(days // files, 1)
    for f in range(files):
        dates = np.arange(DAY0 + f * per_file, DAY0 + (f + 1) * per_file, dtype=np.int32)
        n = n_works * len(dates)
        t = pa.table({
            "work_id": np.tile(np.arange(1, n_works + 1), len(dates)),
            "date": pa.array(np.repeat(dates, n_works)).view(pa.date32()),
            **{c: rng.integers(0, 10_000, n) for c in COUNTS},
        })  # fmt: skip
        for fmt in formats:
            _write(t, root / fmt / "work_daily" / f"part-{f + 1:02d}.{fmt}", fmt)


def _write(table: pa.Table, path: Path, fmt: str) -> None:
    if fmt == "parquet":
        pq.write_table(table, path)
    else:
        pcsv.write_csv(table, path)


def run(folder: Path, runs: int) -> dict[str, float]:
    """Medians over ``runs`` fresh loads: seconds to commit, seconds to close (DuckDB's checkpoint), rows."""
    commit, close, total, wd_rows = [], [], 0, 0
    for i in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            wh = DuckDBWarehouse(str(Path(tmp) / f"run{i}.duckdb"))
            start = time.perf_counter()
            report = ingest([folder], wh)
            commit.append(time.perf_counter() - start)
            wh.close()
            close.append(time.perf_counter() - start - commit[-1])
        assert report.total("quarantined") == 0, report.quarantine_sample[:3]
        total = report.total("loaded")
        wd_rows = report.tables()["work_daily"].loaded if "work_daily" in report.tables() else 0
    return {
        "commit": statistics.median(commit),
        "close": statistics.median(close),
        "rows": total,
        "wd": wd_rows,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=3_000_000, help="work_daily rows to generate")
    parser.add_argument("--folder", type=Path, help="ingest this folder instead of generated data")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--formats", default="parquet,csv")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.folder:
            folders = {"folder": args.folder}
        else:
            start = time.perf_counter()
            generate(Path(tmp), args.rows, tuple(args.formats.split(",")))
            print(f"generated {args.rows:,} work_daily rows in {time.perf_counter() - start:.1f} s")
            folders = {fmt: Path(tmp) / fmt for fmt in args.formats.split(",")}
        for name, folder in folders.items():
            r = run(folder, args.runs)
            rows, commit, close = r["rows"], r["commit"], r["close"]
            print(
                f"{name:8s} {rows:>12,} rows (median of {args.runs}): committed in {commit:6.2f} s = "
                f"{rows / commit:>10,.0f} rows/s ({r['wd'] / commit:>10,.0f} work_daily rows/s); "
                f"+ checkpoint on close {close:5.2f} s = {rows / (commit + close):>10,.0f} rows/s"
            )


if __name__ == "__main__":
    main()
