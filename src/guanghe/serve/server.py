"""Assembling the service from settings, and the uvicorn factory (workers get the settings by env)."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from datetime import date

from guanghe.config import SettingError, parse_url, platform_zone
from guanghe.data.warehouse import ENGINES
from guanghe.serve.app import App
from guanghe.serve.counters import open_counters
from guanghe.serve.engine import Config, Engine
from guanghe.serve.flush import WarehouseSink, read_deliveries
from guanghe.serve.plans import PlanSource

ENV = "GUANGHE_SERVE_SETTINGS"
COUNTER_SCHEMES = ("memory", "redis", "rediss", "unix")


@dataclass
class ServeSettings:
    warehouse: str | None = None  # warehouse URL, any engine (None: no plan, organic only)
    counters: str = "memory://"
    prefix: str = "guanghe:serve"  # Redis key prefix
    day: str | None = None  # serve this day's quotas (default: today, in the platform's time zone)
    plan_id: str | None = None
    quota_scale: float = 1.0
    max_boosts: int = 2
    guardrail: float = 0.5
    placement: str = "cost"  # which opportunities pacing spends on: "cost" (cheapest first), "rank", "draw"
    max_candidates: int = 500
    boost: bool = True
    poll_s: float = 5.0
    flush_s: float = 60.0
    write_warehouse: bool = True
    seed: int | None = None
    timezone: str = "UTC"  # the platform's time zone: its day is the serving day, its hours pace delivery
    replay: bool = False  # honour the requests' ``at`` (replays and tests); live: the server's clock
    log_level: str | None = None  # set in each worker process (uvicorn starts them afresh)

    def to_env(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_env(cls) -> ServeSettings:
        return cls(**json.loads(os.environ.get(ENV, "{}")))


def warehouse_url(url: str) -> str:
    """Check the service's warehouse URL: a stored warehouse of any engine (``duckdb:///FILE``,
    ``spark:///DIR``); an in-memory one has no plans."""
    if parse_url(url, tuple(ENGINES), "warehouse").in_memory:
        raise SettingError(
            f"warehouse {url!r}: an in-memory warehouse has no plans; give a stored one (duckdb:///FILE)"
        )
    return url


def counters_url(url: str) -> str:
    """Check a counters URL: ``memory://`` or ``redis://HOST:PORT/DB``."""
    parsed = parse_url(url, COUNTER_SCHEMES, "counters")
    if parsed.scheme == "memory" and not parsed.in_memory:
        raise SettingError(f"counters {url!r}: memory:// takes no path")
    return url


def build(s: ServeSettings) -> App:
    zone = platform_zone(s.timezone)
    day = date.fromisoformat(s.day) if s.day else None
    source = PlanSource(s.warehouse, day, s.plan_id, s.quota_scale, zone=zone)
    options = {"prefix": s.prefix} if not counters_url(s.counters).startswith("memory") else {}
    counters = open_counters(s.counters, **options)
    if s.warehouse and s.write_warehouse:  # the record of what it delivered: the counters are rebuilt from it
        # (a service that does not record its deliveries, as the in-process replay, does not read them either)
        url = s.warehouse
        counters.history = lambda d: read_deliveries(url, d)
    cfg = Config(max_boosts=s.max_boosts, guardrail=s.guardrail, max_candidates=s.max_candidates, boost=s.boost,
                 seed=s.seed, replay=s.replay, placement=s.placement)  # fmt: skip
    sink = WarehouseSink(s.warehouse, counters.worker) if s.warehouse and s.write_warehouse else None
    return App(Engine(source, counters, cfg), sink, poll_s=s.poll_s, flush_s=s.flush_s)


def create_app() -> App:
    """uvicorn factory: ``uvicorn --factory guanghe.serve.server:create_app`` with GUANGHE_SERVE_SETTINGS."""
    s = ServeSettings.from_env()
    if s.log_level:
        from guanghe.logs import setup_logging

        setup_logging(s.log_level)
    return build(s)
