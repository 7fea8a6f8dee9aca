"""``build_web_app(settings)`` → the ASGI app: the security middleware, the static files (our CSS and
script, vendored htmx, axe-core and the report's vendored ECharts), the sign-in pages and each role's pages.
Every route must have its roles in ``roles.ROUTE_ROLES`` (checked at build: a route cannot skip
authorization)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.staticfiles import StaticFiles

from guanghe import __version__
from guanghe.web import auth
from guanghe.web.roles import check_routes
from guanghe.web.security import SecurityMiddleware
from guanghe.web.settings import WebError, WebSettings
from guanghe.web.state import WebState, build_state

STATIC = Path(__file__).parent / "static"
ECHARTS = Path(__file__).parents[1] / "metrics" / "report" / "vendor" / "echarts"


def routers() -> list:
    """Every page router, in order (the operator console's is ``pages.operator``)."""
    from guanghe.web import labels  # noqa: F401 - the pages' labels join i18n.LABELS
    from guanghe.web.pages import brand, creator, mcn, operator, session

    return [session.router, creator.router, brand.router, mcn.router, operator.router]


def page_routes(app: FastAPI) -> Iterator[APIRoute]:
    """Every page route (inside included routers too: ``market.api.app.api_routes``)."""
    from guanghe.market.api.app import api_routes

    yield from api_routes(app.routes)


def assemble(state: WebState) -> FastAPI:
    """The app around an already built state (tests build one state and several apps cheaply)."""
    app = FastAPI(title="Guanghe web", version=__version__, docs_url=None, redoc_url=None, openapi_url=None,
                  lifespan=_closing(state))  # fmt: skip
    app.state.web = state
    auth.install(app)
    for r in routers():
        app.include_router(r)
    routes = [(r.name, r.path) for r in page_routes(app)]
    problems = check_routes(routes) if routes else ["no routes found"]
    if problems:
        raise WebError("; ".join(problems))
    app.mount("/static/echarts", StaticFiles(directory=ECHARTS), name="echarts")
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(SecurityMiddleware, db_of=lambda scope: state.db)
    return app


def build_web_app(settings: WebSettings) -> FastAPI:
    """The app; its catalog (media kits + price guidance) computed now and cached for its lifetime."""
    return assemble(build_state(settings))


def _closing(state: WebState):
    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        state.snapshots.start()  # every creator's overview and level, built in the background (web.snapshot)
        yield
        state.close()

    return lifespan


def create_app() -> Any:
    """uvicorn factory: ``uvicorn --factory guanghe.web.app:create_app`` with GUANGHE_WEB_SETTINGS."""
    return build_web_app(WebSettings.from_env())
