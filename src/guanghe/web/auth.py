"""The pages' authorization: ``page`` is the dependency of every role route. Anonymous → 302 to ``/login``
(htmx: ``HX-Redirect``); a role the route's entry in ``roles.ROUTE_ROLES`` does not list → 403; a route
without an entry → 403 for everyone. Within a role, each page scopes its data to the signed-in tenant (a
resource of another tenant is 404, as in the marketplace API: its existence does not leak).

Errors become pages: ``install`` maps the marketplace's errors (``Problem`` of the API's tenant helpers,
``NotFound``/``Forbidden``/``OrderError``/``MarketError``) and ``FormError`` to an error page with the
same status as the API would answer."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import RedirectResponse, Response

from guanghe.appdb import Principal
from guanghe.appdb.sessions import WebSession
from guanghe.market.api.problems import Problem
from guanghe.market.errors import Forbidden, MarketError, NotFound, OrderError
from guanghe.web.forms import Form, FormError, read_form
from guanghe.web.roles import ROUTE_ROLES
from guanghe.web.state import WebState
from guanghe.web.templating import render


class LoginRequired(Exception):
    """An anonymous request to a role page."""


class PageError(Exception):
    """A page refuses: ``status`` and a message shown on the error page."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def session_of(request: Request) -> WebSession | None:
    return getattr(request.state, "session", None)


def page(request: Request) -> Principal:
    """The signed-in principal, if its role may open this route (else login redirect / 403)."""
    session = session_of(request)
    if session is None:
        raise LoginRequired()
    route = request.scope.get("route")
    allowed = ROUTE_ROLES.get(getattr(route, "name", ""), frozenset())
    if session.principal.kind not in allowed:
        raise PageError(403, f"role {session.principal.kind} may not open this page")
    return session.principal


def web_state(request: Request) -> WebState:
    return request.app.state.web


Who = Annotated[Principal, Depends(page)]
State = Annotated[WebState, Depends(web_state)]
FormData = Annotated[Form, Depends(read_form)]


def safe_next(target: str | None) -> str | None:
    """A same-site path to return to after sign-in (never another origin: no ``//``, no scheme)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


STATUS_OF: list[tuple[type[Exception], int]] = [
    (NotFound, 404),
    (Forbidden, 403),
    (OrderError, 409),
    (MarketError, 400),
    (FormError, 422),
]


def error_page(request: Request, status: int, message: str) -> Response:
    return render(request, "error.html", status=status, status_code=status, message=message)


def install(app: FastAPI) -> None:
    """The exception handlers: login redirect, error pages."""

    @app.exception_handler(LoginRequired)
    async def to_login(request: Request, _exc: LoginRequired) -> Response:
        target = "/login?next=" + quote(
            request.url.path + (f"?{request.url.query}" if request.url.query else "")
        )
        if request.headers.get("hx-request"):
            return Response(status_code=204, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=302)

    @app.exception_handler(PageError)
    async def page_error(request: Request, exc: PageError) -> Response:
        return error_page(request, exc.status, str(exc))

    @app.exception_handler(Problem)
    async def problem(request: Request, exc: Problem) -> Response:
        return error_page(request, exc.status, exc.detail)

    for kind, status in STATUS_OF:

        async def market_error(request: Request, exc: Exception, status: int = status) -> Response:
            return error_page(request, status, str(exc))

        app.add_exception_handler(kind, market_error)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(x) for x in first.get("loc", ()))
        return error_page(request, 422, f"{where}: {first.get('msg', 'invalid')}")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return error_page(request, exc.status_code, str(exc.detail))
