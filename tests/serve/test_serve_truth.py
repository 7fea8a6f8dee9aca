"""The service tells the truth: its clock decides (a request's time only in replay mode), health and
readiness say when no plan covers the serving day and why, and days and hours are the platform's."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime

import msgspec
from serve_helpers import DAY, MIDNIGHT, url_of
from test_serve_app import Client
from typer.testing import CliRunner

from guanghe.cli import app as cli
from guanghe.config.clock import platform_zone
from guanghe.serve.counters import open_counters
from guanghe.serve.engine import Config, Engine
from guanghe.serve.pacing import Curve
from guanghe.serve.plans import PlanSource, Snapshot
from guanghe.serve.server import ServeSettings, build

SHANGHAI = platform_zone("Asia/Shanghai")
D_START_SHANGHAI = datetime(2023, 6, 30, 16, tzinfo=UTC).timestamp()  # 00:00 of DAY in Shanghai


def rerank(i: int, at: float | None) -> bytes:
    cands = [{"work_id": w, "creator_id": 100 + w, "score": 10.0 - w} for w in range(6)]
    cands.append({"work_id": 50, "creator_id": 1, "score": 6.0})
    body = {"request_id": f"t{i}", "user_id": 3, "slots": 3, "candidates": cands}
    return msgspec.json.encode(body if at is None else {**body, "at": at})


def engine(replay: bool, clock: float, zone=None) -> Engine:
    snap = Snapshot(DAY, "p1", None, {1: (("a", 1_000),)}, {1: "food"}, {1: (50,)})
    return Engine(PlanSource.fixed(snap, zone), open_counters("memory://"), Config(seed=0, replay=replay),
                  clock=lambda: clock)  # fmt: skip


def boosts(eng: Engine, n: int, at: float | None) -> int:
    return sum(msgspec.json.decode(eng.handle(rerank(i, at)))["boosted"] for i in range(n))


def test_a_callers_time_is_ignored_by_a_live_server() -> None:
    late = MIDNIGHT + 23 * 3600 + 40 * 60  # 23:40: the catch-up stretch, everything still owed goes out
    live = engine(replay=False, clock=MIDNIGHT + 60)  # the server's clock: one minute into the day
    # one minute of a 1,000-impression curve: 0.52 impressions due, so the curve's first unit and no more
    assert boosts(live, 50, late) == 1
    assert live.pool(None, 10, late)[0]["behind"] == round(Curve().share(60) - 1 / 1_000, 4)
    replay = engine(replay=True, clock=MIDNIGHT + 60)
    assert boosts(replay, 50, late) == 50  # replay/test mode: the request's time drives pacing
    assert replay.pool(None, 10, late)[0]["behind"] == round(1.0 - 50 / 1_000, 4)


def test_health_and_readiness_say_why_nothing_is_served(plan_file: str, tmp_path) -> None:
    good = Client(build(ServeSettings(warehouse=url_of(plan_file), day=DAY.isoformat(), replay=True)))
    h = good.get("/v1/health").json()
    assert (h["status"], h["reason"], h["mode"], h["creators"]) == ("ok", None, "replay", 3)
    assert good.get("/v1/ready").status_code == 200

    today = datetime.now(UTC).date()  # (the platform zone defaults to UTC)
    cases = {
        "no --date: today, outside the plan": (
            ServeSettings(warehouse=url_of(plan_file)),
            "plan 'p1' has no quotas for {today} (its quotas cover 2023-07-01..2023-07-01)",
        ),
        "missing warehouse": (
            ServeSettings(warehouse=url_of(str(tmp_path / "nope.duckdb")), day=DAY.isoformat(), replay=True),
            f"no warehouse at {tmp_path / 'nope.duckdb'}",
        ),
        "unknown plan id": (
            ServeSettings(warehouse=url_of(plan_file), day=DAY.isoformat(), replay=True, plan_id="zzz"),
            f"no plan 'zzz' in {url_of(plan_file)}",
        ),
        "a past day served live": (
            ServeSettings(warehouse=url_of(plan_file), day=DAY.isoformat()),
            "serving day 2023-07-01 is not today",
        ),
    }
    for name, (settings, reason) in cases.items():
        c = Client(build(settings))
        h = c.get("/v1/health")
        assert h.status_code == 200 and h.json()["status"] == "degraded", name
        assert h.json()["reason"].startswith(reason.format(today=today.isoformat())), (
            name,
            h.json()["reason"],
        )
        r = c.get("/v1/ready")
        assert r.status_code == 503 and r.json() == {"ready": False, "reason": h.json()["reason"]}, name
        out = msgspec.json.decode(c.app.engine.handle(rerank(0, None)))
        assert out["boosted"] == 0 and out["degraded"] is True, name
        assert "guanghe_ready 0" in c.get("/metrics").text.splitlines(), name


def test_the_cli_refuses_what_would_serve_nothing(plan_file: str, tmp_path) -> None:
    run = CliRunner().invoke
    missing = run(cli, ["serve", "-w", f"duckdb:///{tmp_path / 'nope.duckdb'}"])
    assert (
        missing.exit_code == 2 and "no warehouse at" in missing.output and "Traceback" not in missing.output
    )
    past = run(cli, ["serve", "-w", f"duckdb:///{plan_file}", "--date", DAY.isoformat()])
    assert (
        past.exit_code == 2 and "--date 2023-07-01 is not today" in past.output and "--replay" in past.output
    )
    zone = run(cli, ["serve", "-w", f"duckdb:///{plan_file}", "--timezone", "Mars/Base"])
    assert zone.exit_code == 2 and "--timezone 'Mars/Base'" in zone.output
    bad = run(cli, ["serve", "-w", f"duckdb:///{plan_file}", "--counters", "redis://h:port/0"])
    assert bad.exit_code == 2 and "counters 'redis://h:port/0': bad port" in bad.output
    other = run(cli, ["serve", "-w", f"duckdb:///{plan_file}", "--counters", "mongo://h"])
    assert other.exit_code == 2 and "unknown scheme 'mongo'" in other.output
    memory = run(cli, ["serve", "-w", "duckdb://"])  # a warehouse URL of any engine, but a stored one
    assert memory.exit_code == 2 and "an in-memory warehouse has no plans" in memory.output
    engine = run(cli, ["replay", "--date", DAY.isoformat(), "-w", "mysql://h/db"])
    assert engine.exit_code == 2 and "unknown scheme 'mysql'" in engine.output and "spark://" in engine.output


# -- the platform's time zone ---------------------------------------------------------------------------
def test_the_platform_day_starts_at_its_own_midnight(plan_file: str) -> None:
    """Asia/Shanghai: 16:00 UTC on D-1 is the start of D; 00:00 UTC is 08:00 there."""
    src = PlanSource(url_of(plan_file), zone=SHANGHAI, clock=lambda: D_START_SHANGHAI)
    assert src.today() == DAY and src.snapshot.day == DAY and src.snapshot.plan_id == "p1"
    assert len(src.snapshot.quotas) == 3
    before = PlanSource(url_of(plan_file), zone=SHANGHAI, clock=lambda: D_START_SHANGHAI - 1)
    assert before.today() == date(2023, 6, 30) and before.snapshot.quotas == {}
    utc = PlanSource(
        url_of(plan_file), clock=lambda: D_START_SHANGHAI
    )  # the default zone, UTC: still June 30
    assert utc.today() == date(2023, 6, 30)


def test_pacing_runs_on_the_platforms_hours() -> None:
    at_0800_local = MIDNIGHT  # 2023-07-01T00:00Z
    eng = engine(replay=False, clock=at_0800_local, zone=SHANGHAI)
    assert eng.bounds() == (D_START_SHANGHAI, D_START_SHANGHAI + 86_400)
    assert eng._second(at_0800_local) == 8 * 3600.0
    assert eng.pool(None, 10)[0]["behind"] == round(Curve().share(8 * 3600), 4)
    assert engine(replay=False, clock=D_START_SHANGHAI, zone=SHANGHAI).pool(None, 10)[0]["behind"] == 0.0
    assert engine(replay=False, clock=at_0800_local).pool(None, 10)[0]["behind"] == 0.0  # UTC: its midnight


def test_counts_and_flushes_go_to_the_platform_day(plan_file: str) -> None:
    """A boost at 2023-06-30T17:00Z is delivered on 2023-07-01 in Shanghai (01:00 there)."""
    app = build(
        ServeSettings(warehouse=url_of(plan_file), day=DAY.isoformat(), replay=True, timezone="Asia/Shanghai")
    )
    eng = app.engine
    cands = [{"work_id": w, "creator_id": 100 + w, "score": 10.0 - w} for w in range(6)]
    cands.append({"work_id": 11, "creator_id": 1, "score": 6.0})
    at = D_START_SHANGHAI + 23 * 3600  # (23:00 there: due)
    out = msgspec.json.decode(eng.handle(msgspec.json.encode(
        {"request_id": "z", "user_id": 1, "slots": 3, "candidates": cands, "at": at})))  # fmt: skip
    assert out["boosted"] == 1
    assert eng.counters.totals("2023-07-01") == {(1, "a"): 1}
    app.sink.add(eng.drain_works())
    assert app.sink.write()
    import duckdb

    con = duckdb.connect(plan_file, read_only=True)
    assert con.execute("SELECT work_id, date, program, impressions FROM work_boost").fetchall() == [
        (11, DAY, "a", 1)]  # fmt: skip
    con.close()
    assert app.health()["timezone"] == "Asia/Shanghai"


def test_a_plan_is_logged_when_loaded(plan_file: str, caplog) -> None:
    with caplog.at_level(logging.INFO, logger="guanghe"):
        build(ServeSettings(warehouse=url_of(plan_file), day=DAY.isoformat(), replay=True))
    assert "plan p1 loaded for 2023-07-01: 3 creators, 46 impressions" in caplog.messages
