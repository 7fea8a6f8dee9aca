"""The market's order API over HTTP: ``guanghe market serve`` (uvicorn, 2 workers) on SQLite, then on fresh
PostgreSQL schemas (application database and ledger both), driven by K concurrent httpx clients, each running
whole order lifecycles (offer → accept → fund → deliver → accept: 5 requests) for ``--seconds``.

    PYTHONPATH=src .venv/bin/python benchmarks/bench_market_api.py                  # 16 clients, 15 s per store
    PYTHONPATH=src .venv/bin/python benchmarks/bench_market_api.py --stores sqlite --clients 8 --seconds 5

Without --warehouse a small synthetic platform (``--creators``, 12 months) is generated and ingested in a temp
dir first (untimed). Each client is one creator of the platform (its own key, one of its works to deliver) and
has its own campaign of the one brand (N = K campaigns made before the clock starts). Prints requests/s, p50 and
p99 latency, lifecycles/s and the non-2xx count per store, then checks the ledger reconciles and holds one
completed payable per lifecycle. PostgreSQL: GUANGHE_TEST_POSTGRES_URL (default
postgresql://postgres@127.0.0.1:5432/test); the schemas are dropped afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

BIN = Path(sys.executable).parent / "guanghe"
PG = os.environ.get("GUANGHE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
API = "/v1/market"
PRICE = 100_000


def platform(tmp: Path, creators: int) -> str:
    from guanghe.data.ingest import ingest
    from guanghe.data.warehouse import open_warehouse
    from guanghe.synth import SynthConfig, generate

    generate(SynthConfig(creators=creators, months=12, seed=5), tmp / "synth")
    url = f"duckdb:///{tmp / 'wh.duckdb'}"
    with open_warehouse(url, create=True) as wh:
        ingest([tmp / "synth" / "data"], wh)
    return url


def cast(warehouse: str, k: int) -> list[tuple[int, int]]:
    """K (creator, one of its works), creators with works."""
    from guanghe.data.warehouse import open_warehouse

    with open_warehouse(warehouse, read_only=True) as wh:
        t = wh.table("works")
        rows = wh.fetch(t.group_by("creator_id").aggregate(work=t.work_id.min()).order_by("creator_id"))
    pairs = list(zip(rows.column("creator_id").to_pylist(), rows.column("work").to_pylist(), strict=True))
    if len(pairs) < k:
        raise SystemExit(f"only {len(pairs)} creators with works for {k} clients")
    return pairs[:k]


def stores(kind: str, tmp: Path) -> tuple[str, str, list[str]]:
    if kind == "sqlite":
        return f"sqlite:///{tmp / 'app.sqlite3'}", f"sqlite:///{tmp / 'ledger.sqlite3'}", []
    schemas = [f"bench_{uuid.uuid4().hex[:12]}" for _ in range(2)]
    return f"{PG}?schema={schemas[0]}", f"{PG}?schema={schemas[1]}", schemas


def prepare(db_url: str, ledger_url: str, pairs: list[tuple[int, int]]) -> tuple[str, list[str], list[int]]:
    """The stores made; (brand key, a key per creator, a campaign per client)."""
    from datetime import date

    from guanghe.appdb import create_key, open_appdb
    from guanghe.ledger import open_ledger
    from guanghe.market.offers import create_campaign

    open_ledger(ledger_url, create=True).close()
    with open_appdb(db_url, create=True) as db:
        brand, brand_key = create_key(db, "brand", "Acme", 42)
        creators = [create_key(db, "creator", f"c{c}", c)[1] for c, _ in pairs]
        campaigns = [create_campaign(db, brand, f"bench {i}", "", [], 10**12, date(2031, 1, 1))
                     for i in range(len(pairs))]  # fmt: skip
    return brand_key, creators, campaigns


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(
    warehouse: str, db_url: str, ledger_url: str, workers: int, key: str
) -> tuple[subprocess.Popen, str]:
    port = free_port()
    cmd = [BIN, "market", "serve", "--port", str(port), "--workers", str(workers), "--warehouse", warehouse,
           "--db", db_url, "--ledger", ledger_url]  # fmt: skip
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(1200):
        try:
            if (
                httpx.get(f"{url}{API}/me", headers={"Authorization": f"Bearer {key}"}, timeout=1).status_code
                == 200
            ):
                return proc, url
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            raise SystemExit("the server exited")
        time.sleep(0.1)
    proc.kill()
    raise SystemExit("the server did not start")


async def client(base: str, brand: str, creator: str, creator_id: int, work: int, campaign: int, until: float,
                 lat: list[float], bad: list[str], n: int) -> int:  # fmt: skip
    """Lifecycles until ``until``: each request's latency in ``lat``; a non-2xx in ``bad``; lifecycles done."""
    b, c = {"Authorization": f"Bearer {brand}"}, {"Authorization": f"Bearer {creator}"}
    done = 0
    async with httpx.AsyncClient(base_url=base, timeout=60) as h:

        async def call(path: str, headers: dict, body: dict | None = None) -> dict:
            t = time.perf_counter()
            try:
                r = await h.post(API + path, headers=headers, json=body)
            except httpx.TransportError as e:
                bad.append(f"{type(e).__name__} {path}: {e}")
                raise RuntimeError from e
            lat.append(time.perf_counter() - t)
            if r.status_code >= 300:
                bad.append(f"{r.status_code} {path}: {r.text[:200]}")
                raise RuntimeError
            return r.json()

        while time.perf_counter() < until:
            try:
                oid = (
                    await call(
                        f"/campaigns/{campaign}/offers", b, {"creator_id": creator_id, "price_fen": PRICE}
                    )
                )["id"]
                await call(f"/orders/{oid}/accept", {**c, "Idempotency-Key": f"a{oid}"})
                await call(f"/orders/{oid}/fund", {**b, "Idempotency-Key": f"f{oid}"})
                await call(f"/orders/{oid}/deliver", c, {"work_id": work})
                await call(f"/orders/{oid}/accept", {**b, "Idempotency-Key": f"c{oid}"})
                done += 1
            except RuntimeError:
                continue
    return done


async def drive(base: str, brand: str, keys: list[str], pairs: list[tuple[int, int]], campaigns: list[int],
                seconds: float) -> tuple[list[float], list[str], int, float]:  # fmt: skip
    lat: list[float] = []
    bad: list[str] = []
    start = time.perf_counter()
    until = start + seconds
    done = await asyncio.gather(*(client(base, brand, k, c, w, cid, until, lat, bad, i)
                                  for i, (k, (c, w), cid) in enumerate(zip(keys, pairs, campaigns, strict=True))))  # fmt: skip
    return lat, bad, sum(done), time.perf_counter() - start


def check(db_url: str, ledger_url: str, lifecycles: int) -> str:
    from guanghe.appdb import open_appdb
    from guanghe.ledger import open_ledger
    from guanghe.ledger.reconcile import reconcile
    from guanghe.market.offers import list_orders

    with open_appdb(db_url) as db:
        _, completed = list_orders(db, None, "completed", 1)
    with open_ledger(ledger_url) as ledger:
        ok = reconcile(ledger).ok
    assert completed == lifecycles and ok, (completed, lifecycles, ok)
    return f"{completed} orders completed, ledger reconciles"


def drop(schemas: list[str]) -> None:
    if schemas:
        import psycopg

        with psycopg.connect(PG, autocommit=True) as con:
            for s in schemas:
                con.execute(f'DROP SCHEMA IF EXISTS "{s}" CASCADE')


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--warehouse")
    ap.add_argument(
        "--creators", type=int, default=500, help="the generated platform's size (no --warehouse)"
    )
    ap.add_argument("--stores", default="sqlite,postgres")
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seconds", type=float, default=15.0)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        t = time.perf_counter()
        warehouse = a.warehouse or platform(tmp, a.creators)
        pairs = cast(warehouse, a.clients)
        print(f"platform ready ({time.perf_counter() - t:.1f} s); load average {os.getloadavg()[0]:.2f}")
        for kind in a.stores.split(","):
            folder = tmp / kind
            folder.mkdir()
            db_url, ledger_url, schemas = stores(kind, folder)
            try:
                brand, keys, campaigns = prepare(db_url, ledger_url, pairs)
                proc, base = serve(warehouse, db_url, ledger_url, a.workers, brand)
                try:
                    lat, bad, done, wall = asyncio.run(drive(base, brand, keys, pairs, campaigns, a.seconds))
                finally:
                    proc.terminate()
                    proc.wait(30)
                ms = sorted(x * 1000 for x in lat)
                p99 = ms[min(len(ms) - 1, int(0.99 * len(ms)))] if ms else float("nan")
                print(f"{kind:8s} {a.clients} clients x {wall:.1f} s: {len(lat) / wall:7.1f} requests/s, "
                      f"p50 {statistics.median(ms):6.1f} ms, p99 {p99:6.1f} ms, {done / wall:5.1f} lifecycles/s, "
                      f"non-2xx {len(bad)}; load average {os.getloadavg()[0]:.2f}", flush=True)  # fmt: skip
                for line in bad[:5]:
                    print("   ", line)
                print("   ", check(db_url, ledger_url, done))
            finally:
                drop(schemas)


if __name__ == "__main__":
    main()
