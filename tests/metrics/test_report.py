"""The HTML report: self-contained, and its figures are the catalog's."""

from __future__ import annotations

import itertools
import json
import math
import re
from datetime import date

import pytest

from guanghe.data.schema import CHANNELS
from guanghe.data.warehouse import open_warehouse
from guanghe.metrics.compute import compute
from guanghe.metrics.headline import headline
from guanghe.metrics.period import Period, parse_period
from guanghe.metrics.report import write_report
from guanghe.metrics.report.assets import ECHARTS_VERSION
from guanghe.metrics.report.breakdown import by_channel, by_tier, channel_by_month, months_in
from guanghe.metrics.report.build import fmt_value, period_is_partial
from guanghe.metrics.report.operator import NO_PLAN
from guanghe.metrics.report.page import PARTIAL_BADGE, SIMULATION_PAGE, card


@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    """A small synthetic platform loaded into a DuckDB warehouse."""
    from guanghe.data.ingest import ingest
    from guanghe.synth import SynthConfig, generate

    root = tmp_path_factory.mktemp("report")
    generate(SynthConfig(creators=1_500, months=24, seed=3), root / "synth")
    wh = open_warehouse(f"duckdb:///{root / 'wh.duckdb'}", create=True)
    ingest([root / "synth" / "data"], wh)
    yield wh, root
    wh.close()


@pytest.fixture(scope="module")
def report_html(platform) -> str:
    """The report of the platform (no allocation plan), rendered once."""
    wh, root = platform
    return write_report(wh.tables(), root / "out" / "report.html").read_text(encoding="utf-8")


SPEC = re.compile(r'<script type="application/json" class="spec">(.*?)</script>', re.S)
LABEL = re.compile(r"^-?[\d,]+(\.\d+)?(万亿|亿|万|%)?$")


def specs(html: str) -> list[dict]:
    return [json.loads(m) for m in SPEC.findall(html)]


def outside_scripts(html: str) -> str:
    """The page without the inlined libraries (whose code may say anything); figure specs kept."""
    return re.sub(r"<script>.*?</script>", "", html, flags=re.S)


def axis_value(label: str) -> float:
    units = {"万亿": 1e12, "亿": 1e8, "万": 1e4, "%": 0.01}
    suffix = next((u for u in units if label.endswith(u)), "")
    return float(label.removesuffix(suffix).replace(",", "")) * units.get(suffix, 1)


def test_report_is_self_contained_and_shows_catalog_values(platform, report_html):
    wh, _ = platform
    html = report_html
    page = outside_scripts(html)
    # Opens offline: scripts are inline (the vendored library and our glue), nothing is fetched.
    assert not re.search(r"<script[^>]*\ssrc=", html)
    assert "<link" not in html
    assert not re.search(r"""(src|href)\s*=\s*["']?https?:""", html)
    assert "url(" not in page
    assert f"echarts/{ECHARTS_VERSION}" not in html and "cdn" not in page.lower()
    # 5 monthly trends + channel + tier spread + marketplace orders and advertisers + task center (the platform
    # has task_rewards); no plan: no program charts
    assert len(specs(html)) == 10
    works = compute(wh.tables(), "last-12m", ["works_published"])[0]
    assert fmt_value(works.value, "count") in html
    assert works.period.label in html


def test_no_label_in_the_report_uses_scientific_notation(report_html):
    html = report_html
    page = outside_scripts(html)
    assert not re.search(r"\de[+-]\d", page), re.search(r".{40}\de[+-]\d.{10}", page)
    labels = [d["label"] for s in specs(html) for series in s["option"]["series"] for d in series["data"]]
    assert labels and all(LABEL.match(x) or x.startswith(("¥", "<")) or x == "—" for x in labels), labels


def test_every_value_axis_has_round_ticks_in_one_unit(report_html):
    html = report_html
    for s in specs(html):
        for ax in s["axes"]:
            labels = ax["labels"]
            assert all(LABEL.match(x) for x in labels), labels
            assert len({re.sub(r"[-\d.,]", "", x) for x in labels if x not in ("0", "0%")}) == 1, labels
            values = [axis_value(x) for x in labels]
            steps = {round(b - a, 9) for a, b in itertools.pairwise(values)}
            assert len(steps) == 1, labels
            step = steps.pop()
            assert step / 10 ** math.floor(math.log10(step)) in (1, 2, 5), labels
            option_axis = s["option"][ax["axis"]]
            assert (option_axis["min"], option_axis["interval"]) == (ax["low"], ax["step"])


def test_font_stack_names_a_cjk_font_of_every_common_system(report_html):
    html = report_html
    css = re.search(r"<style>(.*?)</style>", html, re.S).group(1)
    body = re.search(r"body\{font-family:([^;]+);", css).group(1)
    for font in (
        "Noto Sans CJK SC",
        "Source Han Sans SC",
        "PingFang SC",
        "Microsoft YaHei",
        "WenQuanYi Micro Hei",
    ):
        assert f'"{font}"' in body
        assert all(font in s["option"]["textStyle"]["fontFamily"] for s in specs(html))
    assert body.rstrip().endswith("sans-serif")


def test_head_tier_is_visible_in_the_tier_spread(platform, report_html):
    wh, _ = platform
    html = report_html
    (spread,) = [s for s in specs(html) if any(x["name"] == "head" for x in s["option"]["series"])]
    head = next(x for x in spread["option"]["series"] if x["name"] == "head")
    # Shares of each total (a percent axis), and a nonzero share is drawn at least 2 px long.
    assert spread["axes"][0]["labels"][-1] == "100%"
    assert head["barMinHeight"] >= 2
    year = parse_period("last-12m", date(2023, 6, 30))
    tiers = by_tier(wh.tables(), year)
    creators = sum(t["creators"] for t in tiers)
    assert head["data"][0]["value"] == pytest.approx(tiers[0]["creators"] / creators)
    assert head["data"][0]["value"] > 0 and head["data"][0]["label"].endswith("%")


def test_without_a_plan_the_program_section_says_so(report_html):
    start = report_html.index("<h2>Support programs")
    section = report_html[start : report_html.index("</section>", start)]
    assert f"{NO_PLAN}." in section and "run `guanghe allocate`" in NO_PLAN
    assert 'class="spec"' not in section


def test_tier_and_channel_breakdowns_add_up(platform):
    wh, _ = platform
    tables = wh.tables()
    year = parse_period("last-12m", date(2023, 6, 30))
    tiers = by_tier(tables, year)
    assert [t["tier"] for t in tiers] == ["head", "waist", "tail"]
    values = {v.name: v.value for v in compute(tables, year)}
    assert sum(t["active"] for t in tiers) == values["active_creators"]
    assert sum(t["works"] for t in tiers) == values["works_published"]
    assert sum(t["income_fen"] for t in tiers) == values["income_total_fen"]
    assert sum(t["supported"] for t in tiers) == values["creators_supported"]
    assert sum(t["boost_impressions"] for t in tiers) == values["support_impressions"]
    channels = dict(by_channel(tables, year))
    assert sum(channels.values()) == values["income_total_fen"]
    assert channels["ad_share"] == values["income_ad_share_fen"]
    monthly = channel_by_month(tables, months_in(year.start, year.end))
    assert {c: sum(v) for c, v in monthly.items()} == channels


def test_months_in_spans_whole_months():
    months = months_in(date(2021, 7, 15), date(2023, 6, 30))
    assert len(months) == 24
    assert (months[0].start, months[-1].end) == (date(2021, 7, 1), date(2023, 6, 30))
    assert months_in(date(2024, 1, 1), date(2024, 2, 10))[-1].end == date(2024, 2, 29)


def test_empty_warehouse_is_a_clear_error(tmp_path):
    wh = open_warehouse("duckdb://")
    with pytest.raises(ValueError, match="empty"):
        write_report(wh.tables(), tmp_path / "r.html")


def test_partial_period_badge_shows_next_to_the_headline_period(tables):
    from dataclasses import dataclass

    row = next(r for r in headline(tables) if r.figure.metric == "works_published")
    plain, flagged = card(row, partial=False), card(row, partial=True)
    assert "partial period" not in plain
    period = f'<span class="period">{row.value.period.label}</span>'
    assert period + PARTIAL_BADGE in flagged

    @dataclass(frozen=True)
    class Flagged(Period):  # what the metrics room's Period.partial will say
        partial: bool = True

    p = row.value.period
    assert period_is_partial(Flagged(p.start, p.end, p.kind, p.months)) is True
    assert period_is_partial(p) is bool(getattr(p, "partial", False))


def test_headline_values_also_read_in_chinese_units(tables):
    rows = {(r.figure.metric, r.figure.period): r for r in headline(tables)}
    income = card(rows["income_total_fen", "last-12m"])
    fen = rows["income_total_fen", "last-12m"].value.value
    assert fen < 1_000_000 and 'class="short"' not in income  # below ¥1万: the exact value alone
    from guanghe.metrics.report.page import _short

    assert _short(23_164_236_400, "fen") == '<span class="short">≈ ¥2.32亿</span>'
    assert _short(231_642_364, "count") == '<span class="short">≈ 2.32亿</span>'
    assert _short(0.31, "share") == ""


def test_income_by_channel_by_month_on_the_hand_made_platform(tables):
    # fixtures/platform/income.csv, 2022-12..2023-06: ad_share i10 700 (2022-12-31 23:59:59), i02 1,000 and
    # i11 300 (January), i05 400 (May), i09 250 (2023-06-30 23:00); brand_deal i03 2,000 (Feb), i06 600 (May),
    # i12 100 (June); affiliate i04 3,000 (March) and i07 0 (May).
    months = months_in(date(2022, 12, 1), date(2023, 6, 30))
    got = channel_by_month(tables, months)
    assert [m.label for m in months][:2] == ["2022-12", "2023-01"]
    assert got["ad_share"] == [700, 1_300, 0, 0, 0, 400, 250]
    assert got["brand_deal"] == [0, 0, 2_000, 0, 0, 600, 100]
    assert got["affiliate"] == [0, 0, 0, 3_000, 0, 0, 0]
    assert sum(got["task"]) == 0 and set(got) == set(CHANNELS)


def test_the_report_links_the_simulation_page_written_beside_it(platform, report_html, tmp_path):
    wh, _ = platform
    assert "<nav>" not in report_html  # nothing beside the fixture's report: no link to a missing page
    (tmp_path / SIMULATION_PAGE).write_text("<!doctype html>", encoding="utf-8")
    html = write_report(wh.tables(), tmp_path / "guanghe-report.html").read_text(encoding="utf-8")
    assert f'<nav><a href="{SIMULATION_PAGE}">Closed-loop simulation →</a></nav>' in html
