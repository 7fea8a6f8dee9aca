"""The web application: server-rendered pages for creators, brands, MCN agencies and operators.

``build_web_app(WebSettings(...))`` → an ASGI app (FastAPI + Jinja2 templates + vendored htmx and ECharts);
``guanghe web`` serves it. Sign-in is a password (argon2) and a server-side session (``appdb.sessions``);
every state change carries the session's CSRF token; every route names the roles that may open it
(``roles.ROUTE_ROLES``) and scopes what it shows to the signed-in tenant with the marketplace API's rules.
The pages call the same use cases as the CLI and the API (never the HTTP API). See docs/web.md.
"""

from __future__ import annotations

from guanghe.web.app import build_web_app, create_app
from guanghe.web.settings import WebError, WebSettings

__all__ = ["WebError", "WebSettings", "build_web_app", "create_app"]
