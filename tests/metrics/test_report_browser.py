"""The report in a real browser: Debian's Chromium, driven by Playwright, offline, screenshotted.

A small synthetic platform with an allocation plan whose delivery overlaps the data is reported, the page is
opened from file:// with every other request blocked, and what Chromium drew is checked: no scientific
notation, value-axis ticks round and in one unit, no two labels of a chart overlapping, Chinese drawn with a
real CJK font (not boxes), and the head tier's bars visible. The screenshot is kept under the test's tmp_path.

Needs the ``playwright`` package, ``/usr/bin/chromium`` and a CJK font (``make test`` installs them):
missing, the test FAILS when ``CI`` is set, else it is skipped with the reason.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import re
from datetime import date
from pathlib import Path

import pytest

from guanghe.allocate.plan import make_plan
from guanghe.allocate.quotas import weekday_counts
from guanghe.allocate.store import write_plan
from guanghe.data.ingest import ingest
from guanghe.data.warehouse.duckdb import DuckDBWarehouse
from guanghe.metrics.report import plan_tables, write_report
from guanghe.metrics.report.charts import TIER_COLORS
from guanghe.programs import PROGRAMS_DIR, load_programs
from guanghe.synth import SynthConfig, generate
from ledger_income import accrue_income
from system_tools import CHROMIUM, missing_browser, require

pytestmark = pytest.mark.slow

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]  # fmt: skip
CREATORS, AS_OF = 1_500, date(2022, 12, 31)
CJK = re.compile(r"[\u4e00-\u9fff]")
CJK_FONT = re.compile(r"CJK|Source Han|PingFang|Hiragino|YaHei|WenQuanYi|Noto Sans SC", re.I)
LABEL = re.compile(r"^-?[\d,]+(\.\d+)?(万亿|亿|万|%)?$")


def browser_or_skip() -> None:
    """Skip (FAIL under CI) when Playwright, Chromium or a CJK font is missing."""
    require(missing_browser(cjk_font=True), "browser screenshot test")


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    """Synthetic platform (1,500 creators, 2021-07..2023-06) + a plan delivering over 2023 + the report."""
    browser_or_skip()
    root = tmp_path_factory.mktemp("browser")
    generate(SynthConfig(creators=CREATORS, months=24, seed=3), root / "synth")
    wh = DuckDBWarehouse(str(root / "wh.duckdb"))
    try:
        ingest([root / "synth" / "data"], wh)
        accrue_income(wh, root / "ledger.sqlite3", AS_OF)
        tables = wh.tables()
        progs = [
            dataclasses.replace(
                p, period_start=date(2023, 1, 1), period_end=date(2023, 12, 31),
                delivery=dataclasses.replace(p.delivery, start=date(2023, 1, 1), end=date(2023, 12, 31)),
            )
            for p in load_programs(PROGRAMS_DIR, platform_creators=CREATORS)
        ]  # fmt: skip
        plan = make_plan(tables, progs, AS_OF, "browser")
        write_plan(wh, plan, weekday_counts(tables, plan.platform.creator_id, AS_OF))
        return write_report(wh.tables(), root / "report.html", plan=plan_tables(wh))
    finally:
        wh.close()


@pytest.fixture(scope="module")
def page(report):
    """The report open in headless Chromium, every chart drawn; collects requests and script errors."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        pg = browser.new_page(viewport={"width": 1280, "height": 900})
        seen, blocked, errors = [], [], []
        pg.on("request", lambda r: seen.append(r.url))
        pg.on("pageerror", lambda e: errors.append(str(e)))

        def only_files(route):
            if route.request.url.startswith("file://"):
                route.continue_()
            else:
                blocked.append(route.request.url)
                route.abort()

        pg.route("**/*", only_files)
        pg.goto(report.as_uri())
        pg.wait_for_selector("body[data-charts=ready]", state="attached", timeout=30_000)
        pg.evaluate("document.fonts.ready")
        pg.net = (seen, blocked, errors)  # type: ignore[attr-defined]
        yield pg
        browser.close()


FIGURES_JS = """() => [...document.querySelectorAll("figure.chart")].map(fig => ({
  title: fig.querySelector("figcaption").textContent,
  spec: JSON.parse(fig.querySelector("script.spec").textContent),
  texts: [...fig.querySelectorAll(".plot svg text")].map(t => {
    const r = t.getBoundingClientRect(), s = getComputedStyle(t);
    return {text: t.textContent, x: r.left, y: r.top, w: r.width, h: r.height,
            shown: r.width > 0 && r.height > 0 && s.display !== "none" && s.visibility !== "hidden"
                   && +s.opacity > 0 && +(t.getAttribute("opacity") ?? 1) > 0};
  }).filter(t => t.shown),
}))"""


@pytest.fixture(scope="module")
def figures(page) -> list[dict]:
    return page.evaluate(FIGURES_JS)


def test_page_opens_offline_and_draws_every_chart(page, figures, report, tmp_path_factory):
    seen, blocked, errors = page.net
    assert blocked == [] and all(u.startswith("file://") for u in seen), (blocked, seen)
    assert errors == []
    # 5 trends, channel, tier spread; marketplace orders, advertisers; program impressions, pacing, cash;
    # task-center rewards
    assert len(figures) == 13
    assert all(f["texts"] for f in figures)
    shot = report.parent / "report.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 100_000
    print(f"screenshot: {shot}")


def test_no_rendered_label_uses_scientific_notation(page, figures):
    labels = [t["text"] for f in figures for t in f["texts"]]
    assert not [x for x in labels if re.search(r"\de[+-]?\d", x)]
    assert not re.search(r"\de[+-]\d", page.inner_text("body"))


def _value(label: str) -> float:
    units = {"万亿": 1e12, "亿": 1e8, "万": 1e4, "%": 0.01}
    suffix = next((u for u in units if label.endswith(u)), "")
    return float(label.removesuffix(suffix).replace(",", "")) * units.get(suffix, 1)


def test_value_axis_ticks_are_drawn_round_and_in_one_unit(figures):
    for f in figures:
        (axis,) = f["spec"]["axes"]
        want = axis["labels"]
        drawn = {}
        for t in f["texts"]:
            if t["text"] in want:
                drawn.setdefault(t["text"], t)
        assert list(drawn) == [x for x in want if x in drawn] and set(drawn) == set(want), (f["title"], drawn)
        # laid out as an axis: left to right (horizontal value axis) or bottom to top
        pos = [drawn[x]["x"] if axis["axis"] == "xAxis" else -drawn[x]["y"] for x in want]
        assert pos == sorted(pos), f["title"]
        assert all(LABEL.match(x) for x in want), want
        assert len({re.sub(r"[-\d.,]", "", x) for x in want if x not in ("0", "0%")}) == 1, want
        steps = {round(b - a, 9) for a, b in itertools.pairwise(_value(x) for x in want)}
        assert len(steps) == 1, want
        step = steps.pop()
        assert step / 10 ** math.floor(math.log10(step)) in (1, 2, 5), want


GAP = 4  # px between two labels on one line ("2023-032023-06" was two touching labels)


def test_no_two_labels_of_a_chart_overlap_or_touch(figures):
    for f in figures:
        for a, b in itertools.combinations(f["texts"], 2):
            overlap_x = min(a["x"] + a["w"], b["x"] + b["w"]) - max(a["x"], b["x"])
            overlap_y = min(a["y"] + a["h"], b["y"] + b["h"]) - max(a["y"], b["y"])
            assert overlap_y <= 1 or overlap_x <= -GAP, (f["title"], a, b)


def test_month_labels_end_with_the_newest_month_and_are_spaced_evenly(figures):
    trend = figures[0]
    months = trend["spec"]["option"]["xAxis"]["data"]
    drawn = sorted((t for t in trend["texts"] if t["text"] in months), key=lambda t: t["x"])
    assert 4 <= len(drawn) <= 8
    assert drawn[-1]["text"] == months[-1]  # was the overlapped "2023-032023-06"
    gaps = {months.index(b["text"]) - months.index(a["text"]) for a, b in itertools.pairwise(drawn)}
    assert len(gaps) == 1


def test_chinese_is_drawn_with_a_cjk_font(page):
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": -1, "pierce": True})["root"]["nodeId"]
    checked = 0
    for selector in ("header h1", "#fig-1 .plot svg g text", "figure.chart figcaption"):
        for node in cdp.send("DOM.querySelectorAll", {"nodeId": root, "selector": selector})["nodeIds"][:12]:
            text = cdp.send("DOM.getOuterHTML", {"nodeId": node})["outerHTML"]
            want = len(CJK.findall(re.sub(r"<[^>]+>", "", text)))
            if not want:
                continue
            fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
            cjk = sum(f["glyphCount"] for f in fonts if CJK_FONT.search(f["familyName"]))
            assert cjk >= want, (text[:80], fonts)
            checked += 1
    assert checked >= 3


def test_head_tier_bars_are_visible(page, figures):
    spread = next(i for i, f in enumerate(figures) if f["title"].startswith("spread across tiers"))
    head = next(s for s in figures[spread]["spec"]["option"]["series"] if s["name"] == "head")
    nonzero = sum(1 for d in head["data"] if d["value"])
    assert nonzero >= 6
    color = TIER_COLORS["head"]
    boxes = page.evaluate(
        """([i, color]) => [...document.querySelectorAll("figure.chart")[i].querySelectorAll(".plot svg path")]
             .filter(p => (p.getAttribute("fill") || "").toLowerCase() === color)
             .map(p => { const r = p.getBoundingClientRect(); return [r.width, r.height]; })""",
        [spread, color],
    )
    bars = [b for b in boxes if b[1] < 30]  # the legend icon aside
    assert len(bars) >= nonzero
    assert all(w >= 1.5 and h >= 1.5 for w, h in bars), bars
