"""The ecosystem dashboard's data: the seed's figures with YoY (``metrics.headline``, as in the report), the
whole metric catalog for a chosen period (``metrics.compute``: value, prior year, YoY, previous period),
the report's monthly trends and its breakdowns by channel and tier (``metrics.report.breakdown``). Cached
per warehouse state (``operator_cache``): the catalog is a few scans of the warehouse."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from guanghe.data.warehouse import Warehouse
from guanghe.metrics import DEFAULT_PERIOD, MetricValue, Period, compute, data_range, resolve_period
from guanghe.metrics.headline import HeadlineRow, headline
from guanghe.metrics.period import add_months, parse_period
from guanghe.metrics.report.breakdown import by_channel, by_tier, channel_by_month, monthly_trends, months_in
from guanghe.web.views.operator_cache import background, cached

RELATIVE = ("last-12m", "last-6m", "last-3m", "last-1m")


@dataclass(frozen=True)
class Dashboard:
    period: Period
    values: list[MetricValue]  # the catalog for the period, with YoY and PoP
    channels: list[tuple[str, int]]  # income by channel over the period (fen)
    tiers: list[dict]  # creators, active, works, income by tier (followers at the period's end)


@dataclass(frozen=True)
class Trends:
    first: date
    last: date
    months: list[str]
    series: dict[str, list[float]]  # metric -> value per month
    channels: dict[str, list[int]]  # channel -> fen per month


def period_choices(first: date, last: date) -> list[str]:
    """What the selector offers: the relative periods, then each calendar year, half and quarter the data
    touches (newest first)."""
    out = list(RELATIVE)
    y, m = last.year, last.month
    quarters: list[str] = []
    while (y, m) >= (first.year, first.month):
        q = f"{y}-Q{(m - 1) // 3 + 1}"
        if q not in quarters:
            quarters.append(q)
        y, m = add_months(y, m, -1)
    years = [str(x) for x in range(last.year, first.year - 1, -1)]
    halves = [f"{x}-H{h}" for x in range(last.year, first.year - 1, -1) for h in (2, 1)
              if date(x, 1 if h == 1 else 7, 1) <= last and date(x, 6 if h == 1 else 12, 28) >= first]  # fmt: skip
    return out + years + halves + quarters


def span(wh: Warehouse, zone: ZoneInfo) -> tuple[date, date] | None:
    return cached(wh.url, ("span", str(zone)), lambda: data_range(wh.tables(), zone))


def seed_figures(wh: Warehouse, zone: ZoneInfo) -> list[HeadlineRow]:
    return cached(wh.url, ("headline", str(zone)), lambda: headline(wh.tables(), zone))


def dashboard(wh: Warehouse, period: str, zone: ZoneInfo) -> Dashboard:
    """The catalog and breakdowns for ``period`` (any ``--period`` text; PeriodError when unreadable)."""
    text = (period or DEFAULT_PERIOD).strip()

    def run() -> Dashboard:
        tables = wh.tables()
        p = resolve_period(tables, text, zone)
        return Dashboard(p, compute(tables, p), by_channel(tables, p), by_tier(tables, p))

    return cached(wh.url, ("dashboard", text.lower(), str(zone)), run)


def trends(wh: Warehouse, zone: ZoneInfo) -> Trends | None:
    """Each trend metric and income by channel per month over the data (at most 36 months)."""

    def run() -> Trends | None:
        tables = wh.tables()
        rng = data_range(tables, zone)
        if rng is None:
            return None
        months = months_in(rng[0], rng[1], zone=zone)
        t = monthly_trends(tables, months)
        return Trends(rng[0], rng[1], [m.label for m in months], {k: [v for _, v in pts] for k, pts in t.items()},
                      channel_by_month(tables, months))  # fmt: skip

    return cached(wh.url, ("trends", str(zone)), run)


@dataclass(frozen=True)
class Page:
    span: tuple[date, date] | None
    seed: list[HeadlineRow]
    dashboard: Dashboard | None
    trends: Trends | None


def check_period(text: str) -> str:
    """The period text, checked before any query (PeriodError names what is expected)."""
    text = (text or DEFAULT_PERIOD).strip()
    parse_period(text, date(2000, 12, 31))  # a relative period is read against any day: only its form
    return text


def page(url: str, period: str, zone: ZoneInfo, wait_s: float = 2.0) -> tuple[Page | None, bool]:
    """Everything the dashboard shows for ``period``, computed in the background (``operator_cache``):
    ``(page, fresh)``; None while the first computation runs."""
    text = check_period(period)

    def run(wh: Warehouse) -> Page:
        rng = span(wh, zone)
        if rng is None:
            return Page(None, [], None, None)
        return Page(rng, seed_figures(wh, zone), dashboard(wh, text, zone), trends(wh, zone))

    return background(url, ("dashboard-page", text.lower(), str(zone)), run, wait_s)
