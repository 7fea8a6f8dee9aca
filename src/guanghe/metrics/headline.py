"""The conference slide as data: which catalog metric answers which seed figure, over which period.

The seed's figures are the platform's "past year" (12 months) except income growth, which is on the last
half-year, and the marketplace's (磁力聚星) June advertisers and Q2 orders: the last month and the last quarter
(the conference's data ended in June). ``headline(tables)`` computes them on this platform.
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from guanghe.metrics.catalog import Tables
from guanghe.metrics.compute import MetricValue, compute
from guanghe.metrics.period import UTC_ZONE


@dataclass(frozen=True)
class SeedFigure:
    metric: str
    period: str  # "last-12m", "last-6m", "last-3m" or "last-1m"
    seed_yoy: float | None  # the conference's YoY, where it gave one
    seed_value: str  # the conference's level, as said on stage ("" when none)
    note: str = ""


SEED_FIGURES: tuple[SeedFigure, ...] = (
    SeedFigure("works_published", "last-12m", 0.148, ""),
    SeedFigure("active_creators", "last-12m", 0.110, ""),
    SeedFigure("active_creators_10k", "last-12m", 0.31, ""),
    SeedFigure("creators_12_months", "last-12m", 0.18, "32.78 million"),
    SeedFigure("creators_with_income", "last-12m", None, "> 22 million"),
    SeedFigure("income_total_fen", "last-12m", None, "≈ 90 billion CNY"),
    SeedFigure("income_total_fen", "last-6m", 0.24, "", "last half-year"),
    SeedFigure("creators_multi_income", "last-12m", 0.17, ""),
    SeedFigure("support_impressions", "last-12m", None, "380 billion"),
    SeedFigure("creators_supported", "last-12m", None, "> 6 million"),
    SeedFigure("supported_follower_gain", "last-12m", None, "> 27 billion"),
    SeedFigure("first_time_earner_share_ad_share", "last-6m", None, "30%", "磁力万合 launched in March"),
    SeedFigure("market_advertisers", "last-1m", 0.40, "", "last month (the conference: June)"),
    SeedFigure("market_orders", "last-3m", 1.00, "×2", "last quarter (the conference: Q2)"),
)


@dataclass(frozen=True)
class HeadlineRow:
    figure: SeedFigure
    value: MetricValue


def headline(tables: Tables, zone: ZoneInfo = UTC_ZONE) -> list[HeadlineRow]:
    """Every seed figure computed on this platform (one catalog run per period: past year, last half-year,
    last quarter, last month), days counted in ``zone``. Every period ends with the data's last complete
    month."""
    out: list[HeadlineRow] = []
    by_period: dict[str, dict[str, MetricValue]] = {}
    for period in sorted({f.period for f in SEED_FIGURES}):
        names = list(dict.fromkeys(f.metric for f in SEED_FIGURES if f.period == period))
        by_period[period] = {v.name: v for v in compute(tables, period, names, zone)}
    for f in SEED_FIGURES:
        out.append(HeadlineRow(f, by_period[f.period][f.metric]))
    return out
