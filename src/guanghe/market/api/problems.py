"""Errors as RFC 9457 problem details (``application/problem+json``): ``type``, ``title``, ``status``,
``detail``, and ``errors: [{field, message}]`` when input is at fault. Bad input is a 4xx naming the field.

The marketplace's errors: ``OrderError`` → 409, ``Forbidden`` → 403, ``NotFound`` → 404, ``MarketError`` →
422 naming the field (the first word of its message); a ledger that cannot be opened → 503."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from guanghe.ledger import LedgerError
from guanghe.market.errors import Forbidden, MarketError, NotFound, OrderError

MEDIA_TYPE = "application/problem+json"
SLUGS = {400: "bad-request", 401: "unauthorized", 403: "forbidden", 404: "not-found", 405: "method-not-allowed",
         409: "conflict", 422: "validation-error", 428: "precondition-required",
         503: "unavailable"}  # fmt: skip


class FieldError(BaseModel):
    field: str
    message: str


class ProblemBody(BaseModel):
    """A problem detail: what went wrong, and for bad input which fields."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldError] | None = None


class Problem(Exception):
    """Raise from a route: answered as problem+json with ``status`` (``field``: the input at fault)."""

    def __init__(
        self, status: int, detail: str, field: str | None = None, headers: dict | None = None
    ) -> None:
        super().__init__(detail)
        self.status, self.detail, self.headers = status, detail, headers
        self.errors = [{"field": field, "message": detail}] if field else None


_FIELDS = {"category": "categories", "tier": "tiers", "region": "regions", "program": "programs"}


def invalid(e: ValueError, prefix: str = "") -> Problem:
    """A use case's ValueError ("tier: unknown value …", "min_followers 5 is above …") as a 422 naming its
    field (the first word of the message, in the API's spelling, after ``prefix``)."""
    word = str(e).replace(":", " ").split()[0]
    return Problem(422, str(e), prefix + _FIELDS.get(word, word))


def problem_type(status: int) -> str:
    return f"urn:guanghe:problem:{SLUGS.get(status, str(status))}"


def respond(
    status: int, detail: str, errors: list[dict] | None = None, headers: dict | None = None
) -> JSONResponse:
    body: dict[str, Any] = {"type": problem_type(status), "title": HTTPStatus(status).phrase, "status": status,
                            "detail": detail}  # fmt: skip
    if errors:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def _field(loc: tuple) -> str:
    """``("query", "limit")`` → ``limit``; ``("body", "filters", "tiers", 0)`` → ``filters.tiers[0]``."""
    out = ""
    for part in loc[1:] if loc and loc[0] in ("query", "path", "body", "header") else loc:
        out += f"[{part}]" if isinstance(part, int) else f".{part}" if out else str(part)
    return out or (str(loc[0]) if loc else "body")


def install(app: FastAPI) -> None:
    """Every error the app answers goes out as problem+json."""

    @app.exception_handler(Problem)
    async def _problem(_: Request, e: Problem) -> JSONResponse:
        return respond(e.status, e.detail, e.errors, e.headers)

    @app.exception_handler(OrderError)
    async def _order(_: Request, e: OrderError) -> JSONResponse:
        return respond(409, str(e))

    @app.exception_handler(Forbidden)
    async def _forbidden(_: Request, e: Forbidden) -> JSONResponse:
        return respond(403, str(e))

    @app.exception_handler(NotFound)
    async def _not_found(_: Request, e: NotFound) -> JSONResponse:
        return respond(404, str(e))

    @app.exception_handler(MarketError)
    async def _market(_: Request, e: MarketError) -> JSONResponse:
        p = invalid(ValueError(str(e)))
        return respond(p.status, p.detail, p.errors)

    @app.exception_handler(LedgerError)
    async def _ledger(_: Request, e: LedgerError) -> JSONResponse:
        return respond(503, f"the ledger is unavailable: {e}")

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, e: StarletteHTTPException) -> JSONResponse:
        return respond(e.status_code, str(e.detail), headers=getattr(e, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, e: RequestValidationError) -> JSONResponse:
        errors = [{"field": _field(tuple(err.get("loc", ()))), "message": err.get("msg", "invalid")}
                  for err in e.errors()]  # fmt: skip
        malformed = any(err.get("type") == "json_invalid" for err in e.errors())
        status = 400 if malformed else 422
        fields = ", ".join(dict.fromkeys(x["field"] for x in errors))
        detail = "the body is not valid JSON" if malformed else f"invalid input: {fields}"
        return respond(status, detail, errors)


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI ``responses`` entries of the problems a route may answer."""
    return {s: {"description": HTTPStatus(s).phrase, "model": ProblemBody,
                "content": {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/ProblemBody"}}}}
            for s in statuses}  # fmt: skip
