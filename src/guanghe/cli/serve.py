"""``guanghe serve`` (the boost-and-pacing API) and ``guanghe replay --date D`` (a day of feed requests)."""

from __future__ import annotations

import os
import time
from datetime import date

import typer
from rich.table import Table

from guanghe.cli.app import app, console, err_console, warehouse_option


def _fail(message: object) -> typer.Exit:
    err_console.print(f"[red]error:[/] {message}", markup=True, highlight=False)
    return typer.Exit(2)


def _day(text: str | None, name: str = "--date") -> str | None:
    try:
        return None if text is None else date.fromisoformat(text).isoformat()
    except ValueError as e:
        raise _fail(f"{name}: expected a date like 2023-07-01, got {text!r}") from e


def _settings(warehouse: str, counters: str | None, redis: str | None, day: str | None, **kw):
    from guanghe.serve.server import ServeSettings, duckdb_path

    try:
        path = duckdb_path(warehouse)
    except ValueError as e:
        raise _fail(e) from e
    url = redis or counters or os.environ.get("GUANGHE_COUNTERS", "memory://")
    if not url.startswith(("memory://", "redis://", "rediss://", "unix://")):
        raise _fail(f"--counters: expected memory:// or redis://HOST:PORT/DB, got {url!r}")
    return ServeSettings(warehouse=path, counters=url, day=_day(day), **kw)


@app.command()
def serve(
    warehouse: str = typer.Option(warehouse_option, "--warehouse", "-w", help="Warehouse URL (DuckDB file)."),
    host: str = typer.Option("127.0.0.1", help="Bind address."),
    port: int = typer.Option(8000, help="Port."),
    workers: int = typer.Option(1, min=1, help="uvicorn worker processes (share counters with --redis)."),
    redis: str | None = typer.Option(None, "--redis", help="Share counters in Redis: redis://HOST:PORT/DB."),
    counters: str | None = typer.Option(None, help="Counters URL (default GUANGHE_COUNTERS or memory://)."),
    prefix: str = typer.Option("guanghe:serve", help="Redis key prefix."),
    day: str | None = typer.Option(None, "--date", help="Serve this day's quotas (default: today, UTC)."),
    plan_id: str | None = typer.Option(None, help="Serve this plan (default: the newest)."),
    max_boosts: int = typer.Option(2, "--max-boosts", "-k", min=0, help="Boosted works per slate at most."),
    guardrail: float = typer.Option(0.5, min=0.0, help="Boosted score >= this x the lowest organic pick."),
    max_candidates: int = typer.Option(500, min=1, help="Candidates per request at most."),
    quota_scale: float = typer.Option(1.0, min=0.0, help="Multiply every quota (small replays)."),
    no_boost: bool = typer.Option(False, "--no-boost", help="Organic order only (benchmark baseline)."),
    flush_s: float = typer.Option(60.0, help="Seconds between warehouse writes of delivered impressions."),
    no_flush: bool = typer.Option(False, "--no-flush", help="Do not write delivered impressions."),
    poll_s: float = typer.Option(5.0, help="Seconds between checks for a new plan."),
) -> None:
    """Run the boost-and-pacing API (uvicorn): /v1/rerank, /v1/boost-pool, /v1/health, /metrics."""
    import uvicorn

    from guanghe.serve.server import ENV

    s = _settings(warehouse, counters, redis, day, prefix=prefix, plan_id=plan_id, max_boosts=max_boosts,
                  guardrail=guardrail, max_candidates=max_candidates, quota_scale=quota_scale, boost=not no_boost,
                  flush_s=flush_s, write_warehouse=not no_flush, poll_s=poll_s)  # fmt: skip
    os.environ[ENV] = s.to_env()
    console.print(f"serving {s.warehouse} ({s.counters.split('@')[-1]}) on http://{host}:{port} x{workers}")
    uvicorn.run("guanghe.serve.server:create_app", factory=True, host=host, port=port, workers=workers,
                log_level="warning", access_log=False)  # fmt: skip


@app.command()
def replay(
    day: str = typer.Option(..., "--date", help="Day to replay (its quotas are served)."),
    warehouse: str = typer.Option(warehouse_option, "--warehouse", "-w", help="Warehouse URL (DuckDB file)."),
    url: str | None = typer.Option(
        None, help="Send to a running server (http://HOST:PORT) instead of in-process."
    ),
    requests: int = typer.Option(50_000, min=1, help="Feed requests over the day."),
    quota_scale: float = typer.Option(1.0, min=0.0, help="Multiply every quota (match the server's)."),
    slots: int = typer.Option(10, min=1, max=100, help="Slots per slate."),
    max_boosts: int = typer.Option(2, "--max-boosts", "-k", min=0, help="K (in-process)."),
    seed: int = typer.Option(0, help="Random seed."),
) -> None:
    """Replay a day of feed requests through the service; print quota attainment, overspend, viewer cost."""
    from guanghe.serve import replay as rp
    from guanghe.serve.server import build

    s = _settings(warehouse, "memory://", None, day, quota_scale=quota_scale, max_boosts=max_boosts, seed=seed,
                  write_warehouse=False)  # fmt: skip
    d = date.fromisoformat(s.day)
    served = build(s)
    snap = served.engine.source.snapshot
    if not snap.quotas:
        raise _fail(f"no quotas for {d} in {warehouse} (run guanghe allocate; delivery days are in its plan)")
    catalog = rp.Catalog.load(s.warehouse, d, seed)
    t0 = time.perf_counter()
    if url is None:
        eng = served.engine
        report = rp.run(
            eng.handle, lambda at: eng.pool(None, 300, at), snap, catalog, requests, slots, seed=seed
        )
    else:
        report = _over_http(url, snap, catalog, requests, slots, seed)
    _print(report, time.perf_counter() - t0, url)


def _over_http(url: str, snap, catalog, requests: int, slots: int, seed: int):
    import httpx

    from guanghe.serve import replay as rp

    with httpx.Client(base_url=url, timeout=10.0) as http:

        def send(body: bytes) -> bytes:
            r = http.post("/v1/rerank", content=body, headers={"content-type": "application/json"})
            r.raise_for_status()
            return r.content

        def pool(at: float) -> list[dict]:
            r = http.get("/v1/boost-pool", params={"limit": 300, "at": at})
            r.raise_for_status()
            return r.json()["works"]

        try:
            return rp.run(send, pool, snap, catalog, requests, slots, seed=seed)
        except httpx.HTTPError as e:
            raise _fail(f"{url}: {e}") from e


def _print(r, seconds: float, url: str | None) -> None:
    c = r.creators
    console.print(f"replayed {r.requests:,} requests ({'HTTP ' + url if url else 'in-process'}) in {seconds:.1f} s; "
                  f"{r.slates_boosted:,} slates with a boost", highlight=False)  # fmt: skip
    console.print(f"creators {c['creators']:,}: delivery/quota - 1 median {c['median_dev']:+.2%}, "
                  f"|dev| median {c['median_abs_dev']:.2%}, p95 {c['p95_abs_dev']:.2%}; "
                  f"total attainment {c['attainment']:.2%}; overspend {r.overspend:.3%}", highlight=False)  # fmt: skip
    from guanghe.serve.pacing import Curve
    from guanghe.serve.replay import tracking

    console.print(f"pacing: largest hourly gap between cumulative delivery and the target curve "
                  f"{tracking(r.hourly, Curve()):.2%}", highlight=False)  # fmt: skip
    console.print(f"viewer cost: mean score loss per slate {r.score_loss:.4f} ({r.relative_loss:.2%} of the organic "
                  "slate's score)", highlight=False)  # fmt: skip
    t = Table(title="Quota attainment by program", title_justify="left")
    for col in ("program", "delivered", "quota", "attainment"):
        t.add_column(col, justify="left" if col == "program" else "right")
    for p, (d, q) in sorted(r.programs.items()):
        t.add_row(p, f"{d:,}", f"{q:,}", f"{d / q:.2%}" if q else "-")
    console.print(t)
