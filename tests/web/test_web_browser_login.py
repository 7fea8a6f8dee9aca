"""Signing in and out in a real browser (Chromium via Playwright) against ``guanghe web`` as a subprocess:
every demo role lands on its home, with no script error and no CSP violation."""

from __future__ import annotations

import pytest
from web_helpers import login

from guanghe.web.roles import HOME

pytestmark = pytest.mark.slow


def test_each_role_signs_in_and_out(web_server, page):
    for role, account in web_server.accounts.items():
        login(page, web_server.url, account["login"], account["password"])
        assert page.url == web_server.url + HOME[role], (role, page.url)
        assert (
            page.locator("header .me")
            .inner_text()
            .startswith(
                {"creator": "Creator", "brand": "Brand", "mcn": "MCN agency", "operator": "Operator"}[role]
            )
        )
        page.click("form[action='/logout'] button")
        page.wait_for_url(web_server.url + "/login")
    assert page.errors == []  # type: ignore[attr-defined]


def test_anonymous_is_sent_to_login_and_back(web_server, page):
    account = web_server.accounts["creator"]
    page.goto(web_server.url + "/creator/")
    assert page.url.startswith(web_server.url + "/login?next=")
    page.fill("#login", account["login"])
    page.fill("#password", account["password"])
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url(web_server.url + "/creator/")
