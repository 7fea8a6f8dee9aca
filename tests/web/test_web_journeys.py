"""Each role's main journey end to end in a real browser (Chromium via Playwright) against ``guanghe web`` as
a subprocess, and axe-core (vendored, served by the app) on the main pages: no serious or critical
violation. A failing test's page is screenshotted (conftest ``page``)."""

from __future__ import annotations

import re

import pytest
from web_helpers import login

pytestmark = pytest.mark.slow


def yuan(text: str) -> int:
    """'1,234.56' → 123456 fen."""
    whole, _, cents = text.strip().replace(",", "").partition(".")
    return int(whole) * 100 + int(cents or 0)


def test_creator_reads_income_and_accepts_an_offer(web_server, page):
    a = web_server.accounts["creator"]
    login(page, web_server.url, a["login"], a["password"])
    page.click("nav >> text=Income")
    page.wait_for_url(web_server.url + "/creator/income")
    total = yuan(page.inner_text("#income-total"))
    by_channel = [yuan(x) for x in page.locator("#income-by-channel tbody td.num").all_inner_texts()]
    assert total > 0 and total == sum(by_channel)
    page.locator("#statements tbody a").first.click()
    page.wait_for_url(re.compile(r".*/creator/income/\d{4}-\d{2}$"))
    assert page.inner_text("h1").startswith("Statement")
    page.click("nav >> text=Brand offers")
    page.wait_for_url(web_server.url + "/creator/offers")
    row = page.locator("#orders tbody tr", has_text="Offered").first
    row.locator("button[data-action=accept]").click()
    page.wait_for_url(re.compile(r".*/creator/orders/\d+$"))
    assert page.inner_text("#order-state") == "Accepted"
    assert page.inner_text("#escrow") == "Waiting for the brand to fund"
    assert page.errors == []  # type: ignore[attr-defined]


def test_brand_finds_a_creator_funds_and_completes_an_order(web_server, browser, page):
    brand, creator = web_server.accounts["brand"], web_server.accounts["creator"]
    login(page, web_server.url, brand["login"], brand["password"])
    page.click("nav >> text=Find creators")
    page.wait_for_url(web_server.url + "/brand/discover")
    # find the demo creator by its category and a follower floor: the search narrows, the creator is found
    page.goto(f"{web_server.url}/brand/creators/{creator['external_id']}")
    category = page.locator("#kit dd").first.inner_text()
    page.goto(f"{web_server.url}/brand/discover")
    everyone = int(page.inner_text("#total"))
    page.select_option("select[name=categories]", category)
    page.click("form.filters button[type=submit]")
    page.wait_for_url(re.compile(r".*categories=.*"))
    found = int(page.inner_text("#total"))
    assert 0 < found < everyone
    # the media kit, then an offer at the suggested price
    page.goto(f"{web_server.url}/brand/creators/{creator['external_id']}")
    suggested = yuan(page.inner_text("#suggested"))
    page.click("#offer-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/brand/orders/\d+$"))
    order_url = page.url
    order_id = order_url.rsplit("/", 1)[1]
    assert page.inner_text("#order-state") == "Offered"
    # the creator accepts it, in its own browser
    other = browser.new_context(locale="en-US")
    cp = other.new_page()
    login(cp, web_server.url, creator["login"], creator["password"])
    cp.goto(f"{web_server.url}/creator/orders/{order_id}")
    cp.click("button[data-action=accept]")
    cp.wait_for_load_state("networkidle")
    assert cp.inner_text("#order-state") == "Accepted"
    # the brand funds the escrow
    page.goto(order_url)
    page.click("button[data-action=fund]")
    page.wait_for_load_state("networkidle")
    assert page.inner_text("#order-state") == "Funded" and page.inner_text("#escrow") == "Held in escrow"
    # the creator delivers one of its works
    cp.goto(f"{web_server.url}/creator/orders/{order_id}")
    cp.click("button[data-action=deliver]")
    cp.wait_for_load_state("networkidle")
    assert cp.inner_text("#order-state") == "Delivered"
    other.close()
    # the brand accepts the delivery: completed, paid to the creator, the work's report shown
    page.goto(order_url)
    page.click("button[data-action=accept]")
    page.wait_for_load_state("networkidle")
    assert page.inner_text("#order-state") == "Completed"
    assert page.inner_text("#escrow") == "Paid to the creator"
    assert "Plays" in page.inner_text("main")
    assert suggested > 0
    assert page.errors == [], page.errors  # type: ignore[attr-defined]


MAIN_PAGES = {
    "creator": [
        "/creator/",
        "/creator/income",
        "/creator/offers",
        "/creator/tasks",
        "/creator/originality",
        "/creator/studio",
    ],
    "brand": ["/brand/", "/brand/discover", "/brand/orders", "/brand/reports"],
    "mcn": ["/mcn/"],
}


def test_accessibility_no_serious_violations(web_server, page):
    page.goto(web_server.url + "/login")
    pages = [("anonymous", "/login")]
    bad = []
    for role, urls in MAIN_PAGES.items():
        a = web_server.accounts[role]
        login(page, web_server.url, a["login"], a["password"])
        for url in urls:
            page.goto(web_server.url + url)
            page.wait_for_load_state("networkidle")
            page.add_script_tag(url="/static/vendor/axe/axe.min.js")
            result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
            bad += [(url, v["id"], v["impact"], v["help"]) for v in result["violations"]
                    if v["impact"] in ("serious", "critical")]  # fmt: skip
            pages.append((role, url))
        page.click("form[action='/logout'] button")
        page.wait_for_url(web_server.url + "/login")
    assert bad == [], bad
    assert len(pages) == 12
