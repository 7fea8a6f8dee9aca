"""Counters rebuilt from what was delivered: a Redis restarted empty mid-day, and a restarted service, never
hand out a quota a second time."""

from __future__ import annotations

import logging
import time
from datetime import datetime

import msgspec
from serve_helpers import DAY, MIDNIGHT, PrivateRedis, url_of, write_plan

from guanghe.serve.app import App
from guanghe.serve.server import ServeSettings, build

QUOTAS = {(1, "a"): 30, (2, "a"): 12, (2, "b"): 6}


def body(i: int, at: float) -> bytes:
    """Both planned creators among the candidates, far more demand than quota; late in the day (catch-up)."""
    cands = [{"work_id": w, "creator_id": 100 + w, "score": 10.0 - w} for w in range(6)]
    cands += [{"work_id": 50, "creator_id": 1, "score": 4.5}, {"work_id": 60, "creator_id": 2, "score": 4.2}]
    return msgspec.json.encode(
        {"request_id": f"rb-{i}", "user_id": 1, "slots": 3, "candidates": cands, "at": at}
    )


def served(app: App, first: int, n: int, counted: dict) -> None:
    for i in range(first, first + n):
        for it in msgspec.json.decode(app.engine.handle(body(i, MIDNIGHT + 23.7 * 3600)))["items"]:
            if "program" in it:
                k = (it["creator_id"], it["program"])
                counted[k] = counted.get(k, 0) + 1


def plan(tmp_path) -> str:
    path = str(tmp_path / "wh.duckdb")
    write_plan(path, "p1", QUOTAS, datetime(2026, 1, 1))
    return path


def worker(path: str, url: str, prefix: str) -> App:
    app = build(
        ServeSettings(
            warehouse=url_of(path), counters=url, prefix=prefix, day=DAY.isoformat(), replay=True, seed=1
        )
    )
    app.engine.counters.grace_s = 0.3  # (2 s in service: time for every worker to notice the loss)
    app.engine.counters.idle_s = 0.0
    return app


def test_redis_restarted_empty_mid_day_hands_out_no_quota_twice(tmp_path, caplog) -> None:
    path = plan(tmp_path)
    redis = PrivateRedis()  # no persistence at all: a restart comes back empty
    redis.start()
    a, b = worker(path, redis.url, "t"), worker(path, redis.url, "t")
    counted: dict = {}
    try:
        served(a, 0, 6, counted)
        served(b, 100, 5, counted)
        for app in (a, b):
            app.engine.counters.sync()
        a.sink.add(a.engine.drain_works())  # a's deliveries reach the warehouse; b's are still in memory
        assert a.sink.write()
        before = dict(counted)
        assert sum(before.values()) == 22 and a.health()["status"] == "ok"

        redis.stop()
        redis.start()  # empty: no counts, no leases, no scripts
        with caplog.at_level(logging.INFO, logger="guanghe"):
            for app in (a, b):
                app.engine.counters.sync()  # each notices its epoch is gone and rebuilds the day
        lines = [m for m in caplog.messages if "counters for 2023-07-01" in m]
        assert len(lines) == 4 and "lost by Redis" in lines[0] and "rebuilt in epoch" in lines[1], lines
        assert "12 impressions added (12 delivered here;" in lines[1]  # a: its own 12 (a's flush: same ones)
        assert (
            "10 impressions added (10 delivered here; the warehouse records 12 by other workers)" in lines[3]
        )
        assert a.engine.counters.rebuilds == 2  # (a made the day's counts at start, b joined them)
        assert b.engine.counters.rebuilds == 1
        c = worker(path, redis.url, "t")  # a worker started after the loss joins the rebuilt counts
        time.sleep(0.35)
        for app in (a, b, c):
            app.engine.counters.sync()
        served(a, 200, 40, counted)
        served(b, 300, 40, counted)
        served(c, 400, 40, counted)
        for app in (a, b, c):
            app.close()
    finally:
        redis.stop()
    assert counted == QUOTAS  # demand far above the quota: each delivered exactly once, never more


def test_a_redis_restarted_empty_when_the_service_starts_is_seeded_from_the_warehouse(tmp_path) -> None:
    path = plan(tmp_path)
    redis = PrivateRedis()
    redis.start()
    counted: dict = {}
    try:
        first = worker(path, redis.url, "s")
        served(first, 0, 10, counted)
        first.close()  # shutdown: leases back, deliveries flushed to the warehouse
        redis.stop()
        redis.start()  # both the service and Redis restart (Redis empty)
        second = worker(path, redis.url, "s")
        assert second.health()["status"] == "ok"
        served(second, 100, 60, counted)
        second.close()
    finally:
        redis.stop()
    assert counted == QUOTAS


def test_a_restarted_memory_service_counts_todays_deliveries(tmp_path) -> None:
    path = plan(tmp_path)
    counted: dict = {}
    first = build(ServeSettings(warehouse=url_of(path), day=DAY.isoformat(), replay=True, seed=1))
    served(first, 0, 10, counted)
    first.close()
    second = build(ServeSettings(warehouse=url_of(path), day=DAY.isoformat(), replay=True, seed=1))
    served(second, 100, 60, counted)
    assert counted == QUOTAS
    assert second.engine.counters.rebuilds == 1
