"""The strict CSP (``style-src 'self'``, no inline style) holds while htmx swaps pages, and the charts survive
the swaps. A boosted search on the discovery page replaces a drawn chart with a new one of the same id (htmx
"settles" same-id elements by copying attributes: ECharts' ``style`` would be an inline style the browser
refuses); the back button (htmx's history cache would re-insert the drawn page's HTML, styles included); a
boosted link from a page without charts (ECharts not loaded yet) to one with a chart. Every CSP violation
the browser reports (``securitypolicyviolation`` events, console errors) fails the test."""

from __future__ import annotations

import re

import pytest
from web_helpers import login

pytestmark = pytest.mark.slow

LISTEN = """document.addEventListener('securitypolicyviolation', e => {
  (window.__csp = window.__csp || []).push([e.violatedDirective, e.sourceFile, e.sample].join(' '));
});"""
DRAWN = "#reach-chart[data-drawn='1'] canvas"


def test_boosted_swaps_and_history_draw_charts_without_csp_violations(web_server, page):
    page.add_init_script(LISTEN)
    violations: list[str] = []
    brand = web_server.accounts["brand"]
    login(page, web_server.url, brand["login"], brand["password"])
    page.goto(web_server.url + "/brand/discover")
    page.wait_for_selector(DRAWN)
    values = [v for v in page.locator("select[name=categories] option").evaluate_all("os => os.map(o => o.value)")
              if v]  # fmt: skip
    page.select_option("select[name=categories]", values[0])
    page.click("form.filters button[type=submit]")  # boosted: htmx swaps the body, the chart's id stays
    page.wait_for_url(re.compile(r".*categories=.*"))
    page.wait_for_selector(DRAWN)  # the new chart is drawn from its data-option
    violations += page.evaluate("window.__csp || []")
    page.go_back()
    page.wait_for_url(web_server.url + "/brand/discover")
    page.wait_for_selector(DRAWN)
    violations += page.evaluate("window.__csp || []")
    page.goto(web_server.url + "/brand/orders")
    assert page.evaluate("typeof echarts") == "undefined"
    page.click("nav >> text=Find creators")  # boosted: the old <head>, app.js loads ECharts
    page.wait_for_url(web_server.url + "/brand/discover")
    page.wait_for_selector(DRAWN)
    violations += page.evaluate("window.__csp || []")
    assert violations == []
    assert page.errors == [], page.errors  # type: ignore[attr-defined]
