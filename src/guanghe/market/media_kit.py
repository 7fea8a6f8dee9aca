"""Media kits: what a brand sees of a creator, computed from the warehouse as of a platform day.

One Ibis expression per kit column set, over every creator at once (``media_kits``); ``media_kit`` is one
creator's row as a :class:`MediaKit`. Days are platform days of ``zone``: ``works.published_at`` and
``brand_orders.completed_at`` (UTC timestamps) are compared with the UTC instants local midnights fall on;
date columns (``work_daily``, ``work_boost``, ``creator_daily``) are platform days already.

For a creator, as of day D:

- ``followers`` / ``followers_30d_ago`` / ``followers_90d_ago``: its follower count on D, D - 30, D - 90 (the
  ``followers`` of its latest ``creator_daily`` row dated on or before the day; 0 without one).
- ``trend_30d`` = followers / followers_30d_ago - 1 (null when the earlier count is 0); ``trend_90d`` alike.
- ``tier``: ``data.tiers`` of ``followers``.
- ``works_90d``: works published on D - 89 .. D.
- ``recent_works``: its last (up to) 30 works published on or before D (latest first; ties by work id).
  A work's plays (completed plays, likes ...) are the sums of its ``work_daily`` rows dated on or before D.
- ``median_plays``: the median of those works' plays (the mean of the two middle ones for an even count);
  ``completion_rate`` = Σ completed_plays / Σ plays and ``engagement_rate`` = Σ (likes + comments + shares) /
  Σ plays over the same works (null when they have no plays).
- ``programs_90d``: the support programs of its ``work_boost`` rows dated D - 89 .. D (sorted names).
- ``deals_12m`` / ``deal_median_fen``: its ``brand_orders`` completed in the 12 months ending with D
  (platform days ``shift(D, -12 months) + 1`` .. D) and the median of their prices (null without any).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from guanghe.config.clock import day_bounds
from guanghe.data.tiers import TIERS
from guanghe.data.warehouse import Warehouse

RECENT_WORKS = 30  # the media kit's plays and rates are over the creator's last 30 works
WINDOW_DAYS = 90  # works and programs "in the last 90 days": D - 89 .. D
TREND_DAYS = (30, 90)


def shift_months(d: date, months: int) -> date:
    """``d`` moved by whole months, clamped to the month's last day (2024-02-29 - 12 months = 2023-02-28)."""
    k = d.year * 12 + d.month - 1 + months
    y, m = divmod(k, 12)
    return date(y, m + 1, min(d.day, calendar.monthrange(y, m + 1)[1]))


def day_start(d: date, zone: ZoneInfo) -> datetime:
    """The instant platform day ``d`` starts in ``zone``, as a naive UTC datetime (as timestamps are stored)."""
    return datetime.fromtimestamp(day_bounds(d, zone)[0], UTC).replace(tzinfo=None)


def _ts(d: date, zone: ZoneInfo) -> ir.TimestampScalar:
    return ibis.literal(day_start(d, zone), type="timestamp")


def _date(d: date) -> ir.DateScalar:
    return ibis.literal(d, type="date")


@dataclass(frozen=True)
class MediaKit:
    """One creator's media kit as of ``as_of`` (see the module's docstring for each figure)."""

    creator_id: int
    as_of: date
    category: str
    region: str
    mcn_id: int | None
    tier: str
    followers: int
    followers_30d_ago: int
    followers_90d_ago: int
    trend_30d: float | None
    trend_90d: float | None
    works_90d: int
    recent_works: int
    median_plays: float | None
    completion_rate: float | None
    engagement_rate: float | None
    programs_90d: tuple[str, ...]
    deals_12m: int
    deal_median_fen: float | None


KIT_COLUMNS = tuple(f.name for f in fields(MediaKit) if f.name != "as_of")


def _tier(followers: ir.IntegerColumn) -> ir.StringColumn:
    """``data.tiers.tier_of`` as an expression."""
    *upper, (lowest, _) = TIERS
    return ibis.cases(*((followers >= low, name) for name, low in upper), else_=lowest)


def _followers(creator_daily: ibis.Table, days: dict[str, date]) -> ibis.Table:
    """Per creator with a creator_daily row: its followers on each day of ``days`` (null before its first row)."""
    cd = creator_daily.filter(creator_daily.date <= _date(max(days.values())))
    return cd.group_by("creator_id").aggregate(
        **{name: cd.followers.argmax(cd.date, where=cd.date <= _date(d)) for name, d in days.items()}
    )


def _trend(now: ir.IntegerColumn, before: ir.IntegerColumn) -> ir.FloatingColumn:
    return ibis.ifelse(before > 0, now.cast("float64") / before.nullif(0) - 1.0, ibis.null("float64"))


def _rate(num: ir.NumericColumn, plays: ir.NumericColumn) -> ir.FloatingColumn:
    return ibis.ifelse(plays > 0, num.cast("float64") / plays.nullif(0), ibis.null("float64"))


def media_kits_expr(wh: Warehouse, creator_ids: list[int] | None, as_of: date, zone: ZoneInfo) -> ibis.Table:
    """The media kits as one Ibis expression (one row per creator, ordered by id)."""
    creators = wh.table("creators")
    works, wd = wh.table("works"), wh.table("work_daily")
    if creator_ids is not None:
        ids = sorted({int(c) for c in creator_ids})
        creators = creators.filter(creators.creator_id.isin(ids))
        works = works.filter(works.creator_id.isin(ids))
    end = _ts(as_of + timedelta(days=1), zone)  # works published before the end of day D
    since = _date(as_of - timedelta(days=WINDOW_DAYS - 1))

    works = works.filter(works.published_at < end)
    w90 = works.filter(works.published_at >= _ts(as_of - timedelta(days=WINDOW_DAYS - 1), zone))
    works_90d = w90.group_by("creator_id").aggregate(works_90d=w90.count())

    ranked = works.select(
        "work_id",
        "creator_id",
        k=ibis.row_number().over(
            group_by=works.creator_id, order_by=[works.published_at.desc(), works.work_id.desc()]
        ),
    )
    recent = ranked.filter(ranked.k < RECENT_WORKS).select("work_id", "creator_id")
    days = wd.filter(wd.date <= _date(as_of))
    days = days.semi_join(recent, "work_id")
    per_work = days.group_by("work_id").aggregate(
        plays=days.plays.sum(),
        completed=days.completed_plays.sum(),
        engaged=(days.likes + days.comments + days.shares).sum(),
    )
    rw = recent.left_join(per_work, "work_id")
    rw = rw.select(
        "creator_id",
        plays=rw.plays.coalesce(0),
        completed=rw.completed.coalesce(0),
        engaged=rw.engaged.coalesce(0),
    )
    plays = rw.group_by("creator_id").aggregate(
        recent_works=rw.count(),
        median_plays=rw.plays.cast("float64").median(),
        sum_plays=rw.plays.sum(),
        sum_completed=rw.completed.sum(),
        sum_engaged=rw.engaged.sum(),
    )

    wb = wh.table("work_boost")
    wb = wb.filter((wb.date >= since) & (wb.date <= _date(as_of)))
    boosted = wb.join(works.select("work_id", "creator_id"), "work_id")
    programs = boosted.select("creator_id", "program").distinct()
    programs = programs.group_by("creator_id").aggregate(
        programs_90d=programs.program.collect(order_by=programs.program)
    )

    bo = wh.table("brand_orders")
    if creator_ids is not None:
        bo = bo.filter(bo.creator_id.isin(ids))
    bo = bo.filter(
        (bo.completed_at >= _ts(shift_months(as_of, -12) + timedelta(days=1), zone)) & (bo.completed_at < end)
    )
    deals = bo.group_by("creator_id").aggregate(
        deals_12m=bo.count(), deal_median_fen=bo.price_fen.cast("float64").median()
    )

    cd = wh.table("creator_daily")
    if creator_ids is not None:
        cd = cd.filter(cd.creator_id.isin(ids))
    fol = _followers(
        cd,
        {
            "f0": as_of,
            **{f"f{n}": as_of - timedelta(days=n) for n in TREND_DAYS},
        },
    )

    t = creators.select("creator_id", "category", "region", "mcn_id")
    for part in (fol, works_90d, plays, programs, deals):
        t = t.left_join(part, "creator_id").drop("creator_id_right")
    f0, f30, f90 = (t[c].coalesce(0) for c in ("f0", "f30", "f90"))
    out = t.select(
        "creator_id",
        "category",
        "region",
        "mcn_id",
        tier=_tier(f0),
        followers=f0,
        followers_30d_ago=f30,
        followers_90d_ago=f90,
        trend_30d=_trend(f0, f30),
        trend_90d=_trend(f0, f90),
        works_90d=t.works_90d.coalesce(0),
        recent_works=t.recent_works.coalesce(0),
        median_plays=t.median_plays,
        completion_rate=_rate(t.sum_completed, t.sum_plays),
        engagement_rate=_rate(t.sum_engaged, t.sum_plays),
        programs_90d=t.programs_90d,
        deals_12m=t.deals_12m.coalesce(0),
        deal_median_fen=t.deal_median_fen,
    )
    return out.order_by("creator_id")


def media_kits(
    wh: Warehouse, creator_ids: list[int] | None, as_of: date, zone: ZoneInfo = ZoneInfo("UTC")
) -> pa.Table:
    """Media kits of the given creators (``None``: every creator) as of platform day ``as_of``: an Arrow
    table with the columns of :class:`MediaKit` but ``as_of``, one row per creator, ordered by id.
    ``programs_90d`` is a list (empty for none); counts are 0 where a creator has no rows."""
    t = wh.fetch(media_kits_expr(wh, creator_ids, as_of, zone))
    progs = t.column("programs_90d")
    filled = pa.array([p if p is not None else [] for p in progs.to_pylist()], pa.list_(pa.string()))
    t = t.set_column(t.schema.get_field_index("programs_90d"), "programs_90d", filled)
    ints = ("followers", "followers_30d_ago", "followers_90d_ago", "works_90d", "recent_works", "deals_12m")
    for c in ints:
        t = t.set_column(t.schema.get_field_index(c), c, t.column(c).cast(pa.int64()))
    return t.select(list(KIT_COLUMNS))


def media_kit(wh: Warehouse, creator_id: int, as_of: date, zone: ZoneInfo = ZoneInfo("UTC")) -> MediaKit:
    """One creator's media kit; KeyError when the warehouse has no such creator."""
    rows = media_kits(wh, [creator_id], as_of, zone).to_pylist()
    if not rows:
        raise KeyError(f"no creator {creator_id} in {wh.url}")
    r = rows[0]
    r["programs_90d"] = tuple(r["programs_90d"])
    return MediaKit(as_of=as_of, **r)
