"""The marketplace API: ``build_market_app(settings)`` → a FastAPI (ASGI) app under ``/v1/market``, its OpenAPI
document at ``/v1/market/openapi.json``. The warehouse is opened read-only once, at build time, to compute the
catalog (media kits + price guidance) as of its last day or ``settings.as_of``, then closed (it never blocks a
writer); the application database is opened by URL and serves every request's authentication and the orders;
the ledger (``settings.ledger``) holds the orders' escrow, the brand_deal channel rule (``settings.channels``,
loaded like ``guanghe money accrue`` does) their fees."""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator, Iterable, Iterator
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute

from guanghe import __version__
from guanghe.appdb import AppDb, open_appdb
from guanghe.config import DEFAULT_DB, DEFAULT_LEDGER, DEFAULT_TIMEZONE, DEFAULT_WAREHOUSE, platform_zone
from guanghe.data.warehouse import open_warehouse
from guanghe.market.api import problems
from guanghe.market.api.auth import ROUTE_ROLES
from guanghe.market.api.orders import router as orders_router
from guanghe.market.api.reports import router as reports_router
from guanghe.market.api.routes import router
from guanghe.market.api.state import MarketState, last_day, works_owners
from guanghe.market.discovery import catalog
from guanghe.money.rules import CHANNELS_DIR
from guanghe.programs import PROGRAMS_DIR, ProgramError

ENV = "GUANGHE_MARKET_SETTINGS"
PREFIX = "/v1/market"


class MarketApiError(Exception):
    """The app cannot start: no data in the warehouse, a bad setting, a route without roles."""


@dataclass
class MarketSettings:
    warehouse: str = DEFAULT_WAREHOUSE  # a warehouse URL (opened read-only)
    db: str = DEFAULT_DB  # the application database URL (migrated: guanghe db upgrade)
    as_of: str | None = None  # the catalog's day (ISO); default: the warehouse's last day
    timezone: str = DEFAULT_TIMEZONE  # the platform's zone: days are its days
    time_limit_s: float = 10.0  # match_exact's time limit per request
    ledger: str = DEFAULT_LEDGER  # the ledger URL (the orders' escrow; it must exist: opened, never created)
    channels: str = str(CHANNELS_DIR)  # the channel rule files (the brand_deal fee rule)
    programs: str = str(PROGRAMS_DIR)  # the program files (fee discounts name programs)

    def to_env(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_env(cls) -> MarketSettings:
        return cls(**json.loads(os.environ.get(ENV, "{}")))


def api_routes(routes: Iterable[Any]) -> Iterator[APIRoute]:
    """Every FastAPI route of an app (``app.routes``), inside included routers and mounts too (FastAPI keeps
    an included router as one entry since 0.13x; its ``original_router`` holds the routes)."""
    for r in routes:
        if isinstance(r, APIRoute):
            yield r
        elif (inner := getattr(r, "original_router", None)) is not None:
            yield from api_routes(inner.routes)
        elif isinstance(getattr(r, "routes", None), list):
            yield from api_routes(r.routes)


def check_routes(app: FastAPI) -> None:
    """Every route has its roles in ``auth.ROUTE_ROLES`` (a route cannot skip authorization)."""
    found = list(api_routes(app.routes))
    if not found:
        raise MarketApiError("no routes found: has FastAPI changed how it keeps included routers?")
    missing = [r.name for r in found if r.name not in ROUTE_ROLES]
    if missing:
        raise MarketApiError(f"routes without roles in ROUTE_ROLES: {', '.join(missing)}")


def build_market_app(settings: MarketSettings) -> FastAPI:
    """The app, its catalog and works' owners computed now (seconds on a large platform) and cached for its
    lifetime."""
    from pathlib import Path

    from guanghe.money.rules_load import load_rules

    zone = platform_zone(settings.timezone)
    try:
        rules, _names = load_rules(Path(settings.channels), Path(settings.programs))
    except (ProgramError, OSError) as e:
        raise MarketApiError(f"channel rules: {e}") from e
    with open_warehouse(settings.warehouse, read_only=True) as wh:
        as_of = date.fromisoformat(settings.as_of) if settings.as_of else last_day(wh)
        if as_of is None:
            raise MarketApiError(f"no data in {settings.warehouse} (no creator_daily rows): ingest it first")
        kits, _models = catalog(wh, as_of, zone)
        works = works_owners(wh)
    db = open_appdb(settings.db)
    app = FastAPI(
        title="Guanghe market",
        version=__version__,
        description="The brand marketplace: discovery, media kits, matching (docs/market.md, 'API').",
        openapi_url=f"{PREFIX}/openapi.json",
        docs_url=None,
        redoc_url=None,
        lifespan=_closing(db),
    )
    app.state.market = MarketState(
        settings, db, wh, kits, as_of, zone, settings.ledger, rules.brand_deal, works
    )
    problems.install(app)
    app.include_router(router)
    app.include_router(orders_router)
    app.include_router(reports_router)
    check_routes(app)
    return app


def _closing(db: AppDb):
    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        _app.state.market.close()
        db.close()

    return lifespan


def create_app() -> Any:
    """uvicorn factory: ``uvicorn --factory guanghe.market.api.app:create_app`` with GUANGHE_MARKET_SETTINGS."""
    return build_market_app(MarketSettings.from_env())
