"""Jinja2 templates (autoescaped) and the one ``render`` every page uses: the signed-in principal, its CSRF
token, the labels of its language, the navigation of its role."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse

from guanghe.web.i18n import COOKIE, LANGS, lang_of, translator
from guanghe.web.nav import nav_for

TEMPLATES = Path(__file__).parent / "templates"


def yuan(fen: int | float | None, digits: int = 2) -> str:
    """Integer fen as yuan with thousands separators: 123456 → '1,234.56'."""
    if fen is None:
        return "—"
    return f"{fen / 100:,.{digits}f}"


def number(x: int | float | None, digits: int = 0) -> str:
    if x is None:
        return "—"
    return f"{x:,.{digits}f}"


def percent(x: float | None, digits: int = 1) -> str:
    return "—" if x is None else f"{x * 100:.{digits}f}%"


def when(t: datetime | date | None) -> str:
    if t is None:
        return "—"
    return t.strftime("%Y-%m-%d %H:%M") if isinstance(t, datetime) else t.isoformat()


def chart_data(data: Any) -> Markup:
    """JSON for a ``<script type="application/json">`` data block (not executed: CSP allows it); ``</`` is
    escaped so the data cannot close the element."""
    text = json.dumps(data, ensure_ascii=False, default=str).replace("</", "<\\/")
    return Markup(text)  # JSON with "</" escaped, inside a non-executed data block


env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
env.filters.update(yuan=yuan, number=number, percent=percent, when=when, chart_data=chart_data)


def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    """The page ``name`` with the request's principal, CSRF token, language and navigation."""
    session = getattr(request.state, "session", None)
    lang = lang_of(request)
    principal = session.principal if session else None
    page = env.get_template(name).render(
        request=request,
        t=translator(lang),
        lang=lang,
        langs=LANGS,
        principal=principal,
        csrf_token=session.csrf_token if session else "",
        nav=nav_for(principal, request.url.path),
        **context,
    )
    response = HTMLResponse(page, status_code=status)
    if request.query_params.get("lang") in LANGS:
        response.set_cookie(COOKIE, lang, max_age=365 * 86400, samesite="lax", httponly=True)
    return response
