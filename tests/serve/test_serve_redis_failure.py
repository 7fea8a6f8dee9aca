"""A private redis-server stopped mid-run: organic answers, degraded health, recovery, no double count."""

from __future__ import annotations

import time

import msgspec
from serve_helpers import DAY, MIDNIGHT

from guanghe.serve.app import App
from guanghe.serve.counters.redis import RedisCounters
from guanghe.serve.engine import Config, Engine
from guanghe.serve.plans import PlanSource, Snapshot


def body(i: int) -> bytes:
    cands = [{"work_id": w, "creator_id": 100 + w, "score": 10.0 - w} for w in range(6)]
    cands.append({"work_id": 50, "creator_id": 1, "score": 4.0})
    return msgspec.json.encode({"request_id": f"q{i}", "user_id": 1, "slots": 3, "candidates": cands,
                                "at": MIDNIGHT + 23.9 * 3600})  # fmt: skip


def boosted(out: bytes) -> tuple[int, bool]:
    d = msgspec.json.decode(out)
    return sum("program" in i for i in d["items"]), d["degraded"]


def test_redis_stopped_mid_run(private_redis) -> None:
    snap = Snapshot(DAY, "p", None, {1: (("a", 1_000),)}, {1: "food"}, {1: (50,)})
    counters = RedisCounters(private_redis.url, prefix="t", retry_s=0.2, timeout_s=0.2)
    app = App(Engine(PlanSource.fixed(snap), counters, Config(seed=0, replay=True)))
    eng, served = app.engine, 0
    for i in range(20):
        served += boosted(eng.handle(body(i)))[0]
    counters.sync()
    assert served == 20 and app.health()["status"] == "ok"
    assert counters.r.hget(f"t:{DAY.isoformat()}:used", "1:a") == b"20"

    private_redis.stop()
    for i in range(20, 30):
        served += boosted(eng.handle(body(i)))[0]  # a lease in hand may still be spent: it was granted
    counters.sync()  # the upkeep's sync fails quietly
    out = [boosted(eng.handle(body(i))) for i in range(30, 40)]
    assert out == [(0, True)] * 10  # organic order, flagged degraded, no exception
    assert app.health()["status"] == "degraded"
    assert eng.handle(body(35)) == eng.handle(body(35))  # retries still answered the same while down

    private_redis.start()  # same port, its append-only file restores the counts pushed before the stop
    time.sleep(0.25)
    for _ in range(3):
        counters.sync()
    assert app.health()["status"] == "ok"
    for i in range(40, 50):
        served += boosted(eng.handle(body(i)))[0]
    counters.sync(release=True)
    stored = int(counters.r.hget(f"t:{DAY.isoformat()}:used", "1:a"))
    assert served >= 30 and stored == served  # every boost counted exactly once
    assert int(counters.r.hget(f"t:{DAY.isoformat()}:leased", "1:a")) == served
    counters.r.close()


def test_request_ids_are_written_without_blocking_the_event_loop(private_redis) -> None:
    """The per-request ``SET NX GET`` goes over one pipelined connection: many requests in flight at once get
    their own replies, the first answer of an id wins, and a Redis that hangs costs at most the timeout."""
    import asyncio
    import os
    import signal

    counters = RedisCounters(private_redis.url, prefix="p", retry_s=0.2, timeout_s=0.2)

    async def burst() -> list[bytes | None]:
        first = [counters.remember_async(f"id{i}", b"first %d" % i) for i in range(300)]
        got = await asyncio.gather(*first)
        counters._recent = type(counters._recent)()  # another worker's view: only Redis knows the ids
        again = [counters.remember_async(f"id{i}", b"second %d" % i) for i in range(300)]
        return got + await asyncio.gather(*again)

    got = asyncio.run(burst())
    assert got[:300] == [None] * 300 and got[300:] == [b"first %d" % i for i in range(300)]

    async def hung() -> tuple[bytes | None, int, float]:
        ticks = 0

        async def tick() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        ticker = asyncio.create_task(tick())
        t0 = time.perf_counter()
        old = await counters.remember_async("h1", b"x")
        ticker.cancel()
        return old, ticks, time.perf_counter() - t0

    os.kill(private_redis.proc.pid, signal.SIGSTOP)  # alive but silent
    try:
        old, ticks, took = asyncio.run(hung())
    finally:
        os.kill(private_redis.proc.pid, signal.SIGCONT)
    assert old is None and 0.15 < took < 1.0 and ticks >= 5  # the loop kept running while we waited
    assert not counters.healthy
    deadline = time.monotonic() + 5.0  # back by itself, once its retry interval (0.2 s) has passed
    while True:
        time.sleep(0.25)
        back = asyncio.run(counters.remember_async("h2", b"y")) is None and counters.healthy
        if back or time.monotonic() > deadline:
            break
    assert back
    counters.r.close()
