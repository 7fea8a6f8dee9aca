"""Monthly trends and breakdowns (by tier, by channel) for the report, as Ibis expressions."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import ibis
from ibis import _

from guanghe.data.schema import CHANNELS
from guanghe.data.tiers import TIERS
from guanghe.metrics.catalog import Tables
from guanghe.metrics.compute import evaluate_many
from guanghe.metrics.followers import followers_on, in_dates, in_days
from guanghe.metrics.period import UTC_ZONE, Period, add_months, month_end

TREND_METRICS = (
    "works_published",
    "active_creators",
    "active_creators_10k",
    "income_total_fen",
    "support_impressions",
)


def months_in(first: date, last: date, most: int = 36, zone: ZoneInfo = UTC_ZONE) -> list[Period]:
    """Calendar months (days of ``zone``) from the one holding ``first`` through the one holding ``last``
    (at most ``most``); each carries the data's span, so a month the data covers only in part is ``partial``."""
    y, m = last.year, last.month
    out: list[Period] = []
    while len(out) < most and (y, m) >= (first.year, first.month):
        out.append(Period(date(y, m, 1), month_end(y, m), "month", 1, zone).with_data(first, last))
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
    b = tables["work_boost"]
    b = b.filter(in_dates(b.date, period) & (b.impressions > 0))
    boosted = (
        b.join(w.select("work_id", "creator_id"), "work_id")
        .group_by("creator_id")
        .aggregate(boost=_.impressions.sum())
    )
    j = f.left_join(works, "creator_id").select(*f.columns, "works")
    j = j.left_join(income, "creator_id").select(*j.columns, "fen")
    j = j.left_join(boosted, "creator_id").select(*j.columns, "boost")
    agg = j.group_by("tier").aggregate(
        creators=_.count(),
        active=(_.works.coalesce(0) > 0).sum(),
        works=_.works.coalesce(0).sum(),
        income_fen=_.fen.coalesce(0).sum(),
        supported=(_.boost.coalesce(0) > 0).sum(),
        boost_impressions=_.boost.coalesce(0).sum(),
    )
    got = {r["tier"]: r for r in agg.to_pyarrow().to_pylist()}
    return [
        {"tier": name, **{k: int(got.get(name, {}).get(k) or 0) for k in TIER_MEASURES}} for name, _ in TIERS
    ]


# by_tier's measures, in display order, with their labels.
TIER_MEASURES = {
    "creators": "creators 作者",
    "active": "active 活跃作者",
    "works": "works 作品",
    "income_fen": "income 收入",
    "supported": "supported 获扶持作者",
    "boost_impressions": "support impressions 扶持流量",
}


def tier_shares(tiers: list[dict[str, object]]) -> dict[str, list[float | None]]:
    """Per tier, its share of each measure's total (None where the total is 0): the spread across tiers."""
    out: dict[str, list[float | None]] = {str(t["tier"]): [] for t in tiers}
    for k in TIER_MEASURES:
        total = sum(int(t[k]) for t in tiers)  # type: ignore[call-overload]
        for t in tiers:
            out[str(t["tier"])].append(int(t[k]) / total if total else None)  # type: ignore[call-overload]
    return out


def channel_by_month(tables: Tables, months: list[Period]) -> dict[str, list[int]]:
    """Income (fen) per channel per month of ``months``, zeros included. A row's month is decided by the
    same day rule as every metric (``in_days``), in one query."""
    if not months:
        return {c: [] for c in CHANNELS}
    inc = tables["income"]
    t = inc.filter(in_days(inc.occurred_at, Period(months[0].start, months[-1].end, zone=months[0].zone)))
    month = ibis.cases(*((in_days(t.occurred_at, p), i) for i, p in enumerate(months)), else_=-1)
    q = t.group_by(month=month, channel=t.channel).aggregate(fen=t.amount_fen.sum())
    got = {(r["month"], r["channel"]): int(r["fen"]) for r in q.to_pyarrow().to_pylist()}
    return {c: [got.get((i, c), 0) for i in range(len(months))] for c in CHANNELS}


def by_channel(tables: Tables, period: Period) -> list[tuple[str, int]]:
    """Income (fen) by channel over the period, every channel listed (zero where none)."""
    inc = tables["income"]
    q = inc.filter(in_days(inc.occurred_at, period)).group_by("channel").aggregate(fen=_.amount_fen.sum())
    got = {r["channel"]: int(r["fen"]) for r in q.to_pyarrow().to_pylist()}
    return [(c, got.get(c, 0)) for c in CHANNELS]
