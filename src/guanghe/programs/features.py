"""Creator features as of a day, from the warehouse tables, in Ibis (DuckDB or PySpark).

One row per creator who had joined by ``as_of``; see ``catalog.FEATURES`` for each column's meaning.
"""

from __future__ import annotations

from datetime import UTC, date, timedelta
from zoneinfo import ZoneInfo

import ibis

from guanghe.data.growth_schema import WORK_ORIGINALITY
from guanghe.programs.badge_features import badge_features
from guanghe.programs.catalog import NEW_DAYS, QUALITY_DAYS
from guanghe.programs.ibis_util import UTC_ZONE, day, followers_as_of, month_index, ratio, tier_expr, ts_in
from guanghe.programs.levels import levels_as_of

HEALTH_DAYS = 90  # health: the share of the creator's works of the last 90 days not flagged as re-uploads


def last_activity_day(tables: dict[str, ibis.Table], zone: ZoneInfo = UTC_ZONE) -> date | None:
    """The platform day (in ``zone``) of the newest published work: the default "as of" day; None without works."""
    last = tables["works"].published_at.max().execute()
    if last is None:
        return None
    return last.replace(tzinfo=UTC).astimezone(zone).date()


def creator_features(tables: dict[str, ibis.Table], as_of: date, zone: ZoneInfo = UTC_ZONE) -> ibis.Table:
    """creator_id, joined_on, followers, tier, tenure_days, is_new, works_30d, works_90d, active_months_12,
    impressions_90d, plays_90d, completion_rate, engagement_rate, follow_rate, health, mcn_id, is_mcn,
    is_ecommerce, is_local_life, region, category, trusted_merchant, price_badge_share, level, level_rank,
    traffic_coupon, task_center, ad_share_access, fee_discount_bps — days counted in the
    platform's ``zone``."""
    creators = tables["creators"].filter(tables["creators"].joined_on <= day(as_of))
    works = tables["works"]
    first_month = (as_of.year * 12 + as_of.month - 1) - 11
    w = works.filter(ts_in(works.published_at, date(first_month // 12, first_month % 12 + 1, 1), as_of, zone))
    activity = w.group_by("creator_id").aggregate(
        works_30d=ts_in(w.published_at, as_of - timedelta(days=29), as_of, zone).cast("int64").sum(),
        works_90d=ts_in(w.published_at, as_of - timedelta(days=89), as_of, zone).cast("int64").sum(),
        active_months_12=month_index(w.published_at, first_month, 12, zone).nunique(),
    )
    wd = tables["work_daily"]
    wd = wd.filter((wd.date >= day(as_of - timedelta(days=QUALITY_DAYS - 1))) & (wd.date <= day(as_of)))
    wd = wd.join(works.select("work_id", "creator_id"), "work_id")
    q = wd.group_by("creator_id").aggregate(
        impressions_90d=(wd.organic_impressions + wd.boosted_impressions).sum(),
        plays_90d=wd.plays.sum(),
        completed=wd.completed_plays.sum(),
        engaged=(wd.likes + wd.comments + wd.shares).sum(),
        follows=wd.follows_gained.sum(),
    )
    f = followers_as_of(tables["creator_daily"], as_of)
    t = creators.left_join(f, "creator_id").left_join(activity, "creator_id").left_join(q, "creator_id")
    badges = badge_features(tables, as_of)
    for b in badges:
        t = t.left_join(b, "creator_id")
    t = t.left_join(levels_as_of(tables, creators, as_of), "creator_id")
    counts = ("followers", "works_30d", "works_90d", "active_months_12", "impressions_90d", "plays_90d",
              "completed", "engaged", "follows")  # fmt: skip
    flagged = _flagged_90d(tables, as_of, zone)
    if flagged is not None:
        t = t.left_join(flagged, "creator_id")
        counts = (*counts, "flagged_90d")
    zero = {c: t[c].coalesce(0) for c in counts}
    tenure = (day(as_of).epoch_days() - t.joined_on.epoch_days()).cast("int64")
    return t.select(
        "creator_id",
        "joined_on",
        followers=zero["followers"].cast("int64"),
        tier=tier_expr(zero["followers"]),
        tenure_days=tenure,
        is_new=tenure <= NEW_DAYS,
        works_30d=zero["works_30d"].cast("int64"),
        works_90d=zero["works_90d"].cast("int64"),
        active_months_12=zero["active_months_12"].cast("int64"),
        impressions_90d=zero["impressions_90d"].cast("int64"),
        plays_90d=zero["plays_90d"].cast("int64"),
        completion_rate=ratio(zero["completed"], zero["plays_90d"]),
        engagement_rate=ratio(zero["engaged"], zero["plays_90d"]),
        follow_rate=ratio(zero["follows"], zero["impressions_90d"], 1000.0),
        health=_health(zero),
        mcn_id="mcn_id",
        is_mcn=t.mcn_id.notnull(),
        is_ecommerce="is_ecommerce",
        is_local_life="is_local_life",
        region="region",
        category="category",
        trusted_merchant=t.trusted_merchant.coalesce(False) if badges else ibis.literal(False),
        price_badge_share=t.price_badge_share.coalesce(0.0) if badges else ibis.literal(0.0, type="float64"),
        level="level",
        level_rank="level_rank",
        traffic_coupon="traffic_coupon",
        task_center="task_center",
        ad_share_access="ad_share_access",
        fee_discount_bps="fee_discount_bps",
    )


def _flagged_90d(tables: dict[str, ibis.Table], as_of: date, zone: ZoneInfo) -> ibis.Table | None:
    """creator_id, flagged_90d: works of the last HEALTH_DAYS days that ``work_originality`` flags (None
    without the table: no originality scan has run)."""
    if WORK_ORIGINALITY.name not in tables:
        return None
    works, o = tables["works"], tables[WORK_ORIGINALITY.name]
    recent = works.filter(ts_in(works.published_at, as_of - timedelta(days=HEALTH_DAYS - 1), as_of, zone))
    hit = recent.filter(recent.work_id.isin(o.filter(o.flagged).work_id))
    return hit.group_by("creator_id").aggregate(flagged_90d=hit.count())


def _health(zero: dict) -> ibis.Value:
    """1 - flagged_90d / works_90d; 1.0 without works (or without an originality scan)."""
    if "flagged_90d" not in zero:
        return ibis.literal(1.0, type="float64")
    works, flagged = zero["works_90d"], zero["flagged_90d"]
    return ibis.ifelse(works > 0, 1.0 - flagged.cast("float64") / works.cast("float64"), 1.0).cast("float64")
