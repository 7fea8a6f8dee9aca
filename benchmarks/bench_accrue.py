"""Accrual throughput end to end: money events read from DuckDB -> rules -> transfers committed to the ledger
(and the income rows merged back), beside the ledger's bare batched transfer rate measured in the same run.

    .venv/bin/python benchmarks/bench_accrue.py                     # both stores, 200,000 events, 3 runs
    .venv/bin/python benchmarks/bench_accrue.py --store sqlite --events 50000 --runs 1

Workload: a synthetic DuckDB warehouse (seeded numpy) of N money events over 12 months for 10,000 creators, in
the demo's mix — ad revenue per work-day 50 %, e-commerce orders 25 % (90 % delivered, 10 % refunded, half of
them after the return window), local-life vouchers 8 %, task rewards 10 %, brand orders 2 %, weekly cash grants
5 % — with follower history (tiers) and 光合 / 中长尾电商 / 飞鸟 / 小麦 support (bonuses, fee discounts).
Each run accrues everything through the last day into a fresh ledger (SQLite file / fresh PostgreSQL schema),
checks reconcile, then runs accrue again (every transfer answers ``exists``: the rerun rate). The bare rate is
benchmarks/bench_ledger.py's workload (batches of 8,000, hot account in every transfer) on the same store.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa

from guanghe.data.schema import TABLES
from guanghe.data.warehouse import open_warehouse
from guanghe.ledger import open_ledger
from guanghe.ledger.reconcile import reconcile
from guanghe.money.accrue import accrue
from guanghe.money.rules import CHANNELS_DIR
from guanghe.money.rules_load import load_rules
from guanghe.programs import PROGRAMS_DIR

sys.path.insert(0, str(Path(__file__).parent))
import bench_ledger

PG = os.environ.get("GUANGHE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
START, DAYS = date(2022, 7, 1), 365
MIX = {"ad_revenue": 0.50, "ecommerce_orders": 0.25, "local_life_orders": 0.08, "task_rewards": 0.10,
       "brand_orders": 0.02, "cash_grants": 0.05}  # fmt: skip


def _ts(rng: np.random.Generator, days: np.ndarray) -> np.ndarray:
    base = np.datetime64(START, "us") + days.astype("timedelta64[D]")
    return base + rng.integers(0, 86_400_000_000, len(days)).astype("timedelta64[us]")


def _table(name: str, cols: dict) -> pa.Table:
    t, n = TABLES[name], len(next(iter(cols.values())))
    return pa.Table.from_pydict({c: cols.get(c, [None] * n) for c in t.names}, schema=t.arrow_schema())


def build(path: Path, events: int, creators: int = 10_000, seed: int = 7, works_each: int = 20) -> str:
    """A warehouse with ``events`` money events (see the module's docstring); returns its URL."""
    rng = np.random.default_rng(seed)
    n = {k: int(events * v) for k, v in MIX.items()}
    cid = np.arange(1, creators + 1, dtype=np.int64)
    tabs: dict[str, pa.Table] = {}
    tabs["creators"] = _table("creators", {
        "creator_id": cid, "joined_on": [date(2021, 1, 1)] * creators, "region": ["east"] * creators,
        "category": ["food"] * creators, "mcn_id": [None] * creators, "is_ecommerce": [True] * creators,
        "is_local_life": [True] * creators})  # fmt: skip
    works = creators * works_each
    wid = np.arange(1, works + 1, dtype=np.int64)
    wcr = rng.integers(1, creators + 1, works)
    wday = rng.integers(0, DAYS, works)
    tabs["works"] = _table("works", {
        "work_id": wid, "creator_id": wcr, "published_at": _ts(rng, wday), "kind": ["short_video"] * works,
        "category": ["food"] * works, "duration_s": np.full(works, 30, np.int32), "title": [None] * works})  # fmt: skip
    months = np.arange(12)
    dc, dm = np.repeat(cid, 12), np.tile(months, creators)
    ddays = np.array(
        [(date(2022 + (7 + m - 1) // 12, (7 + m - 1) % 12 + 1, 15) - START).days for m in months]
    )
    tabs["creator_daily"] = _table("creator_daily", {
        "creator_id": dc, "date": np.datetime64(START, "D") + ddays[dm].astype("timedelta64[D]"),
        "followers": (10 ** rng.uniform(2, 6.5, len(dc))).astype(np.int64),
        "follows_lost": np.zeros(len(dc), np.int64)})  # fmt: skip
    boosted = rng.choice(works, works // 10, replace=False)
    progs = np.array(["guanghe", "ecom_tail", "feiniao", "xiaomai"], dtype=object)
    tabs["work_boost"] = _table("work_boost", {
        "work_id": wid[boosted], "date": np.datetime64(START, "D") + wday[boosted].astype("timedelta64[D]"),
        "program": progs[rng.integers(0, 4, len(boosted))].tolist(), "impressions": np.full(len(boosted), 500)})  # fmt: skip
    # ad revenue: distinct (work, day) pairs on or after publication
    k = n["ad_revenue"]
    aw = rng.integers(0, works, k)
    ad_day = np.minimum(wday[aw] + rng.integers(0, 30, k), DAYS - 1)
    pairs = np.unique(np.stack([wid[aw], ad_day], 1), axis=0)
    tabs["ad_revenue"] = _table("ad_revenue", {
        "work_id": pairs[:, 0], "date": np.datetime64(START, "D") + pairs[:, 1].astype("timedelta64[D]"),
        "ad_impressions": np.full(len(pairs), 1000), "gross_fen": rng.integers(1, 20_000, len(pairs))})  # fmt: skip
    for name, extra in (("ecommerce_orders", True), ("local_life_orders", False)):
        k = n[name]
        pd = rng.integers(0, DAYS - 20, k)
        paid = _ts(rng, pd)
        amount = rng.integers(100, 50_000, k)
        later = paid + rng.integers(1, 5 * 86_400_000_000, k).astype("timedelta64[us]")
        refunded = rng.random(k) < 0.1
        ref_at = later + rng.integers(0, 20 * 86_400_000_000, k).astype("timedelta64[us]")
        cols = {"order_id": np.arange(1, k + 1), "creator_id": rng.integers(1, creators + 1, k), "paid_at": paid,
                "amount_fen": amount, "commission_bps": rng.integers(500, 3000, k),
                "refunded_at": pa.array(ref_at, mask=~refunded), "refund_fen": np.where(refunded, amount // 2, 0)}  # fmt: skip
        if extra:
            cols |= {"merchant_id": rng.integers(1, 2000, k), "product_id": rng.integers(1, 10**6, k),
                     "touchpoint": np.array(["live", "short_video", "storefront"], dtype=object)[rng.integers(0, 3, k)].tolist(),
                     "delivered_at": pa.array(later, mask=rng.random(k) > 0.9)}  # fmt: skip
        else:
            cols |= {
                "store_id": rng.integers(1, 2000, k),
                "redeemed_at": pa.array(later, mask=rng.random(k) > 0.8),
            }
        tabs[name] = _table(name, cols)
    k = n["task_rewards"]
    tabs["task_rewards"] = _table("task_rewards", {
        "reward_id": np.arange(1, k + 1), "task_id": ["t"] * k, "creator_id": rng.integers(1, creators + 1, k),
        "completed_at": _ts(rng, rng.integers(0, DAYS, k)), "reward_fen": rng.integers(100, 5000, k)})  # fmt: skip
    k = n["brand_orders"]
    tabs["brand_orders"] = _table("brand_orders", {
        "order_id": np.arange(1, k + 1), "brand_id": rng.integers(1, 500, k),
        "creator_id": rng.integers(1, creators + 1, k), "price_fen": rng.integers(10_000, 10_000_000, k),
        "completed_at": _ts(rng, rng.integers(0, DAYS, k))})  # fmt: skip
    k = n["cash_grants"]
    mondays = np.datetime64("2022-07-04", "D") + (7 * rng.integers(0, 50, k)).astype("timedelta64[D]")
    tabs["cash_grants"] = _table("cash_grants", {
        "grant_id": np.arange(1, k + 1), "creator_id": rng.integers(1, creators + 1, k),
        "program": np.array(["guanghe", "juguang", "feiniao"], dtype=object)[rng.integers(0, 3, k)].tolist(),
        "week_start": mondays, "amount_fen": rng.integers(1000, 20_000, k)})  # fmt: skip
    url = f"duckdb:///{path}"
    wh = open_warehouse(url, create=True)
    with wh.writer() as w:
        for name, t in tabs.items():
            w.merge(name, t)
    wh.close()
    return url


def run(wh_url: str, ledger_url: str) -> dict[str, float]:
    rules, names = load_rules(CHANNELS_DIR, PROGRAMS_DIR)
    through, zone = START + timedelta(days=DAYS - 1), ZoneInfo("Asia/Shanghai")
    wh = open_warehouse(wh_url)
    try:
        with open_ledger(ledger_url, create=True) as ledger:
            t0 = time.perf_counter()
            first = accrue(wh, ledger, rules, names, through, zone)
            t1 = time.perf_counter()
            again = accrue(wh, ledger, rules, names, through, zone)
            t2 = time.perf_counter()
            report = reconcile(ledger)
            assert report.ok and first.ok and again.ok, (report.problems[:3], first.problems[:3])
            transfers = sum(c.new for c in first.channels.values())
            assert sum(c.present for c in again.channels.values()) == transfers
    finally:
        wh.close()
    return {"events": first.events, "transfers": transfers, "seconds": t1 - t0, "rerun": t2 - t1,
            "income": first.income.inserted}  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--store", choices=["sqlite", "postgres", "both"], default="both")
    ap.add_argument("--events", type=int, default=200_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--bare", type=int, default=100_000, help="transfers for the bare ledger rate")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        build(Path(tmp) / "bench.duckdb", args.events)
        print(f"warehouse with {args.events:,} events built in {time.perf_counter() - t0:.1f} s")
        schemas: list[str] = []
        for store in ("sqlite", "postgres"):
            if args.store not in (store, "both"):
                continue
            figures, bare = [], []
            for i in range(args.runs):
                if store == "sqlite":
                    url = f"sqlite:///{Path(tmp) / uuid.uuid4().hex}.sqlite3"
                    factory = bench_ledger.sqlite_factory(Path(tmp))
                else:
                    schemas.append(f"bench_{uuid.uuid4().hex[:12]}")
                    url = f"{PG}?schema={schemas[-1]}"
                    factory = bench_ledger.postgres_factory(schemas)
                copy = (
                    Path(tmp) / f"run-{uuid.uuid4().hex}.duckdb"
                )  # each run exports into an empty income table
                shutil.copy(Path(tmp) / "bench.duckdb", copy)
                f = run(f"duckdb:///{copy}", url)
                copy.unlink()
                b = bench_ledger.run(factory, args.bare, 10_000, 8_000, 200)[0]
                figures.append(f)
                bare.append(b)
                print(f"{store:8s} run {i + 1}: {f['events']:,} events -> {f['transfers']:,} transfers in "
                      f"{f['seconds']:.1f} s = {f['events'] / f['seconds']:,.0f} events/s "
                      f"({f['transfers'] / f['seconds']:,.0f} transfers/s; rerun {f['rerun']:.1f} s); "
                      f"bare ledger {b:,.0f} transfers/s", flush=True)  # fmt: skip
            ev = statistics.median(f["events"] / f["seconds"] for f in figures)
            tr = statistics.median(f["transfers"] / f["seconds"] for f in figures)
            b = statistics.median(bare)
            print(f"{store:8s} MEDIAN accrual {ev:,.0f} events/s ({tr:,.0f} transfers/s, "
                  f"{figures[0]['transfers'] / figures[0]['events']:.2f} transfers per event); bare ledger "
                  f"{b:,.0f} transfers/s; accrual / bare = {tr / b:.2f} (target >= 20,000 events/s)")  # fmt: skip
        if schemas:
            import psycopg

            with psycopg.connect(PG, autocommit=True) as con:
                for s in schemas:
                    con.execute(f'DROP SCHEMA IF EXISTS "{s}" CASCADE')


if __name__ == "__main__":
    main()
