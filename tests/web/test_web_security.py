"""Sign-in, sessions, CSRF, rate limiting and headers, through the real HTTP stack (httpx → ASGI app) on a
real application database."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

import pytest
from web_helpers import WebClient
from web_platform import PASSWORD
from web_world import World

from guanghe.appdb.logins import LIMITS, login_allowed, record_attempt, set_password, verify_login
from guanghe.appdb.models import utc_now
from guanghe.appdb.sessions import IDLE, LIFETIME, create_session, lookup_session
from guanghe.web.security import CSP, LOGIN_CSRF_COOKIE, SESSION_COOKIE

LOGIN_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def login_form(c: WebClient) -> str:
    r = c.get("/login")
    assert r.status_code == 200
    return LOGIN_CSRF.search(r.text).group(1)


def test_headers_on_every_response(web_world: World):
    for r in (web_world.anonymous().get("/login"), web_world.anonymous().get("/creator/"),
              web_world.as_("brand").get("/brand/"), web_world.anonymous().get("/static/app.css")):  # fmt: skip
        csp = r.headers["content-security-policy"]
        assert csp == CSP
        script = next(d for d in csp.split("; ") if d.startswith("script-src"))
        assert script == "script-src 'self'" and "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert "frame-ancestors 'none'" in csp
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"
    page = web_world.as_("creator").get("/creator/")
    assert page.headers["cache-control"] == "no-store"
    assert "<script>" not in page.text and " on" + "click=" not in page.text  # no inline script anywhere


def test_login_with_password_sets_a_session_cookie(web_world: World):
    c = web_world.anonymous()
    token = login_form(c)
    assert c.cookies.get(LOGIN_CSRF_COOKIE) == token
    r = c.post("/login", {"csrf": token, "login": "demo-creator", "password": PASSWORD, "next": "/creator/income"},
               csrf=False)  # fmt: skip
    assert r.status_code == 303 and r.headers["location"] == "/creator/income"
    cookie = r.headers["set-cookie"]
    assert f"{SESSION_COOKIE}=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert c.get("/creator/").status_code == 200
    # a next of another role or another site is ignored: the role's home
    for target in ("/brand/", "//evil.example/", "https://evil.example/"):
        c2 = web_world.anonymous()
        r = c2.post("/login", {"csrf": login_form(c2), "login": "demo-creator", "password": PASSWORD,
                               "next": target}, csrf=False)  # fmt: skip
        assert r.headers["location"] == "/creator/"


def test_wrong_password_and_missing_login_csrf(web_world: World):
    c = web_world.anonymous()
    token = login_form(c)
    r = c.post("/login", {"csrf": token, "login": "demo-brand", "password": "wrong-password"}, csrf=False)
    assert r.status_code == 401 and SESSION_COOKIE not in r.headers.get("set-cookie", "")
    # no login CSRF field, or one that is not the cookie's: refused before the password is looked at
    assert c.post("/login", {"login": "demo-brand", "password": PASSWORD}, csrf=False).status_code == 403
    assert c.post("/login", {"csrf": "x" * 43, "login": "demo-brand", "password": PASSWORD},
                  csrf=False).status_code == 403  # fmt: skip


def test_csrf_refused_on_every_state_change(web_world: World):
    creator = web_world.as_("creator")
    for data in ({}, {"csrf": "not-the-token"}):
        r = creator.post("/logout", data, csrf=False)
        assert r.status_code == 403 and "CSRF" in r.text
    assert creator.get("/creator/").status_code == 200  # still signed in: nothing happened
    # the token of another session is refused too
    other = web_world.as_("creator")
    assert creator.post("/logout", {"csrf": other.csrf}, csrf=False).status_code == 403
    # the header (htmx) is accepted like the field
    r = creator.request("POST", "/logout", headers={"X-CSRF-Token": creator.csrf})
    assert r.status_code == 303 and r.headers["location"] == "/login"
    assert creator.get("/creator/").status_code == 302  # signed out: the session row is gone


def test_anonymous_post_is_refused(web_world: World):
    assert web_world.anonymous().post("/logout", {"csrf": "x"}, csrf=False).status_code == 403


def test_rate_limit_by_login_and_by_address(web_world: World):
    """On the shared world, under a login name of its own (the MCN's login renamed for the test, then
    restored): the failures limit that name only."""
    db, limit = web_world.state.db, LIMITS["login"]
    mcn = web_world.accounts["mcn"].principal
    name = f"ratelimit-{secrets.token_hex(4)}"
    set_password(db, mcn.id, name, PASSWORD)
    try:
        c = web_world.anonymous()
        for _ in range(limit.failures):
            r = c.post("/login", {"csrf": login_form(c), "login": name, "password": "bad-password"},
                       csrf=False)  # fmt: skip
            assert r.status_code == 401
        # the right password is refused now too: the login is limited, nothing is checked
        r = c.post("/login", {"csrf": login_form(c), "login": name, "password": PASSWORD}, csrf=False)
        assert r.status_code == 429 and SESSION_COOKIE not in r.headers.get("set-cookie", "")
        # another login from another address still signs in
        assert login_allowed(db, "demo-brand", "198.51.100.1")
        # after the window, allowed again
        assert login_allowed(db, name, "198.51.100.1", now=utc_now() + limit.window + timedelta(seconds=1))
        # an address with many failures across logins is limited for every login
        for i in range(LIMITS["addr"].failures):
            record_attempt(db, f"guess{i}", "192.0.2.9", ok=False)
        assert not login_allowed(db, "demo-operator", "192.0.2.9")
        assert login_allowed(db, "demo-operator", "192.0.2.10")
    finally:
        set_password(db, mcn.id, "demo-mcn", PASSWORD)


def test_sessions_expire_and_passwords_are_hashed(web_world: World):
    db = web_world.state.db
    p = web_world.accounts["brand"].principal
    token, s = create_session(db, p.id)
    now = utc_now()
    assert lookup_session(db, token, now) == s
    assert lookup_session(db, token, now + IDLE + timedelta(minutes=1)) is None  # idle too long: ended
    assert lookup_session(db, token, now) is None  # and deleted
    token, _ = create_session(db, p.id)
    assert lookup_session(db, token, now + LIFETIME + timedelta(seconds=1)) is None
    assert lookup_session(db, "no-such-token") is None
    # an expired cookie is anonymous: the page redirects to sign in
    c = WebClient(web_world.app, token)  # type: ignore[arg-type]
    r = c.get("/brand/")
    assert r.status_code == 302 and r.headers["location"] == "/login?next=/brand/"
    # passwords: argon2 hashes, verified; a short one refused
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from guanghe.appdb import AppDbError
    from guanghe.appdb.web_models import PasswordRow

    with Session(db.engine) as s_:
        digest = s_.scalars(select(PasswordRow.hash).where(PasswordRow.principal_id == p.id)).one()
    assert digest.startswith("$argon2id$") and PASSWORD not in digest
    assert verify_login(db, "DEMO-BRAND", PASSWORD) == p  # logins are case-insensitive
    assert verify_login(db, "demo-brand", PASSWORD + "x") is None
    assert verify_login(db, "nobody", PASSWORD) is None
    with pytest.raises(AppDbError, match="password"):
        set_password(db, p.id, "demo-brand", "short")
    with pytest.raises(AppDbError, match="taken"):
        set_password(db, p.id, "demo-creator", PASSWORD)
