"""Page render times of the operator console at the demo's scale: the app over a ``guanghe demo`` folder (its
warehouse, a copy of its ledger and program files, a fresh application database with the demo logins), each
console page requested ``--rounds`` times in-process through httpx's ASGI transport (the whole HTTP stack,
no network), signed in by a real operator session. Prints, per page, the "cold" time until its figures are
ready with the console's cache emptied (``web.views.operator_cache``: the naive baseline, every figure
computed from the warehouse — the dashboard and the eligibility counts then compute in the background while
the page polls) and the "warm" p50/p95 (figures computed since the last warehouse write; goal p95 < 300 ms).

    guanghe demo --out guanghe-demo
    PYTHONPATH=src .venv/bin/python benchmarks/bench_web_operator.py --demo guanghe-demo --rounds 20
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

PAGES = ["/operator/", "/operator/dashboard/figures?period=2023-Q2", "/operator/programs",
         "/operator/programs/edit?file=general_support.toml", "/operator/allocation", "/operator/pacing",
         "/operator/pacing/live", "/operator/money", "/operator/quarantine", "/operator/disputes",
         "/operator/appeals"]  # fmt: skip
COMPUTING = ('id="computing"', 'id="updating"')


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--demo", default="guanghe-demo", help="a guanghe demo folder")
    ap.add_argument("--rounds", type=int, default=20)
    args = ap.parse_args()
    from guanghe.appdb.sessions import create_session
    from guanghe.programs import PROGRAMS_DIR
    from guanghe.web.app import assemble
    from guanghe.web.demo import demo_accounts, ensure_database
    from guanghe.web.security import SESSION_COOKIE
    from guanghe.web.settings import WebSettings
    from guanghe.web.state import build_state
    from guanghe.web.views import operator_cache

    demo = Path(args.demo).resolve()
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy(demo / "ledger.sqlite3", Path(tmp) / "ledger.sqlite3")
        shutil.copytree(PROGRAMS_DIR, Path(tmp) / "programs")
        settings = WebSettings(f"duckdb:///{demo / 'guanghe.duckdb'}", f"sqlite:///{tmp}/app.sqlite3",
                               f"sqlite:///{tmp}/ledger.sqlite3", programs=f"{tmp}/programs")  # fmt: skip
        ensure_database(settings.db)
        t0 = time.perf_counter()
        state = build_state(settings)
        accounts = {a.role: a for a in demo_accounts(state, "bench-password")}
        print(
            f"state + demo logins: {time.perf_counter() - t0:.1f} s; {state.market.kits.num_rows:,} creators"
        )
        app = assemble(state)
        worst = 0.0

        async def run() -> None:
            nonlocal worst
            transport = httpx.ASGITransport(app=app)
            token, _ = create_session(state.db, accounts["operator"].principal.id)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench", timeout=600,
                                         cookies={SESSION_COOKIE: token}) as c:  # fmt: skip
                for url in PAGES:
                    operator_cache.clear()
                    t = time.perf_counter()
                    first = None
                    while True:
                        r = await c.get(url)
                        assert r.status_code == 200, (url, r.status_code, r.text[-300:])
                        first = first or time.perf_counter() - t
                        if not any(m in r.text for m in COMPUTING):
                            break
                        await asyncio.sleep(0.2)
                    cold = time.perf_counter() - t
                    times = []
                    for _ in range(args.rounds):
                        t = time.perf_counter()
                        r = await c.get(url)
                        times.append(time.perf_counter() - t)
                        assert r.status_code == 200 and not any(m in r.text for m in COMPUTING), url
                    times.sort()
                    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
                    worst = max(worst, p95)
                    print(f"{url:50} warm p50 {statistics.median(times) * 1000:7.1f} p95 {p95 * 1000:7.1f} ms | "
                          f"cold: first answer {first * 1000:8.1f} ms, figures ready {cold:6.1f} s", flush=True)  # fmt: skip

        asyncio.run(run())
        print(f"worst warm p95: {worst * 1000:.1f} ms (goal < 300 ms)")
        state.close()


if __name__ == "__main__":
    main()
