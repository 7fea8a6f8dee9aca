"""Calling the web app in-process (httpx through the ASGI app: the real HTTP stack, no server), signed in
as a role by a real session of the application database (``appdb.sessions.create_session``)."""

from __future__ import annotations

import asyncio
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx
from fastapi import FastAPI

from guanghe.appdb import Principal
from guanghe.appdb.sessions import create_session
from guanghe.web.security import SESSION_COOKIE

CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]*)">')


class WebClient:
    """Synchronous requests into the app; cookies kept between requests like a browser's."""

    def __init__(self, app: FastAPI, token: str | None = None, csrf: str = "") -> None:
        self.app, self.csrf = app, csrf
        self.cookies = httpx.Cookies()
        if token:
            self.cookies.set(SESSION_COOKIE, token, domain="t.local", path="/")

    def request(self, method: str, url: str, **kw) -> httpx.Response:
        async def go() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app, client=("203.0.113.7", 50000))
            async with httpx.AsyncClient(transport=transport, base_url="http://t.local",
                                         cookies=self.cookies) as c:  # fmt: skip
                r = await c.request(method, url, **kw)
                self.cookies = c.cookies
                return r

        # a thread of its own: Playwright's sync API keeps an event loop running in the test's thread
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(asyncio.run, go()).result()

    def get(self, url: str, **kw) -> httpx.Response:
        return self.request("GET", url, **kw)

    def post(self, url: str, data: dict | None = None, csrf: bool = True, **kw) -> httpx.Response:
        """A form post carrying the session's CSRF token (``csrf=False``: without it)."""
        form = dict(data or {})
        if csrf:
            form.setdefault("csrf", self.csrf)
        return self.request("POST", url, data=form, **kw)


@dataclass
class Signed:
    """A signed-in client and its principal."""

    client: WebClient
    principal: Principal


def sign_in(app: FastAPI, principal: Principal) -> Signed:
    token, session = create_session(app.state.web.db, principal.id)
    return Signed(WebClient(app, token, session.csrf_token), principal)


def login(page, base: str, login: str, password: str) -> None:
    """Sign in through the login form in a Playwright page (the real page, its CSRF cookie and field)."""
    page.goto(f"{base}/login")
    page.fill("#login", login)
    page.fill("#password", password)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_load_state("networkidle")
