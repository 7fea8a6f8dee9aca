"""Settlement of one month for N creators (default 1,000,000), beside the ledger's bare batched transfer rate.

    .venv/bin/python benchmarks/bench_settle.py                          # PostgreSQL and SQLite, 1M creators
    .venv/bin/python benchmarks/bench_settle.py --store postgres --creators 200000 --months 2

Not timed: a fresh ledger (SQLite file in a temp dir / a fresh PostgreSQL schema, dropped after) and DuckDB
warehouse; each creator's payable; the month's postings written with the ledger's batched ``create_transfers``
(batches of 8,000): an ad share for every creator, a brand deal with its fee for 30 %, an affiliate commission
held then posted with its fee for 20 %, a local-life commission for 10 %; 5 % of creators under a 10 % MCN
contract, half of them ending mid-month. Amounts are log-normal (median ~300 CNY): some creators stay below
the payout threshold, some reach each withholding bracket.

Timed: ``settle_month`` end to end — scan of the month's transfers, balances at the cutoff, statements,
MCN shares, withholding, the settlement transfers written (MCN shares, withholding, pending payouts), the
statements, lines and payouts merged into the warehouse. With ``--months 2`` the second month starts from the
first one's carried balances and open payouts. Bare rate: 200,000 plain transfers between two accounts of
their own, batches of 8,000, on the same store in the same run.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa

from guanghe.data.money_schema import MCN_CONTRACTS
from guanghe.data.warehouse import open_warehouse
from guanghe.ledger import CNY, Account, LedgerStore, Transfer, open_ledger
from guanghe.ledger.reconcile import reconcile
from guanghe.money.chart import Kind, account_id, open_accounts, platform_revenue
from guanghe.money.codes import code
from guanghe.money.ids import transfer_id, user_data
from guanghe.money.settle import Month, load_settlement, settle_month

PG = os.environ.get("GUANGHE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
BATCH = 8_000
MONTHS = ("2023-06", "2023-07")


def write(ledger: LedgerStore, transfers: list[Transfer]) -> None:
    for start in range(0, len(transfers), BATCH):
        results = ledger.create_transfers(transfers[start : start + BATCH])
        assert set(results) == {"ok"}, set(results)


def bare_rate(ledger: LedgerStore, n: int = 200_000) -> float:
    a, b = 1 << 120, (1 << 120) + 1  # two accounts outside the money chart
    ledger.create_accounts([Account(a, CNY, 99), Account(b, CNY, 99)])
    batches = [
        [Transfer((1 << 121) + i, a, b, 1 + i % 97, ledger=CNY, code=99) for i in range(s, min(n, s + BATCH))]
        for s in range(0, n, BATCH)
    ]
    t0 = time.perf_counter()
    for batch in batches:
        assert set(ledger.create_transfers(batch)) == {"ok"}
    return n / (time.perf_counter() - t0)


def month_postings(ledger: LedgerStore, creators: int, month: Month, seed: int) -> int:
    """The month's postings, in batches; returns how many transfers were written."""
    rng = np.random.default_rng(seed)
    pool, brand, merchant, store = (
        account_id(k, 7 if k != Kind.AD_POOL else 0)
        for k in (Kind.AD_POOL, Kind.BRAND, Kind.MERCHANT, Kind.STORE)
    )
    open_accounts(
        ledger,
        [
            pool,
            brand,
            merchant,
            store,
            *(platform_revenue(c) for c in ("brand_deal", "affiliate", "local_life")),
        ],
    )
    days = month.last.day
    written, out = 0, []

    def flush(force: bool = False) -> None:
        nonlocal written, out
        if len(out) >= 200_000 or (force and out):
            write(ledger, out)
            written += len(out)
            out = []

    amounts = np.maximum(rng.lognormal(np.log(30_000), 1.2, creators).astype(np.int64), 1)
    day_of = rng.integers(1, days + 1, size=(creators, 4))
    kinds = rng.random((creators, 3))
    ad, ad_fee = code("ad_share"), code("brand_fee")
    for c in range(1, creators + 1):
        payable = account_id(Kind.CREATOR_PAYABLE, c)
        d = [month.first + timedelta(days=int(x) - 1) for x in day_of[c - 1]]
        a = int(amounts[c - 1])
        out.append(
            Transfer(
                transfer_id(ad, "ad_revenue", c, d[0]),
                pool,
                payable,
                a,
                user_data=user_data(d[0], None, "ad_revenue", c),
                ledger=CNY,
                code=ad,
            )
        )
        k = kinds[c - 1]
        if k[0] < 0.3:
            price, ud = a * 2, user_data(d[1], None, "brand_orders", c)
            out.append(
                Transfer(
                    transfer_id(501, "brand_orders", c, d[1]),
                    brand,
                    payable,
                    price,
                    user_data=ud,
                    ledger=CNY,
                    code=501,
                )
            )
            out.append(
                Transfer(
                    transfer_id(ad_fee, "brand_orders", c, d[1]),
                    payable,
                    platform_revenue("brand_deal"),
                    price // 20,
                    user_data=ud,
                    ledger=CNY,
                    code=ad_fee,
                )
            )
        if k[1] < 0.2:
            hold_id, ud = (
                transfer_id(201, "ecommerce_orders", c, d[2], "hold"),
                user_data(d[2], None, "ecommerce_orders", c),
            )
            commission = a // 3 + 1
            out.append(
                Transfer(hold_id, merchant, payable, commission, user_data=ud, ledger=CNY, code=201, flags=2)
            )
            close = min(d[2] + timedelta(days=7), month.last)
            ud_close = user_data(close, None, "ecommerce_orders", c)
            out.append(
                Transfer(
                    transfer_id(201, "ecommerce_orders", c, close, "post"),
                    pending_id=hold_id,
                    amount=2**63 - 1,
                    user_data=ud_close,
                    flags=4,
                )
            )
            out.append(
                Transfer(
                    transfer_id(202, "ecommerce_orders", c, close),
                    payable,
                    platform_revenue("affiliate"),
                    commission // 10,
                    user_data=ud_close,
                    ledger=CNY,
                    code=202,
                )
            )
        if k[2] < 0.1:
            ud = user_data(d[3], None, "local_life_orders", c)
            out.append(
                Transfer(
                    transfer_id(301, "local_life_orders", c, d[3]),
                    store,
                    payable,
                    a // 4 + 1,
                    user_data=ud,
                    ledger=CNY,
                    code=301,
                )
            )
        flush()
    flush(force=True)
    return written


def contracts(creators: int, month: Month) -> pa.Table:
    ids = np.arange(20, creators + 1, 20, dtype=np.int64)
    ends = [None if i % 40 else month.first + timedelta(days=14) for i in ids.tolist()]
    return pa.table(
        {
            "contract_id": ids,
            "creator_id": ids,
            "mcn_id": 10_000 + ids % 997,
            "share_bps": np.full(len(ids), 1000, dtype=np.int32),
            "start_date": [date(2023, 1, 1)] * len(ids),
            "end_date": ends,
        },
        schema=MCN_CONTRACTS.arrow_schema(),
    )


def run(name: str, url: str, tmp: Path, creators: int, months: int, check: bool) -> None:
    wh_url = f"duckdb:///{tmp / f'{name}.duckdb'}"
    wh = open_warehouse(wh_url, create=True)
    with wh.writer() as w:
        w.merge("mcn_contracts", contracts(creators, Month.parse(MONTHS[0])))
    rules = load_settlement()
    with open_ledger(url, create=True) as ledger:
        rate = bare_rate(ledger)
        t0 = time.perf_counter()
        open_accounts(ledger, (account_id(Kind.CREATOR_PAYABLE, c) for c in range(1, creators + 1)))
        for i, m in enumerate(MONTHS[:months]):
            month = Month.parse(m)
            n = month_postings(ledger, creators, month, seed=i)
            build = time.perf_counter() - t0
            load = os.getloadavg()[0]
            t0 = time.perf_counter()
            r = settle_month(ledger, wh, rules, month, date(2030, 1, 1), {})
            took = time.perf_counter() - t0
            print(
                f"{name:8s} {m}: {creators:,} creators, {n:,} postings (built in {build:.0f} s, untimed); "
                f"settled in {took:.1f} s: {r.statements:,} statements, {r.payouts:,} payouts, "
                f"{r.transfers_written:,} transfers ({r.transfers_written / r.seconds['ledger']:,.0f}/s), "
                f"{sum(r.rows_inserted.values()):,} warehouse rows; steps {r.seconds}; "
                f"bare batched rate {rate:,.0f} transfers/s; load {load:.1f}"
            )
            t0 = time.perf_counter()
        if check:
            report = reconcile(ledger)
            assert report.ok, report.problems[:5]
            print(f"{name:8s} reconcile ok: {report.transfers:,} transfers")
    wh.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--store", choices=["sqlite", "postgres", "both"], default="both")
    ap.add_argument("--creators", type=int, default=1_000_000)
    ap.add_argument("--months", type=int, choices=[1, 2], default=1)
    ap.add_argument("--reconcile", action="store_true", help="replay the whole ledger afterwards (slow)")
    args = ap.parse_args()
    schemas: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        try:
            for name in ("postgres", "sqlite"):
                if args.store not in (name, "both"):
                    continue
                if name == "postgres":
                    schemas.append(f"bench_{uuid.uuid4().hex[:12]}")
                    url = f"{PG}?schema={schemas[-1]}"
                else:
                    url = f"sqlite:///{Path(tmp) / 'ledger.sqlite3'}"
                run(name, url, Path(tmp), args.creators, args.months, args.reconcile)
        finally:
            if schemas:
                import psycopg

                with psycopg.connect(PG, autocommit=True) as con:
                    for s in schemas:
                        con.execute(f'DROP SCHEMA IF EXISTS "{s}" CASCADE')


if __name__ == "__main__":
    main()
