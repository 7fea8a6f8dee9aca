"""The HTTP surface through the ASGI app: routes, statuses, metrics, OpenAPI; schemathesis finds no 500."""

from __future__ import annotations

import asyncio
import gc

import httpx
import msgspec
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from serve_helpers import DAY, MIDNIGHT, url_of

from guanghe.serve.app import App
from guanghe.serve.counters import open_counters
from guanghe.serve.engine import Config, Engine
from guanghe.serve.plans import PlanSource, Snapshot
from guanghe.serve.server import ServeSettings, build


def make_app(max_candidates: int = 50) -> App:
    snap = Snapshot(DAY, "p1", None, {1: (("a", 5),)}, {1: "food"}, {1: (50, 51)})
    return App(
        Engine(
            PlanSource.fixed(snap),
            open_counters("memory://"),
            Config(max_candidates=max_candidates, replay=True),
        )
    )


def rerank(rid: str = "r") -> dict:
    cands = [{"work_id": w, "creator_id": 100 + w, "score": 10.0 - w} for w in range(6)]
    cands.append({"work_id": 50, "creator_id": 1, "score": 6.0, "quality": 0.3})
    return {"request_id": rid, "user_id": 3, "slots": 3, "candidates": cands, "at": MIDNIGHT + 80_000}


class Client:
    """Synchronous calls into the ASGI app through httpx's ASGI transport (no server, no lifespan)."""

    def __init__(self, app: App) -> None:
        self.app = app

    def request(self, method: str, url: str, **kw) -> httpx.Response:
        async def go() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
                return await c.request(method, url, **kw)

        return asyncio.run(go())

    def get(self, url: str, **kw) -> httpx.Response:
        return self.request("GET", url, **kw)

    def post(self, url: str, **kw) -> httpx.Response:
        return self.request("POST", url, **kw)


@pytest.fixture
def client() -> Client:
    return Client(make_app())


def test_rerank_pool_health_metrics(client) -> None:
    r = client.post("/v1/rerank", json=rerank())
    assert r.status_code == 200
    assert [(i["work_id"], i.get("program")) for i in r.json()["items"]] == [(0, None), (1, None), (50, "a")]
    assert client.post("/v1/rerank", json=rerank()).json() == r.json()
    pool = client.get("/v1/boost-pool", params={"category": "food", "limit": 5, "at": MIDNIGHT}).json()
    assert pool["works"] == [{"creator_id": 1, "category": "food", "work_ids": [50, 51], "behind": -0.2,
                              "remaining": 4}]  # fmt: skip
    assert client.get("/v1/health").json()["status"] == "ok"
    text = client.get("/metrics").text
    for line in ("guanghe_requests_total 1", "guanghe_retries_total 1", 'guanghe_boosts_total{program="a"} 1',
                 'guanghe_quota_attainment{program="a"} 0.200000', "guanghe_rerank_latency_seconds_count 1"):  # fmt: skip
        assert line in text.splitlines(), line


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        (b"{", 400, "$"),
        (msgspec.json.encode({**rerank(), "nope": 1}), 422, "$.nope"),
        (msgspec.json.encode({k: v for k, v in rerank().items() if k != "user_id"}), 422, "$.user_id"),
        (msgspec.json.encode({**rerank(), "candidates": [{"work_id": 1, "creator_id": 1, "score": 1}] * 2}), 422,
         "$.candidates[1].work_id"),
        (msgspec.json.encode({**rerank(), "candidates": [{"work_id": i, "creator_id": 1, "score": 1} for i in range(51)]}),
         422, "$.candidates"),
    ],
)  # fmt: skip
def test_bad_requests_get_4xx_naming_the_field(client, body: bytes, status: int, field: str) -> None:
    r = client.post("/v1/rerank", content=body)
    assert (r.status_code, r.json()["field"]) == (status, field)


def test_other_statuses(client) -> None:
    assert client.get("/v1/rerank").status_code == 405
    assert client.get("/nowhere").status_code == 404
    assert client.get("/v1/boost-pool", params={"limit": "x"}).json()["field"] == "limit"
    assert client.get("/v1/boost-pool", params={"at": "nan"}).status_code == 400
    assert client.post("/v1/rerank", content=b"x" * (1 << 21)).status_code == 413
    doc = client.get("/openapi.json").json()
    assert set(doc["paths"]) == {"/v1/rerank", "/v1/boost-pool", "/v1/health", "/v1/ready", "/metrics"}


def test_build_from_settings_serves_the_warehouse_plan(plan_file: str) -> None:
    app = build(
        ServeSettings(warehouse=url_of(plan_file), day=DAY.isoformat(), write_warehouse=False, replay=True)
    )
    assert Client(app).get("/v1/health").json()["creators"] == 3


SCHEMA = schemathesis.openapi.from_asgi("/openapi.json", make_app(max_candidates=20))


@SCHEMA.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_schemathesis_finds_no_server_error(case) -> None:
    case.call_and_validate(checks=[not_a_server_error])


def test_the_upkeep_reloads_a_new_plan_without_restart(plan_file: str) -> None:
    from datetime import datetime

    from serve_helpers import write_plan

    app = build(
        ServeSettings(warehouse=url_of(plan_file), day=DAY.isoformat(), write_warehouse=False, replay=True)
    )
    client = Client(app)
    assert client.get("/v1/health").json()["plan_id"] == "p1"
    write_plan(plan_file, "p2", {(1, "a"): 7}, datetime(2026, 2, 1))  # as guanghe allocate would
    gc.unfreeze()
    asyncio.run(app._poll())
    health = client.get("/v1/health").json()
    assert (health["plan_id"], health["creators"], health["plan_reloads"]) == ("p2", 1, 2)
    assert gc.get_freeze_count() > 0  # the new plan is out of the cyclic collector's reach
    gc.unfreeze()


def test_startup_freezes_the_loaded_heap(plan_file: str) -> None:
    """Full collections walked every imported library and the plan (~80 ms: the serving p99): the lifespan
    startup moves what is alive into the permanent generation."""
    app = build(
        ServeSettings(warehouse=url_of(plan_file), day=DAY.isoformat(), write_warehouse=False, replay=True)
    )
    gc.unfreeze()
    seen: list[int] = []
    messages = [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]

    async def receive() -> dict:
        seen.append(gc.get_freeze_count())
        return messages.pop(0)

    async def send(message: dict) -> None:
        pass

    asyncio.run(app({"type": "lifespan"}, receive, send))
    assert seen[0] == 0 and seen[1] > 10_000  # before startup, then everything the worker loaded
    gc.unfreeze()
