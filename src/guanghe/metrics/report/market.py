"""The report's marketplace part (磁力聚星): brand orders and active advertisers per month, and the past
year's, last quarter's and last month's totals with their YoY — all catalog metrics (``metrics/market.py``)."""

from __future__ import annotations

from html import escape
from zoneinfo import ZoneInfo

from guanghe.metrics.catalog import Tables, get
from guanghe.metrics.compute import MetricValue, compute, evaluate_many
from guanghe.metrics.period import Period
from guanghe.metrics.report.charts import Figure, line_figure
from guanghe.metrics.report.page import fmt_change, fmt_value, table

MARKET_METRICS = ("market_orders", "market_advertisers", "market_gmv_fen")
# (period text, heading): the past year, and the seed's last quarter (Q2 orders) and last month (June advertisers)
MARKET_PERIODS = (("last-12m", "past year"), ("last-3m", "last quarter"), ("last-1m", "last month"))
NO_ORDERS = "no brand orders (磁力聚星) in this warehouse"


def market_by_month(tables: Tables, months: list[Period]) -> dict[str, list[int]]:
    """Each marketplace metric per month of ``months`` (one query)."""
    rows = evaluate_many(tables, get(MARKET_METRICS), months)
    return {name: [int(r[name] or 0) for r in rows] for name in MARKET_METRICS}


def market_totals(tables: Tables, zone: ZoneInfo) -> dict[str, dict[str, MetricValue]]:
    """{period text: {metric: value with prior year and YoY}} for the periods of ``MARKET_PERIODS``."""
    return {
        text: {v.name: v for v in compute(tables, text, MARKET_METRICS, zone)} for text, _ in MARKET_PERIODS
    }


def _figures(months: list[Period], monthly: dict[str, list[int]]) -> list[Figure]:
    x = [m.label for m in months]
    labels = {m.name: m.label for m in get(MARKET_METRICS)}
    orders = line_figure(
        "磁力聚星 brand orders / month (completed)",
        x,
        {labels["market_orders"]: [float(v) for v in monthly["market_orders"]]},
    )
    advertisers = line_figure(
        "磁力聚星 active advertisers / month (brands with an order)",
        x,
        {labels["market_advertisers"]: [float(v) for v in monthly["market_advertisers"]]},
    )
    advertisers.note = "Distinct brands per month: a year's advertisers are fewer than the sum of its months."
    return [orders, advertisers]


def _table(totals: dict[str, dict[str, MetricValue]]) -> str:
    head = ["metric"]
    for text, heading in MARKET_PERIODS:
        label = next(iter(totals[text].values())).period.label
        head += [f"{heading} ({label})", "prior year", "YoY"]
    rows = []
    for name in MARKET_METRICS:
        row = []
        for text, _ in MARKET_PERIODS:
            v = totals[text][name]
            row += [fmt_value(v.value, v.unit), fmt_value(v.prior_value, v.unit), fmt_change(v.yoy)]
        label = totals[MARKET_PERIODS[0][0]][name].label
        rows.append((f"{label} · {name}", *row))
    return table(head, rows)


def market_section(tables: Tables, months: list[Period], zone: ZoneInfo, first_figure: int) -> str:
    """The "Marketplace 磁力聚星" section; charts are numbered from ``fig-{first_figure}``. Without any brand
    order it says so (no charts)."""
    head = "<section><h2>Marketplace 磁力聚星 — brand orders and advertisers</h2>"
    monthly = market_by_month(tables, months)
    if not any(monthly["market_orders"]):
        return head + f'<p class="empty">{escape(NO_ORDERS)}.</p></section>'
    figs = "".join(f.html(f"fig-{first_figure + i}") for i, f in enumerate(_figures(months, monthly)))
    return (
        head
        + '<p class="note">Completed brand orders (<code>brand_orders</code>) on the platform day of their '
        "completion. Advertisers: distinct brands with at least one order in the period. GMV: what brands pay "
        "creators, before the platform's fee. The conference reported June advertisers +~40% YoY and Q2 "
        "orders ×2 (see the headline cards).</p>"
        + f'<div class="charts">{figs}</div>'
        + _table(market_totals(tables, zone))
        + "</section>"
    )
