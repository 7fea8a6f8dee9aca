"""The report's "Marketplace 磁力聚星" part on the hand-made platform (fixtures/platform/brand_orders.csv, see
test_metrics_market.py); answers by hand. The data (works) spans 2022-03-01..2024-02-29, so the past year is
2023-03..2024-02 (its prior year 2022-03..2023-02), the last quarter 2023-12..2024-02, the last month 2024-02."""

from __future__ import annotations

import json
import re
from datetime import date

from guanghe.data.warehouse.duckdb import DuckDBWarehouse
from guanghe.metrics.report.build import render
from guanghe.metrics.report.market import NO_ORDERS, market_by_month


def section(html: str) -> str:
    start = html.index("<h2>Marketplace 磁力聚星")
    return html[start : html.index("</section>", start)]


def test_monthly_charts_and_totals(tables) -> None:
    part = section(render(tables))
    specs = [json.loads(s) for s in re.findall(r'class="spec">(.*?)</script>', part, re.S)]
    assert len(specs) == 2 and 'id="fig-40"' in part and 'id="fig-41"' in part
    orders, advertisers = (s["option"] for s in specs)
    months = orders["xAxis"]["data"]
    assert (months[0], months[-1], len(months)) == ("2022-03", "2024-02", 24)
    by_month = dict(zip(months, [d["value"] for d in orders["series"][0]["data"]], strict=True))
    # UTC: 2022-05 order 3; 2022-06 orders 1, 2; 2023-06 orders 4, 5, 6; 2023-05 order 7; 2023-04 order 8
    assert [by_month[m] for m in ("2022-05", "2022-06", "2023-06", "2023-07")] == [1, 2, 3, 0]
    brands = dict(zip(months, [d["value"] for d in advertisers["series"][0]["data"]], strict=True))
    assert (brands["2022-06"], brands["2023-06"], brands["2022-12"]) == (2, 3, 1)
    cells = (re.findall(r"<td>(.*?)</td>", tr) for tr in re.findall(r"<tr>(.*?)</tr>", part))
    rows = {r[0]: r[1:] for r in cells if r}
    # past year 2023-03..2024-02: orders 4..8 vs 1, 2, 3, 9, 10; brands {10..14} vs {10, 11, 12}
    # last quarter 2023-12..2024-02: none vs order 10 (2022-12-31); last month 2024-02: none vs none
    assert rows["磁力聚星订单数 · market_orders"] == ["5", "5", "+0.0%", "0", "1", "-100.0%", "0", "0", "—"]
    assert rows["磁力聚星活跃广告主数 · market_advertisers"][:3] == ["5", "3", "+66.7%"]
    assert rows["磁力聚星成交额 · market_gmv_fen"][:3] == ["¥1,500", "¥1,750", "-14.3%"]


def test_the_headline_holds_the_conference_figures(tables) -> None:
    html = render(tables)
    assert "conference: +40.0% YoY" in html and "conference: +100.0% YoY" in html


def test_without_orders_the_part_says_so(platform_until) -> None:
    wh = DuckDBWarehouse(platform_until(date(2022, 3, 15)))  # works from 2022-03-01, the first order is 03-31
    try:
        assert not any(market_by_month(wh.tables(), [])["market_orders"])
        part = section(render(wh.tables()))
        assert f"{NO_ORDERS}." in part and 'class="spec"' not in part
    finally:
        wh.close()
