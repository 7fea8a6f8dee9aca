"""Sign in, sign out, and the landing redirect to the signed-in role's home."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from guanghe.appdb.logins import login_allowed, record_attempt, verify_login
from guanghe.appdb.sessions import LIFETIME, create_session, end_session
from guanghe.web.auth import FormData, State, Who, safe_next, session_of
from guanghe.web.roles import HOME, role_of_path
from guanghe.web.security import LOGIN_CSRF_COOKIE, SESSION_COOKIE
from guanghe.web.templating import render

router = APIRouter()


@router.get("/", name="home")
def home(request: Request) -> Response:
    session = session_of(request)
    return RedirectResponse(HOME[session.principal.kind] if session else "/login", status_code=302)


def _login_page(request: Request, status: int = 200, error: str | None = None, login: str = "") -> Response:
    token = secrets.token_urlsafe(32)
    response = render(request, "login.html", status=status, login_csrf=token, error=error, login=login,
                       next=safe_next(request.query_params.get("next")) or "")  # fmt: skip
    response.set_cookie(LOGIN_CSRF_COOKIE, token, max_age=3600, httponly=True, samesite="strict",
                        secure=_secure(request), path="/login")  # fmt: skip
    return response


def _secure(request: Request) -> bool:
    return bool(request.app.state.web.settings.secure_cookies) or request.url.scheme == "https"


@router.get("/login", name="login_form")
def login_form(request: Request) -> Response:
    session = session_of(request)
    if session is not None:
        return RedirectResponse(HOME[session.principal.kind], status_code=302)
    return _login_page(request)


@router.post("/login", name="login")
def login(request: Request, state: State, form: FormData) -> Response:
    """Check the rate limit, then the password; a new session (a session cookie of the request is ended)."""
    name, password = form.text("login", "", 100), form.text("password", "", 200)
    address = request.client.host if request.client else "unknown"
    if not login_allowed(state.db, name, address):
        return _login_page(request, 429, "login_limited", name)
    principal = verify_login(state.db, name, password)
    record_attempt(state.db, name, address, principal is not None)
    if principal is None:
        return _login_page(request, 401, "login_failed", name)
    old = request.cookies.get(SESSION_COOKIE)
    if old:
        end_session(state.db, old)
    token, _session = create_session(state.db, principal.id)
    target = safe_next(form.optional("next"))
    if target is None or role_of_path(target.split("?")[0]) != principal.kind:
        target = HOME[principal.kind]
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(SESSION_COOKIE, token, max_age=int(LIFETIME.total_seconds()), httponly=True,
                        samesite="lax", secure=_secure(request), path="/")  # fmt: skip
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout", name="logout")
def logout(request: Request, state: State, _who: Who) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        end_session(state.db, token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
