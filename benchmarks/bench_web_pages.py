"""Page render times of the web app at the demo's scale: the app over a ``guanghe demo`` folder (its
warehouse and ledger; a fresh application database in a temp dir with the demo logins), each role's main
pages requested ``--rounds`` times in-process through httpx's ASGI transport (the whole HTTP stack, no
network), signed in by real sessions. Prints p50 and p95 per page and the worst first-view p95 (goal: < 300 ms):
"first view" (every creator's snapshot built — ``web.snapshot``, timed — and the per-process read cache,
``web.reads``, emptied before every request: a page never seen since the last warehouse write), "warm" (the
read cache holds the page's sections) and "cold" (no snapshot, cache emptied before every request: every
section read from the warehouse for the one creator — the naive baseline, and what a page costs in the
seconds after a write, before the snapshot is rebuilt).

    guanghe demo --out guanghe-demo
    PYTHONPATH=src .venv/bin/python benchmarks/bench_web_pages.py --demo guanghe-demo --rounds 20
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import httpx

PAGES = {
    "creator": ["/creator/", "/creator/income", "/creator/offers", "/creator/orders/{order}"],
    "brand": ["/brand/", "/brand/discover", "/brand/discover?categories=food&min_followers=10000",
              "/brand/creators/{creator}", "/brand/campaigns/{campaign}/match", "/brand/orders", "/brand/reports"],
    "mcn": ["/mcn/", "/mcn/orders"],
    "operator": ["/operator/"],
}  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--demo", default="guanghe-demo", help="a guanghe demo folder")
    ap.add_argument("--rounds", type=int, default=20)
    args = ap.parse_args()
    from guanghe.appdb.sessions import create_session
    from guanghe.market.offers import list_campaigns, list_orders
    from guanghe.web.app import assemble
    from guanghe.web.demo import demo_accounts, ensure_database
    from guanghe.web.security import SESSION_COOKIE
    from guanghe.web.settings import WebSettings
    from guanghe.web.state import build_state

    demo = Path(args.demo).resolve()
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy(demo / "ledger.sqlite3", Path(tmp) / "ledger.sqlite3")
        settings = WebSettings(f"duckdb:///{demo / 'guanghe.duckdb'}", f"sqlite:///{tmp}/app.sqlite3",
                               f"sqlite:///{tmp}/ledger.sqlite3")  # fmt: skip
        ensure_database(settings.db)
        t0 = time.perf_counter()
        state = build_state(settings)
        accounts = {a.role: a for a in demo_accounts(state, "bench-password")}
        print(
            f"state + demo logins: {time.perf_counter() - t0:.1f} s; {state.market.kits.num_rows:,} creators"
        )
        app = assemble(state)
        brand = accounts["brand"].principal
        ids = {"campaign": list_campaigns(state.db, brand.external_id, 1)[0][0].id,
               "order": list_orders(state.db, ("brand", brand.external_id), limit=1)[0][0].id,
               "creator": accounts["creator"].principal.external_id}  # fmt: skip
        worst = 0.0
        t0 = time.perf_counter()
        state.snapshots.start()
        snap = state.snapshots.wait()
        print(f"snapshot of every creator's overview and level: {time.perf_counter() - t0:.1f} s "
              f"({'built' if snap else 'NOT built: ' + str(state.snapshots.error)})")  # fmt: skip

        def measure(mode: str) -> None:
            """snapshot: built, the read cache emptied before every request (a page's first view);
            warm: the read cache holds the page; cold: no snapshot, cache emptied (the baseline)."""
            state.snapshots.enabled = mode != "cold"
            if mode != "warm":
                state.cache.clear()

        async def run() -> None:
            nonlocal worst
            transport = httpx.ASGITransport(app=app)
            for role, urls in PAGES.items():
                token, _ = create_session(state.db, accounts[role].principal.id)
                async with httpx.AsyncClient(transport=transport, base_url="http://bench",
                                             cookies={SESSION_COOKIE: token}) as c:  # fmt: skip
                    for url in urls:
                        url = url.format(**ids)
                        figures = {}
                        for mode in ("cold", "snapshot", "warm"):
                            times = []
                            for _ in range(args.rounds + 1):
                                measure(mode)
                                t = time.perf_counter()
                                r = await c.get(url)
                                times.append(time.perf_counter() - t)
                                assert r.status_code == 200, (url, r.status_code)
                            times = sorted(times[1:])  # the first is a warm-up
                            p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
                            figures[mode] = f"{statistics.median(times) * 1000:6.0f} / {p95 * 1000:6.0f}"
                            if mode == "snapshot":
                                worst = max(worst, p95)
                        print(f"{role:9} {url:52} first view {figures['snapshot']} | warm {figures['warm']} "
                              f"| cold (baseline) {figures['cold']} ms p50 / p95", flush=True)  # fmt: skip

        async def solved(url: str) -> float:
            """Seconds from a fresh match request until the page shows the solution (polling as htmx does)."""
            state.cache.clear()
            token, _ = create_session(state.db, accounts["brand"].principal.id)
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench",
                                         cookies={SESSION_COOKIE: token}) as c:  # fmt: skip
                t = time.perf_counter()
                while 'id="computing"' in (await c.get(url)).text:
                    await asyncio.sleep(0.05)
                return time.perf_counter() - t

        asyncio.run(run())
        match = PAGES["brand"][4].format(**ids)
        waits = sorted(asyncio.run(solved(match)) for _ in range(3))
        print(f"{match}: the solution shown after {waits[1] * 1000:.0f} ms (median of 3; the page answers at once "
              "and polls)")  # fmt: skip
        print(f"worst first-view p95: {worst * 1000:.1f} ms (goal < 300 ms)")
        state.close()


if __name__ == "__main__":
    main()
