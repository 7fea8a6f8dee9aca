"""Monthly trends and breakdowns (by tier, by channel) for the report, as Ibis expressions."""

from __future__ import annotations

from datetime import date

import ibis
from ibis import _

from guanghe.data.schema import CHANNELS
from guanghe.data.tiers import TIERS
from guanghe.metrics.catalog import Tables
from guanghe.metrics.compute import evaluate_many
from guanghe.metrics.followers import followers_on, in_days
from guanghe.metrics.period import Period, add_months, month_end

TREND_METRICS = (
    "works_published",
    "active_creators",
    "active_creators_10k",
    "income_total_fen",
    "support_impressions",
)


def months_in(first: date, last: date, most: int = 36) -> list[Period]:
    """Calendar months from the one holding ``first`` through the one holding ``last`` (at most ``most``)."""
    y, m = last.year, last.month
    out: list[Period] = []
    while len(out) < most and (y, m) >= (first.year, first.month):
        out.append(Period(date(y, m, 1), month_end(y, m), "month", 1))
        y, m = add_months(y, m, -1)
    return out[::-1]


def monthly_trends(tables: Tables, months: list[Period]) -> dict[str, list[tuple[str, float]]]:
    """Each trend metric's value per month (one query for all)."""
    from guanghe.metrics.catalog import get

    rows = evaluate_many(tables, get(TREND_METRICS), months)
    return {
        name: [(p.label, float(r[name] or 0)) for p, r in zip(months, rows, strict=True)]
        for name in TREND_METRICS
    }


def tier_expr(followers: ibis.Column) -> ibis.Column:
    cases = [(followers >= low, name) for name, low in TIERS if low > 0]
    return ibis.cases(*cases, else_=TIERS[-1][0])


def by_tier(tables: Tables, period: Period) -> list[dict[str, object]]:
    """Creators, active creators, works and income by tier (tier from followers at the period's end)."""
    c = tables["creators"]
    creators = c.filter(c.joined_on <= ibis.literal(period.end, type="date")).select("creator_id")
    f = followers_on(tables["creator_daily"], creators, {"followers": period.end})
    f = f.mutate(tier=tier_expr(f.followers))
    w = tables["works"]
    works = w.filter(in_days(w.published_at, period)).group_by("creator_id").aggregate(works=_.count())
    inc = tables["income"]
    income = (
        inc.filter(in_days(inc.occurred_at, period)).group_by("creator_id").aggregate(fen=_.amount_fen.sum())
    )
    j = f.left_join(works, "creator_id").select(*f.columns, "works")
    j = j.left_join(income, "creator_id").select(*j.columns, "fen")
    agg = j.group_by("tier").aggregate(
        creators=_.count(),
        active=(_.works.coalesce(0) > 0).sum(),
        works=_.works.coalesce(0).sum(),
        income_fen=_.fen.coalesce(0).sum(),
    )
    got = {r["tier"]: r for r in agg.to_pyarrow().to_pylist()}
    return [
        {
            "tier": name,
            **{k: int(got.get(name, {}).get(k) or 0) for k in ("creators", "active", "works", "income_fen")},
        }
        for name, _ in TIERS
    ]


def by_channel(tables: Tables, period: Period) -> list[tuple[str, int]]:
    """Income (fen) by channel over the period, every channel listed (zero where none)."""
    inc = tables["income"]
    q = inc.filter(in_days(inc.occurred_at, period)).group_by("channel").aggregate(fen=_.amount_fen.sum())
    got = {r["channel"]: int(r["fen"]) for r in q.to_pyarrow().to_pylist()}
    return [(c, got.get(c, 0)) for c in CHANNELS]
