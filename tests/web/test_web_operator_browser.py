"""The operator's main journey in a real browser (Chromium via Playwright) against ``guanghe web`` as a
subprocess on copies of the test platform (``--programs`` a copy of the shipped files): the dashboard and
its period selector (htmx), a program edited and previewed and saved, the allocation rerun, the plan
changed; then axe-core (vendored) on the console's main pages: no serious or critical violation. A
failing test's page is screenshotted (conftest ``page``)."""

from __future__ import annotations

import re

import pytest
from web_helpers import login

pytestmark = pytest.mark.slow

OLD, NEW = "impressions = 272_000_000_000", "impressions = 300_000_000_000"
SCALED_NEW = round(300_000_000_000 * 240 / 7_000_000)


def num(text: str) -> int:
    return int(text.replace(",", "").strip())


def test_operator_edits_a_program_reruns_and_sees_the_plan_change(operator_server, page):
    s = operator_server
    a = s.accounts["operator"]
    login(page, s.url, a["login"], a["password"])
    assert page.url == s.url + "/operator/"
    page.wait_for_selector("#seed-figures", timeout=90_000)  # computed in the background, polled by htmx
    page.select_option("#period", "2023-Q2")  # the selector swaps the figures in (htmx)
    page.wait_for_selector("#period-h:has-text('2023-Q2')", timeout=60_000)
    page.wait_for_selector("#tiers-chart canvas", timeout=10_000)  # ECharts drew the swapped-in chart
    # the allocation page before: the stored plan
    page.click("nav a[href='/operator/allocation']")
    page.wait_for_selector("#plan-id")
    old_plan = page.locator("#plan-id").inner_text()
    row = "tr[data-program='general_support'][data-kind='impressions']"
    old_budget = num(page.locator(f"{row} td.budget").inner_text())
    assert old_budget != SCALED_NEW
    # edit the program: preview (eligible counts, the plan's change), then save
    page.goto(s.url + "/operator/programs/edit?file=general_support.toml")
    text = page.locator("#toml").input_value()
    assert OLD in text
    page.fill("#toml", text.replace(OLD, NEW))
    page.click("#preview-button")
    page.wait_for_selector("#preview", timeout=60_000)
    assert num(page.locator(f"#plan-change {row} td.budget-after").inner_text()) == SCALED_NEW
    assert num(page.locator(f"#plan-change {row} td.budget-before").inner_text()) == old_budget
    page.click("#save-button")
    page.wait_for_selector("#saved")
    assert NEW in (s.programs / "general_support.toml").read_text(encoding="utf-8")
    # rerun the allocation: a new plan with the edited budget
    page.goto(s.url + "/operator/allocation")
    page.click("#rerun-button")
    page.wait_for_selector("#ran", timeout=120_000)
    new_plan = page.locator("#plan-id").inner_text()
    assert new_plan != old_plan and re.fullmatch(r"plan-2023-06-30-web-\d{8}T\d{6}", new_plan)
    assert num(page.locator(f"{row} td.budget").inner_text()) == SCALED_NEW
    assert page.locator(f'#runs a[href="/operator/allocation?plan={old_plan}"]').count() == 1  # still listed
    assert page.errors == []  # type: ignore[attr-defined]


def test_console_pages_have_no_serious_accessibility_violations(operator_server, page):
    s = operator_server
    a = s.accounts["operator"]
    login(page, s.url, a["login"], a["password"])
    page.wait_for_selector("#seed-figures", timeout=90_000)
    bad, seen = [], []
    for url in ("/operator/", "/operator/programs", "/operator/programs/edit?file=guanghe.toml", "/operator/allocation",
                "/operator/allocation/explain?creator=5", "/operator/pacing", "/operator/money", "/operator/quarantine",
                "/operator/disputes", "/operator/appeals", "/operator/?lang=en"):  # fmt: skip
        page.goto(s.url + url)
        page.wait_for_load_state("networkidle")
        if url.startswith("/operator/programs") and page.locator("#computing").count():
            page.wait_for_selector("#programs", timeout=60_000)
        page.add_script_tag(url="/static/vendor/axe/axe.min.js")
        result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        bad += [(url, v["id"], v["impact"], v["help"], [n["target"] for n in v["nodes"][:3]])
                for v in result["violations"] if v["impact"] in ("serious", "critical")]  # fmt: skip
        seen.append(url)
    assert bad == [], bad
    assert len(seen) == 11 and page.errors == []  # type: ignore[attr-defined]
