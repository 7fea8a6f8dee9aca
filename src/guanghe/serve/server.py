"""Assembling the service from settings, and the uvicorn factory (workers get the settings by env)."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from datetime import date

from guanghe.serve.app import App
from guanghe.serve.counters import open_counters
from guanghe.serve.engine import Config, Engine
from guanghe.serve.flush import WarehouseSink
from guanghe.serve.plans import PlanSource

ENV = "GUANGHE_SERVE_SETTINGS"


@dataclass
class ServeSettings:
    warehouse: str | None = None  # DuckDB file path (None: no plan, organic only)
    counters: str = "memory://"
    prefix: str = "guanghe:serve"  # Redis key prefix
    day: str | None = None  # serve this day's quotas (default: today, UTC)
    plan_id: str | None = None
    quota_scale: float = 1.0
    max_boosts: int = 2
    guardrail: float = 0.5
    max_candidates: int = 500
    boost: bool = True
    poll_s: float = 5.0
    flush_s: float = 60.0
    write_warehouse: bool = True
    seed: int | None = None

    def to_env(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_env(cls) -> ServeSettings:
        return cls(**json.loads(os.environ.get(ENV, "{}")))


def duckdb_path(url: str) -> str:
    if not url.startswith("duckdb://"):
        raise ValueError(f"warehouse {url!r}: the service reads plans from a DuckDB file (duckdb:///FILE)")
    rest = url.split("://", 1)[1]
    path = rest[1:] if rest.startswith("/") else rest
    if not path:
        raise ValueError("warehouse: an in-memory DuckDB has no plans; give duckdb:///FILE")
    return path


def build(s: ServeSettings) -> App:
    day = date.fromisoformat(s.day) if s.day else None
    source = PlanSource(s.warehouse, day, s.plan_id, s.quota_scale)
    options = {"prefix": s.prefix} if s.counters.startswith("redis") else {}
    counters = open_counters(s.counters, **options)
    cfg = Config(max_boosts=s.max_boosts, guardrail=s.guardrail, max_candidates=s.max_candidates, boost=s.boost,
                 seed=s.seed)  # fmt: skip
    sink = WarehouseSink(s.warehouse) if s.warehouse and s.write_warehouse else None
    return App(Engine(source, counters, cfg), sink, poll_s=s.poll_s, flush_s=s.flush_s)


def create_app() -> App:
    """uvicorn factory: ``uvicorn --factory guanghe.serve.server:create_app`` with GUANGHE_SERVE_SETTINGS."""
    return build(ServeSettings.from_env())
