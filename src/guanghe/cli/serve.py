"""``guanghe serve`` (the boost-and-pacing API) and ``guanghe replay --date D`` (a day of feed requests)."""

from __future__ import annotations

import logging
import math
import os
import time
from datetime import date

import typer
from rich.table import Table

from guanghe.cli.app import FIRST_STEP, app, console, err_console, warehouse_option
from guanghe.config import Settings


def _fail(message: object) -> typer.Exit:
    err_console.print(f"[red]error:[/] {message}", markup=True, highlight=False, soft_wrap=True)
    return typer.Exit(2)


def _day(text: str | None, name: str = "--date") -> str | None:
    try:
        return None if text is None else date.fromisoformat(text).isoformat()
    except ValueError as e:
        raise _fail(f"{name}: expected a date like 2023-07-01, got {text!r}") from e


PLACEMENT_DEFAULT = "cost"
PLACEMENT_HELP = ("Which opportunities pacing spends on: cost (those that cost the slate least first: the displaced "
                  "organic pick's score minus the boosted one), rank (nearest the organic cut first, as a share of "
                  "it) or draw (uniformly at random).")  # fmt: skip


def _placement(name: str) -> str:
    from guanghe.serve.placement import PLACEMENTS

    if name not in PLACEMENTS:
        raise _fail(f"--placement: expected one of {', '.join(PLACEMENTS)}, got {name!r}")
    return name


def timezone_option() -> str:
    return Settings.from_env().timezone


def _settings(warehouse: str, counters: str | None, redis: str | None, day: str | None, timezone: str, **kw):
    from guanghe.config import SettingError, platform_zone
    from guanghe.data.warehouse import WarehouseError, WarehouseMissing, open_warehouse
    from guanghe.serve.server import ServeSettings, counters_url, warehouse_url

    url = redis or counters or Settings.from_env().counters
    try:
        warehouse_url(warehouse)
        counters_url(url)
        platform_zone(timezone)
        open_warehouse(warehouse, read_only=True).close()  # it exists (any engine)
    except WarehouseMissing as e:
        raise _fail(f"{e}: {FIRST_STEP}") from e
    except WarehouseError:  # there but unreadable now (a writer holds it): the server retries at every poll
        pass
    except SettingError as e:
        raise _fail(str(e).replace("GUANGHE_TIMEZONE", "--timezone")) from e
    level = logging.getLevelName(logging.getLogger("guanghe").getEffectiveLevel())
    return ServeSettings(
        warehouse=warehouse, counters=url, day=_day(day), timezone=timezone, log_level=level, **kw
    )


@app.command()
def serve(
    warehouse: str = typer.Option(
        warehouse_option, "--warehouse", "-w", help="Warehouse URL (duckdb:///FILE, spark:///DIR)."
    ),
    host: str = typer.Option("127.0.0.1", help="Bind address."),
    port: int = typer.Option(8000, help="Port."),
    workers: int = typer.Option(1, min=1, help="uvicorn worker processes (share counters with --redis)."),
    redis: str | None = typer.Option(None, "--redis", help="Share counters in Redis: redis://HOST:PORT/DB."),
    counters: str | None = typer.Option(None, help="Counters URL (default GUANGHE_COUNTERS or memory://)."),
    prefix: str = typer.Option("guanghe:serve", help="Redis key prefix."),
    day: str | None = typer.Option(
        None,
        "--date",
        help="Serve this day's quotas (default: today in --timezone; another day needs --replay).",
    ),
    timezone: str = typer.Option(
        timezone_option, "--timezone", help="Platform time zone: its day is served, its hours pace delivery."
    ),
    replay: bool = typer.Option(
        False, "--replay", help="Replay/test mode: a request's `at` sets the time (live: the server's clock)."
    ),
    plan_id: str | None = typer.Option(None, help="Serve this plan (default: the newest)."),
    max_boosts: int = typer.Option(2, "--max-boosts", "-k", min=0, help="Boosted works per slate at most."),
    guardrail: float = typer.Option(0.5, min=0.0, help="Boosted score >= this x the lowest organic pick."),
    placement: str = typer.Option(PLACEMENT_DEFAULT, help=PLACEMENT_HELP),
    max_candidates: int = typer.Option(500, min=1, help="Candidates per request at most."),
    quota_scale: float = typer.Option(1.0, min=0.0, help="Multiply every quota (small replays)."),
    no_boost: bool = typer.Option(False, "--no-boost", help="Organic order only (benchmark baseline)."),
    flush_s: float = typer.Option(60.0, help="Seconds between warehouse writes of delivered impressions."),
    no_flush: bool = typer.Option(False, "--no-flush", help="Do not write delivered impressions."),
    poll_s: float = typer.Option(5.0, help="Seconds between checks for a new plan."),
) -> None:
    """Run the boost-and-pacing API (uvicorn): /v1/rerank, /v1/boost-pool, /v1/health, /v1/ready, /metrics."""
    import uvicorn

    from guanghe.config.clock import platform_day, platform_zone
    from guanghe.serve.plans import load
    from guanghe.serve.server import ENV

    s = _settings(warehouse, counters, redis, day, timezone, prefix=prefix, plan_id=plan_id, max_boosts=max_boosts,
                  guardrail=guardrail, placement=_placement(placement), max_candidates=max_candidates,
                  quota_scale=quota_scale, boost=not no_boost, flush_s=flush_s, write_warehouse=not no_flush,
                  poll_s=poll_s, replay=replay)  # fmt: skip
    today = platform_day(time.time(), platform_zone(timezone))
    if s.day and not replay and s.day != today.isoformat():
        raise _fail(f"--date {s.day} is not today ({today} in {timezone}): a live server paces by its clock; "
                    f"add --replay to serve {s.day} with the time taken from the requests' `at`")  # fmt: skip
    served = date.fromisoformat(s.day) if s.day else today
    try:
        snap = load(s.warehouse, served, plan_id).scaled(quota_scale)
    except Exception as e:  # (a writer holds the file: the server retries at every poll)
        snap = None
        err_console.print(
            f"[yellow]warning:[/] cannot read the plan now: {str(e).splitlines()[0]}", soft_wrap=True
        )
    mode = "replay mode: time from the requests" if replay else "live: the server's clock"
    console.print(f"serving {s.warehouse} ({s.counters.split('@')[-1]}) on http://{host}:{port} x{workers}; "
                  f"day {served} ({timezone}), {mode}", highlight=False, soft_wrap=True)  # fmt: skip
    if snap is not None and snap.quotas:
        console.print(f"plan {snap.plan_id}: {len(snap.quotas):,} creators, {snap.impressions:,} impressions",
                      highlight=False)  # fmt: skip
    elif snap is not None and not no_boost:
        err_console.print(f"[yellow]warning:[/] degraded (organic order only; /v1/ready fails): {snap.problem} "
                          "— the server picks up a plan for the day when one is written", soft_wrap=True)  # fmt: skip
    os.environ[ENV] = s.to_env()
    uvicorn.run("guanghe.serve.server:create_app", factory=True, host=host, port=port, workers=workers,
                log_level="warning", access_log=False)  # fmt: skip


BOOSTS_PER_REQUEST = (
    0.6  # x K: boosts a replayed request carries on average with ample supply (measured ~0.75)
)


def needed_requests(impressions: int, max_boosts: int, supply: float | None = None) -> int:
    """Requests a replay needs to deliver a day's quota (K boosts per slate at most, ~60 % of K used); with a
    finite supply F, the requests that carry its F x quota offers at ``OFFERS_PER_REQUEST`` each."""
    if supply is not None:
        from guanghe.serve.supply import OFFERS_PER_REQUEST

        return max(1, math.ceil(impressions * supply / OFFERS_PER_REQUEST))
    return max(1, math.ceil(impressions / (BOOSTS_PER_REQUEST * max(max_boosts, 1))))


@app.command()
def replay(
    day: str = typer.Option(..., "--date", help="Day to replay (its quotas are served)."),
    warehouse: str = typer.Option(
        warehouse_option, "--warehouse", "-w", help="Warehouse URL (duckdb:///FILE, spark:///DIR)."
    ),
    url: str | None = typer.Option(
        None,
        help="Send to a running server (http://HOST:PORT, started with --replay --date D) instead of in-process.",
    ),
    requests: int | None = typer.Option(
        None, min=1, help="Feed requests over the day (default: what the quotas need, at most 50,000)."
    ),
    quota_scale: float | None = typer.Option(
        None,
        min=0.0,
        help="Multiply every quota (default: 1, or smaller to fit the requests; --url: the server's).",
    ),
    slots: int = typer.Option(10, min=1, max=100, help="Slots per slate."),
    max_boosts: int = typer.Option(2, "--max-boosts", "-k", min=0, help="K (in-process)."),
    guardrail: float = typer.Option(
        0.5, min=0.0, help="Boosted score >= this x the lowest organic pick (in-process)."
    ),
    placement: str = typer.Option(PLACEMENT_DEFAULT, help=PLACEMENT_HELP + " (in-process)"),
    supply: float | None = typer.Option(
        None,
        "--supply",
        min=0.0,
        help="Finite supply: F x each creator's quota in offers; compares the controller "
        "with the greedy and even-spread baselines on one stream (in-process).",
    ),
    seed: int = typer.Option(0, help="Random seed."),
    timezone: str = typer.Option(
        timezone_option, "--timezone", help="Platform time zone (its day is replayed)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Replay a day of feed requests through the service; print quota attainment, overspend, viewer cost."""
    from guanghe.serve import replay as rp
    from guanghe.serve.plans import load
    from guanghe.serve.server import build

    if supply is not None and url:
        raise _fail("--supply runs the policies in-process on one request stream; leave out --url")
    s = _settings(warehouse, "memory://", None, day, timezone, max_boosts=max_boosts, seed=seed,
                  write_warehouse=False, replay=True, guardrail=guardrail, placement=_placement(placement))  # fmt: skip
    d = date.fromisoformat(s.day)
    out = err_console if as_json else console
    server = _server(url, d, quota_scale) if url else None
    if server is not None:
        quota_scale, max_boosts = server["quota_scale"], server.get("max_boosts", max_boosts)
    full = load(s.warehouse, d)
    if not full.quotas:
        raise _fail(f"no quotas for {d} in {warehouse}: {full.problem} (run guanghe allocate; delivery days are "
                    "in its plan)")  # fmt: skip
    need = needed_requests(full.impressions, max_boosts, supply)
    if requests is None:
        requests = (
            max(1_000, math.ceil(need * quota_scale))
            if quota_scale is not None
            else min(max(need, 1_000), 50_000)
        )
    if quota_scale is None:
        quota_scale = min(1.0, float(f"{requests / need:.3g}"))
    at = f"K={max_boosts}" if supply is None else f"supply x {supply:g}"
    out.print(f"sizing: the day's quotas ({full.impressions:,} impressions, {len(full.quotas):,} creators) need "
                  f"~{need:,} requests at {at}; replaying {requests:,} requests against quotas x {quota_scale:g}"
                  + ("" if quota_scale >= 1 or url else f" (--requests {need} --quota-scale 1 replays the full day)"),
                  highlight=False, soft_wrap=True)  # fmt: skip
    s.quota_scale = quota_scale
    served = build(s)
    snap = served.engine.source.snapshot
    if not snap.quotas:
        raise _fail(f"no quotas left for {d} at --quota-scale {quota_scale:g}: raise it")
    catalog = rp.Catalog.load(s.warehouse, d, seed)
    t0 = time.perf_counter()
    zone = served.engine.source.zone
    if supply is not None:
        from guanghe.cli.serve_supply import run_supply

        return run_supply(snap, catalog, requests, supply, served.engine.cfg, slots, seed, zone, as_json)
    if url is None:
        eng = served.engine
        report = rp.run(
            eng.handle,
            lambda at: eng.pool(None, 300, at),
            snap,
            catalog,
            requests,
            slots,
            seed=seed,
            zone=zone,
        )
    else:
        report = _over_http(url, snap, catalog, requests, slots, seed, zone)
    if as_json:
        return _json(report)
    _print(report, time.perf_counter() - t0, url)
    _hint(report, snap.impressions, max_boosts, quota_scale, url)


def _server(url: str, d: date, scale: float | None) -> dict:
    """The health of a server a replay is sent to: it must replay the same day, in replay mode."""
    import httpx

    try:
        h = httpx.get(url.rstrip("/") + "/v1/health", timeout=10.0).json()
    except (httpx.HTTPError, ValueError) as e:
        raise _fail(f"--url {url}: no guanghe server answers there ({e})") from e
    if h.get("mode") != "replay":
        raise _fail(f"--url {url}: the server runs live (its clock decides, the replay's times would be ignored): "
                    f"start it with `guanghe serve --replay --date {d}`")  # fmt: skip
    if h.get("day") != d.isoformat():
        raise _fail(f"--url {url}: the server serves {h.get('day')}, not {d}: start it with --date {d}")
    if scale is not None and abs(h.get("quota_scale", 1.0) - scale) > 1e-12:
        raise _fail(f"--quota-scale {scale:g}: the server at {url} scales quotas by {h.get('quota_scale'):g}; "
                    "give the same or leave it out")  # fmt: skip
    return h


def _hint(r, impressions: int, max_boosts: int, scale: float, url: str | None) -> None:
    """Say which knob limits a low attainment."""
    got = r.creators.get("attainment", 0.0)
    if got >= 0.95:
        return
    need = needed_requests(impressions, max_boosts)
    if r.requests < need:
        fit = float(f"{r.requests / need * scale:.3g}")
        where = "the server's --quota-scale" if url else "--quota-scale"
        console.print(f"[yellow]hint:[/] attainment {got:.2%} is limited by the number of requests: the quotas "
                      f"({impressions:,} impressions) need ~{need:,} requests at K={max_boosts}; raise --requests to "
                      f"{need:,}, or set {where} to {fit:g}", highlight=False, soft_wrap=True)  # fmt: skip
    elif r.slates_boosted >= 0.8 * r.requests:
        console.print(f"[yellow]hint:[/] attainment {got:.2%} with {r.slates_boosted / r.requests:.0%} of slates "
                      f"carrying a boost: raise -k (now {max_boosts}) or --requests", highlight=False)  # fmt: skip
    else:
        console.print(f"[yellow]hint:[/] attainment {got:.2%} with requests to spare: the planned creators' works "
                      "were rarely candidates above the guardrail (supply)", highlight=False)  # fmt: skip


def _over_http(url: str, snap, catalog, requests: int, slots: int, seed: int, zone):
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
            return rp.run(send, pool, snap, catalog, requests, slots, seed=seed, zone=zone)
        except httpx.HTTPError as e:
            raise _fail(f"{url}: {e}") from e


def _json(r) -> None:
    import json

    keys = ("requests", "slates_boosted", "score_loss", "relative_loss", "creators", "overspend", "hourly")
    doc = {k: getattr(r, k) for k in keys} | {"programs": {p: {"delivered": d, "quota": q}
                                                           for p, (d, q) in sorted(r.programs.items())}}  # fmt: skip
    print(json.dumps(doc, indent=2))


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
