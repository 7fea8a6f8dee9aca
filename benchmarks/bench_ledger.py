"""Ledger throughput: batched ``create_transfers`` with all checks on, vs one transaction per transfer.

    .venv/bin/python benchmarks/bench_ledger.py                      # both stores, 3 runs each
    .venv/bin/python benchmarks/bench_ledger.py --store sqlite --transfers 100000 --runs 1

Workload: 10,000 creator accounts flagged debits_must_not_exceed_credits (funded first), one platform
revenue account that is in EVERY transfer (the hot account), batches of 8,000: creator -> platform fees and
platform -> creator payouts, 10% of them two-phase (pending in one batch, posted for less in the next).
Each run uses a fresh database (SQLite file in a temp dir; a fresh PostgreSQL schema, dropped after).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from guanghe.ledger import CNY, Account, AccountCode, LedgerStore, Transfer, open_ledger
from guanghe.ledger.reconcile import reconcile

PG = os.environ.get("GUANGHE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
PLATFORM, FUNDING, CREATOR0 = 1, 2, 1000
DMNEC, PENDING, POST = 2, 2, 4


def setup(store: LedgerStore, creators: int) -> None:
    accounts = [
        Account(PLATFORM, CNY, AccountCode.PLATFORM_REVENUE),
        Account(FUNDING, CNY, AccountCode.BRAND_FUNDING),
    ]
    accounts += [
        Account(CREATOR0 + i, CNY, AccountCode.CREATOR_BALANCE, flags=DMNEC) for i in range(creators)
    ]
    assert set(store.create_accounts(accounts)) == {"ok"}
    funding = [
        Transfer(10**12 + i, FUNDING, CREATOR0 + i, 10**9, ledger=CNY, code=1) for i in range(creators)
    ]
    assert set(store.create_transfers(funding)) == {"ok"}


def workload(n: int, creators: int, batch: int, seed: int = 7) -> list[list[Transfer]]:
    rng = random.Random(seed)
    batches, held, next_id = [], [], 1
    for _ in range(0, n, batch):
        out: list[Transfer] = []
        for p in held:  # post last batch's pending transfers for less
            out.append(Transfer(next_id, pending_id=p, amount=50, flags=POST))
            next_id += 1
        held = []
        while len(out) < batch:
            c = CREATOR0 + rng.randrange(creators)
            r = rng.random()
            if r < 0.1:
                out.append(
                    Transfer(next_id, c, PLATFORM, 100, ledger=CNY, code=2, flags=PENDING, timeout=3600)
                )
                held.append(next_id)
            elif r < 0.6:
                out.append(Transfer(next_id, c, PLATFORM, rng.randint(1, 500), ledger=CNY, code=2))
            else:
                out.append(Transfer(next_id, PLATFORM, c, rng.randint(1, 400), ledger=CNY, code=3))
            next_id += 1
        batches.append(out)
    return batches


def run(
    open_store: Callable[[], LedgerStore], n: int, creators: int, batch: int, single: int
) -> tuple[float, float]:
    with open_store() as store:
        setup(store, creators)
        batches = workload(n, creators, batch)
        total = sum(map(len, batches))
        t0 = time.perf_counter()
        for b in batches:
            results = store.create_transfers(b)
            assert results.count("ok") == len(b), {r for r in results if r != "ok"}
        batched = total / (time.perf_counter() - t0)
        singles = [
            Transfer(10**13 + i, CREATOR0 + i % creators, PLATFORM, 1, ledger=CNY, code=2)
            for i in range(single)
        ]
        t0 = time.perf_counter()
        for t in singles:
            assert store.create_transfers([t]) == ["ok"]
        one = single / (time.perf_counter() - t0)
        report = reconcile(store)
        assert report.ok, report.problems[:5]
    return batched, one


def sqlite_factory(tmp: Path) -> Callable[[], LedgerStore]:
    return lambda: open_ledger(f"sqlite:///{tmp / uuid.uuid4().hex}.sqlite3", create=True)


def postgres_factory(schemas: list[str]) -> Callable[[], LedgerStore]:
    def make() -> LedgerStore:
        schemas.append(f"bench_{uuid.uuid4().hex[:12]}")
        return open_ledger(f"{PG}?schema={schemas[-1]}", create=True)

    return make


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--store", choices=["sqlite", "postgres", "both"], default="both")
    ap.add_argument("--transfers", type=int, default=200_000)
    ap.add_argument("--batch", type=int, default=8_000)
    ap.add_argument("--creators", type=int, default=10_000)
    ap.add_argument(
        "--single", type=int, default=2_000, help="transfers for the one-transaction-each baseline"
    )
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        schemas: list[str] = []
        stores = {"sqlite": sqlite_factory(Path(tmp)), "postgres": postgres_factory(schemas)}
        for name, factory in stores.items():
            if args.store not in (name, "both"):
                continue
            figures = [
                run(factory, args.transfers, args.creators, args.batch, args.single) for _ in range(args.runs)
            ]
            for i, (b, o) in enumerate(figures):
                print(f"{name:8s} run {i + 1}: batched {b:,.0f} transfers/s, one tx per transfer {o:,.0f}/s")
            b, o = statistics.median(f[0] for f in figures), statistics.median(f[1] for f in figures)
            print(
                f"{name:8s} MEDIAN batched {b:,.0f}/s  single {o:,.0f}/s  ratio {b / o:.1f}x "
                f"({args.transfers:,} transfers, batches of {args.batch:,}, hot account in every transfer)"
            )
        if schemas:
            import psycopg

            with psycopg.connect(PG, autocommit=True) as con:
                for s in schemas:
                    con.execute(f'DROP SCHEMA IF EXISTS "{s}" CASCADE')


if __name__ == "__main__":
    main()
