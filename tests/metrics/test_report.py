"""The HTML report: self-contained, and its figures are the catalog's."""

from __future__ import annotations

import re
from datetime import date

import pytest

from guanghe.data.warehouse import open_warehouse
from guanghe.metrics.compute import compute
from guanghe.metrics.period import parse_period
from guanghe.metrics.report import write_report
from guanghe.metrics.report.breakdown import by_channel, by_tier, months_in
from guanghe.metrics.report.build import fmt_value


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


def test_report_is_self_contained_and_shows_catalog_values(platform):
    wh, root = platform
    path = write_report(wh.tables(), root / "out" / "report.html")
    html = path.read_text(encoding="utf-8")
    # Opens offline: no scripts, stylesheets or images fetched from anywhere.
    assert "<script" not in html
    assert "<link" not in html
    assert not re.search(r"""(src|href)\s*=\s*["']?https?:""", html)
    assert "url(" not in html
    assert html.count("<svg") == 6
    works = compute(wh.tables(), "last-12m", ["works_published"])[0]
    assert fmt_value(works.value, "count") in html
    assert works.period.label in html


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
    channels = dict(by_channel(tables, year))
    assert sum(channels.values()) == values["income_total_fen"]
    assert channels["ad_share"] == values["income_ad_share_fen"]


def test_months_in_spans_whole_months():
    months = months_in(date(2021, 7, 15), date(2023, 6, 30))
    assert len(months) == 24
    assert (months[0].start, months[-1].end) == (date(2021, 7, 1), date(2023, 6, 30))
    assert months_in(date(2024, 1, 1), date(2024, 2, 10))[-1].end == date(2024, 2, 29)


def test_empty_warehouse_is_a_clear_error(tmp_path):
    wh = open_warehouse("duckdb://")
    with pytest.raises(ValueError, match="empty"):
        write_report(wh.tables(), tmp_path / "r.html")
