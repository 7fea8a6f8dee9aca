"""The security middleware (pure ASGI, around every request, before routing):

- the session: the ``gh_session`` cookie → ``appdb.sessions.lookup_session`` → ``request.state.session``
  (None: anonymous);
- CSRF: every request that is not GET/HEAD/OPTIONS must carry the session's CSRF token, in the
  ``X-CSRF-Token`` header (htmx, set by ``static/app.js``) or the ``csrf`` form field; the sign-in form (no
  session yet) carries the ``gh_login_csrf`` cookie's value instead (double submit). Else 403, before any
  route runs;
- headers on every response: a Content-Security-Policy without inline script (``script-src 'self'``),
  ``frame-ancestors 'none'``, nosniff, no referrer across sites, and ``Cache-Control: no-store`` on pages.
"""

from __future__ import annotations

from hmac import compare_digest
from http.cookies import SimpleCookie
from urllib.parse import parse_qs

from anyio import to_thread
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from guanghe.appdb.sessions import lookup_session

SESSION_COOKIE = "gh_session"
LOGIN_CSRF_COOKIE = "gh_login_csrf"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf"
SAFE = frozenset({"GET", "HEAD", "OPTIONS"})
BODY_MAX = 1 << 20  # forms are small: a larger body is refused (413)

CSP = "; ".join((
    "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
    "font-src 'self'", "connect-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'self'",
    "frame-ancestors 'none'",
))  # fmt: skip
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]


def cookies_of(scope: Scope) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            try:
                jar.load(value.decode("latin-1"))
            except Exception:  # a malformed cookie header: no cookies
                return {}
    return {k: m.value for k, m in jar.items()}


def header(scope: Scope, name: bytes) -> str | None:
    for k, v in scope.get("headers", []):
        if k == name:
            return v.decode("latin-1")
    return None


def form_field(body: bytes, content_type: str | None, field: str) -> str | None:
    if not content_type or not content_type.startswith("application/x-www-form-urlencoded"):
        return None
    values = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).get(field)
    return values[0] if values else None


class SecurityMiddleware:
    def __init__(self, app: ASGIApp, db_of) -> None:
        self.app, self.db_of = app, db_of  # db_of(scope) -> AppDb (the app's state, built at startup)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in HEADERS if k not in present]
                if not path.startswith("/static/") and b"cache-control" not in present:
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        cookies = cookies_of(scope)
        token = cookies.get(SESSION_COOKIE)
        session = None
        if token and not path.startswith("/static/"):
            session = await to_thread.run_sync(lookup_session, self.db_of(scope), token)
        scope.setdefault("state", {})["session"] = session
        scope["state"]["session_token"] = token if session else None

        if scope["method"] in SAFE:
            await self.app(scope, receive, send_with_headers)
            return
        body = await read_body(receive)
        if body is None:
            await plain(send_with_headers, 413, "request body too large")
            return
        given = header(scope, CSRF_HEADER.encode()) or form_field(
            body, header(scope, b"content-type"), CSRF_FIELD
        )
        # the sign-in form double-submits its cookie; everything else carries the session's token
        login_form = path == "/login"
        expected = cookies.get(LOGIN_CSRF_COOKIE) if login_form else (session.csrf_token if session else None)
        if not expected or not given or not compare_digest(expected.encode(), given.encode()):
            await plain(send_with_headers, 403, "CSRF check failed: reload the page and try again")
            return
        await self.app(scope, replay(body), send_with_headers)


async def read_body(receive: Receive) -> bytes | None:
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > BODY_MAX:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


async def plain(send: Send, status: int, text: str) -> None:
    body = text.encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode())]})  # fmt: skip
    await send({"type": "http.response.body", "body": body})
