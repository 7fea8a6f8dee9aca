"""Benchmark: the full metric catalog (value, prior year, previous period) on DuckDB vs plain pandas.

    python benchmarks/bench_metrics.py DIR [--period last-12m] [--repeat 3]

DIR is a synthetic platform folder (``guanghe synth --creators 1000000 --months 24 --out DIR``) with
DIR/data/<table>/*.parquet. Not timed: loading the Parquet into a DuckDB file (DIR/bench_metrics.duckdb,
reused on later runs) and into pandas DataFrames. Timed: computing the whole catalog for the period, its
prior year and its previous period. Prints both medians and the ratio, and asserts the numbers agree.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).parent))
import pandas_catalog
from guanghe.data.schema import TABLES
from guanghe.data.warehouse.duckdb import DuckDBWarehouse
from guanghe.metrics import compute, resolve_period
from guanghe.synth.figures import _INCOME_VIEW

USED = ("creators", "works", "work_boost", "creator_daily", "income")  # work_daily is not read by the catalog


def ensure_income(root: Path) -> None:
    """A synthetic platform writes money events, not income (``guanghe money accrue`` writes it from the
    ledger): when DIR/data/income is missing, write the generator's truth earnings there as income rows (the
    same rows the ledger export gives, tests/money/test_end_to_end.py)."""
    out = root / "data" / "income"
    truth = root / "truth" / "earnings.parquet"
    if out.exists() or not truth.exists():
        return
    out.mkdir(parents=True)
    select = _INCOME_VIEW.format(path=str(truth).replace("'", "''"))
    duckdb.connect().execute(f"COPY ({select}) TO '{out / 'truth.parquet'}' (FORMAT parquet)")


def spark_folder(root: Path) -> Path:
    """DIR/bench_spark: the tables the DuckDB file holds (links to DIR/data/<table>) and every other declared
    table as an empty Parquet file, so both engines read the same rows (the Spark store opens a folder only
    with every declared table)."""
    import pyarrow.parquet as pq

    from guanghe.data.warehouse.parquet_writer import file_schema

    out = root / "bench_spark"
    out.mkdir(exist_ok=True)
    for name, decl in TABLES.items():
        folder = out / name
        if folder.exists() or folder.is_symlink():
            continue
        if name in USED:
            folder.symlink_to((root / "data" / name).resolve(), target_is_directory=True)
        else:
            folder.mkdir()
            pq.write_table(file_schema(decl).empty_table(), folder / "empty.parquet")
    return out


def load_duckdb(data: Path, db: Path) -> DuckDBWarehouse:
    """Create the DuckDB file from the Parquet (plain CTAS, no index: the catalog only scans)."""
    if not db.exists():
        tmp = db.with_suffix(".loading")
        tmp.unlink(missing_ok=True)
        con = duckdb.connect(str(tmp))
        for name in USED:
            cols = ", ".join(f'"{c}"' for c in TABLES[name].names)
            con.execute(
                f"CREATE TABLE \"{name}\" AS SELECT {cols} FROM read_parquet('{data / name}/*.parquet')"
            )
        con.close()
        tmp.rename(db)
    return DuckDBWarehouse(str(db))


def median_time(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def same(a: object, b: object) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return a is not None and b is not None and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return a == b


def time_spark(data: Path, period, values, repeat: int) -> float:
    """The same catalog on PySpark (local[2]) reading the Parquet of DIR/data (``spark_folder``); asserts it
    matches DuckDB."""
    from guanghe.data.warehouse.spark import SparkWarehouse

    folder = spark_folder(data.parent)
    t0 = time.perf_counter()
    tables = SparkWarehouse(str(folder)).tables()
    print(f"opened Spark in {time.perf_counter() - t0:.1f} s")
    spark_s, got = median_time(lambda: compute(tables, period), repeat)
    print(f"PySpark (Ibis) full catalog x3 periods: median {spark_s:.2f} s over {repeat} runs")
    assert [v.to_dict() for v in got] == [v.to_dict() for v in values], "Spark and DuckDB differ"
    print("Spark agrees with DuckDB")
    return spark_s


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dir", type=Path, help="synthetic platform folder (with data/<table>/*.parquet)")
    ap.add_argument("--period", default="last-12m")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--db", type=Path, help="DuckDB file (default DIR/bench_metrics.duckdb)")
    ap.add_argument("--spark", action="store_true", help="also time PySpark over DIR/data (slow)")
    ap.add_argument(
        "--no-pandas", action="store_true", help="skip the pandas baseline (DuckDB vs Spark only)"
    )
    args = ap.parse_args()
    data = args.dir / "data"
    ensure_income(args.dir)
    t0 = time.perf_counter()
    wh = load_duckdb(data, args.db or args.dir / "bench_metrics.duckdb")
    tables = wh.tables()
    rows = {n: wh.count(n) for n in USED}
    print(
        f"loaded DuckDB in {time.perf_counter() - t0:.1f} s: "
        + ", ".join(f"{n} {r:,}" for n, r in rows.items())
    )
    period = resolve_period(tables, args.period)
    periods = [period, period.prior_year(), period.previous()]
    print(f"period {period.label} (prior year {periods[1].label}, previous {periods[2].label})")

    duck_s, values = median_time(lambda: compute(tables, period), args.repeat)
    print(f"DuckDB (Ibis) full catalog x3 periods: median {duck_s:.2f} s over {args.repeat} runs")

    if not args.no_pandas:
        t0 = time.perf_counter()
        frames = pandas_catalog.load(data)
        print(f"loaded pandas in {time.perf_counter() - t0:.1f} s")

        def pandas_run() -> list[dict]:
            done: dict[tuple, dict] = {}  # like compute(): a period equal to another (last-12m) is done once
            for p in periods:
                if (p.start, p.end) not in done:
                    done[(p.start, p.end)] = pandas_catalog.compute(frames, p)
            return [done[(p.start, p.end)] for p in periods]

        pandas_s, base = median_time(pandas_run, args.repeat)
        print(f"pandas baseline full catalog x3 periods: median {pandas_s:.2f} s over {args.repeat} runs")
        print(f"ratio pandas / DuckDB: {pandas_s / duck_s:.1f}x")

        bad = []
        for v in values:
            for got, want, which in zip(
                (v.value, v.prior_value, v.previous_value), base, ("P", "prior", "prev"), strict=True
            ):
                if not same(got, want[v.name]):
                    bad.append(f"{v.name} [{which}]: DuckDB {got} vs pandas {want[v.name]}")
        assert not bad, "results differ:\n" + "\n".join(bad)
        print(f"all {len(values)} metrics x 3 periods agree")
    if args.spark:
        spark_s = time_spark(data, period, values, args.repeat)
        print(f"ratio Spark / DuckDB: {spark_s / duck_s:.1f}x")
    for v in values[:6]:
        yoy = "—" if v.yoy is None else f"{v.yoy:+.1%}"
        print(f"  {v.name:<24} {v.value:>16,} YoY {yoy}")
    wh.close()


if __name__ == "__main__":
    main()
