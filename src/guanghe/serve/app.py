"""The ASGI application: a plain callable on the rerank hot path (msgspec in, msgspec out), with the
cold endpoints next to it; background upkeep (counter sync, plan reload, warehouse flush) runs in the
lifespan as asyncio tasks, blocking work off the event loop in a thread."""

from __future__ import annotations

import asyncio
import gc
import json
import math
import time
from contextlib import suppress
from urllib.parse import parse_qs

import msgspec

from guanghe.config.clock import platform_day
from guanghe.serve import metrics, openapi
from guanghe.serve.engine import Engine
from guanghe.serve.flush import WarehouseSink
from guanghe.serve.model import BadRequest

JSON = [(b"content-type", b"application/json")]
MAX_BODY = 1 << 20


def _error(field: str, message: str) -> bytes:
    return msgspec.json.encode({"error": message, "field": field})


def settle_heap(collect: bool = False) -> None:
    """Put every object alive now — the imported libraries (Ibis, DuckDB, pyarrow: hundreds of thousands of
    objects) and the loaded plan — in the permanent generation, out of the cyclic collector's reach: each full
    collection walked them all (~80 ms), which was most of the p99 under load. Garbage is still freed by
    reference counting; the collector keeps watching what requests create."""
    if collect:
        gc.collect()
    gc.freeze()


class App:
    def __init__(
        self, engine: Engine, sink: WarehouseSink | None = None, sync_s: float = 0.5, poll_s: float = 5.0,
        flush_s: float = 60.0,
    ) -> None:  # fmt: skip
        self.engine, self.sink = engine, sink
        self.sync_s, self.poll_s, self.flush_s = sync_s, poll_s, flush_s
        self._openapi = json.dumps(openapi.document(engine.cfg.max_candidates)).encode()
        self._tasks: list[asyncio.Task] = []
        self.started = time.time()

    async def __call__(self, scope, receive, send) -> None:
        kind = scope["type"]
        if kind == "lifespan":
            return await self._lifespan(receive, send)
        if kind != "http":
            return
        path, method = scope["path"], scope["method"]
        if path == "/v1/rerank":
            if method != "POST":
                return await self._send(send, 405, _error("method", "use POST"))
            body, more = b"", True
            while more:
                msg = await receive()
                body += msg.get("body", b"")
                more = msg.get("more_body", False)
                if len(body) > MAX_BODY:
                    self.engine.reject(413)
                    return await self._send(send, 413, _error("$", f"body over {MAX_BODY} bytes"))
            try:
                out = await self.engine.handle_async(body)
            except BadRequest as e:
                status = 400 if e.field == "$" and e.message.startswith("malformed") else 422
                self.engine.reject(status)
                return await self._send(send, status, _error(e.field, e.message))
            return await self._send(send, 200, out)
        if method != "GET":
            return await self._send(send, 405, _error("method", "use GET"))
        if path == "/v1/boost-pool":
            return await self._pool(scope, send)
        if path == "/v1/health":
            return await self._send(send, 200, msgspec.json.encode(self.health()))
        if path == "/v1/ready":
            why = self.problems()
            body = msgspec.json.encode({"ready": not why, "reason": "; ".join(why) or None})
            return await self._send(send, 503 if why else 200, body)
        if path == "/metrics":
            text = metrics.render(self.engine, self._gauges()).encode()
            return await self._send(send, 200, text, [(b"content-type", b"text/plain; version=0.0.4")])
        if path == "/openapi.json":
            return await self._send(send, 200, self._openapi)
        return await self._send(send, 404, _error("path", f"no route {path}"))

    async def _send(self, send, status: int, body: bytes, headers=JSON) -> None:
        await send({"type": "http.response.start", "status": status,
                    "headers": [*headers, (b"content-length", str(len(body)).encode())]})  # fmt: skip
        await send({"type": "http.response.body", "body": body})

    async def _pool(self, scope, send) -> None:
        q = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        category = q.get("category", [None])[0]
        raw = q.get("limit", ["100"])[0]
        try:
            limit = int(raw)
        except ValueError:
            limit = -1
        if not 1 <= limit <= 10_000:
            return await self._send(send, 400, _error("limit", f"expected an integer 1..10000, got {raw!r}"))
        at_raw = q.get("at", [None])[0]
        try:
            at = None if at_raw is None else float(at_raw)
        except ValueError:
            at = float("nan")
        if at is not None and not math.isfinite(at):
            return await self._send(send, 400, _error("at", f"expected unix seconds, got {at_raw!r}"))
        snap = self.engine.source.snapshot
        body = {
            "day": snap.day.isoformat(),
            "plan_id": snap.plan_id,
            "works": self.engine.pool(category, limit, at),
        }
        await self._send(send, 200, msgspec.json.encode(body))

    def problems(self) -> list[str]:
        """Why the service is not doing its job right now (empty: it is)."""
        e, out = self.engine, []
        snap, src = e.source.snapshot, e.source
        if not e.counters.healthy:
            out.append(f"counters unreachable at {e.counters.url.split('@')[-1]}")
        if not e.cfg.boost:  # organic order by configuration: no plan needed
            return out
        if src.reason:
            out.append(src.reason)
        if e.outside_day():
            today = platform_day(e.clock(), src.zone)
            out.append(f"serving day {snap.day} is not today ({today} in {src.zone.key}): a live server paces "
                       f"by its clock; serve without --date, or run with --replay to take the requests' time")  # fmt: skip
        elif snap.quotas and e.counters.healthy and not e.counters.ready(snap.day.isoformat()):
            out.append(f"counters for {snap.day} not rebuilt yet from the delivered impressions")
        return out

    def health(self) -> dict:
        e = self.engine
        snap, ok = e.source.snapshot, e.counters.healthy
        why = self.problems()
        return {
            "status": "degraded" if why else "ok", "reason": "; ".join(why) or None,
            "mode": "replay" if e.cfg.replay else "live", "timezone": e.source.zone.key, "boost": e.cfg.boost,
            "max_boosts": e.cfg.max_boosts,
            "counters": e.counters.url.split("@")[-1], "counters_ok": ok, "counters_rebuilds": e.counters.rebuilds,
            "plan_id": snap.plan_id, "day": snap.day.isoformat(), "creators": len(snap.quotas),
            "impressions": snap.impressions, "quota_scale": e.source.scale,
            "plan_reloads": e.source.reloads, "plan_load_errors": e.source.errors,
            "warehouse_pending_batches": len(self.sink.pending) if self.sink else 0,
        }  # fmt: skip

    def _gauges(self) -> dict[str, float]:
        return {"guanghe_counters_up": float(self.engine.counters.healthy),
                "guanghe_ready": float(not self.problems()),
                "guanghe_counter_rebuilds": float(self.engine.counters.rebuilds),
                "guanghe_plan_reloads": float(self.engine.source.reloads),
                "guanghe_uptime_seconds": time.time() - self.started}  # fmt: skip

    # -- upkeep -------------------------------------------------------------------------------------
    async def _lifespan(self, receive, send) -> None:
        while True:
            msg = await receive()
            if msg["type"] == "lifespan.startup":
                snap = self.engine.source.snapshot
                if snap.quotas and self.engine.cfg.boost:  # today's counts known before the first request
                    self.engine.counters.ready(snap.day.isoformat())
                settle_heap(collect=True)
                self._tasks = [asyncio.create_task(self._every(self.sync_s, self.sync)),
                               asyncio.create_task(self._every(self.poll_s, self._poll))]  # fmt: skip
                if self.sink:
                    self._tasks.append(asyncio.create_task(self._every(self.flush_s, self._flush)))
                await send({"type": "lifespan.startup.complete"})
            elif msg["type"] == "lifespan.shutdown":
                for t in self._tasks:
                    t.cancel()
                    with suppress(asyncio.CancelledError):
                        await t
                self.close()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _every(self, seconds: float, job) -> None:
        while True:
            await asyncio.sleep(seconds)
            await job()

    async def sync(self) -> None:
        """Push and refresh the counters (rebuilding a day whose counts Redis lost)."""
        self.engine.counters.sync()

    async def _poll(self) -> None:
        src = self.engine.source
        if src.url is not None:
            reloads = src.reloads
            await asyncio.to_thread(src.poll)
            if src.reloads != reloads:
                settle_heap()  # the new plan, out of the collector's reach too

    async def _flush(self) -> None:
        self.sink.add(self.engine.drain_works())
        await asyncio.to_thread(self.sink.write)

    def close(self) -> None:
        """Return leases, push counts, write the warehouse batches (at shutdown)."""
        self.engine.counters.close()
        if self.sink:
            self.sink.add(self.engine.drain_works())
            deadline = time.monotonic() + 15.0  # other workers may be writing their batches right now
            while not self.sink.write() and time.monotonic() < deadline:
                time.sleep(0.1)
