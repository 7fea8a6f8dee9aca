"""Shared Ibis building blocks: period filters and follower counts on a day.

Timestamps (works.published_at, income.occurred_at) are stored in UTC; a period's days are days of the
platform's time zone (``Period.zone``). A platform day is the half-open UTC range between two local midnights,
computed in Python (exact across DST changes) and compared as plain timestamp literals, so every engine gives
the same answer. Date columns (work_boost.date, creator_daily.date) are already platform days.

creator_daily is sparse (a row only on a day the count changed), so a creator's followers on day ``d`` are
the ``followers`` of its latest row dated ``<= d``, and 0 when it has no such row.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import ibis
import ibis.expr.types as ir

from guanghe.config.clock import day_bounds
from guanghe.metrics.period import UTC_ZONE, Period


def day_start(d: date, zone: ZoneInfo = UTC_ZONE) -> datetime:
    """The instant platform day ``d`` of ``zone`` starts, as a naive UTC datetime (as timestamps are stored).

    >>> from zoneinfo import ZoneInfo
    >>> day_start(date(2023, 7, 1), ZoneInfo("Asia/Shanghai"))
    datetime.datetime(2023, 6, 30, 16, 0)
    """
    return datetime.fromtimestamp(day_bounds(d, zone)[0], UTC).replace(tzinfo=None)


def ts(d: date, zone: ZoneInfo = UTC_ZONE) -> ir.TimestampScalar:
    """The start of platform day ``d`` (UTC midnight by default) as a timestamp literal."""
    return ibis.literal(day_start(d, zone), type="timestamp")


def in_days(col: ir.TimestampColumn, period: Period) -> ir.BooleanColumn:
    """The platform day of ``col`` (in ``period.zone``) is in the period, as a range on the raw UTC timestamp
    (so engines can prune)."""
    return (col >= ts(period.start, period.zone)) & (col < ts(period.end + timedelta(days=1), period.zone))


def in_dates(col: ir.DateColumn, period: Period) -> ir.BooleanColumn:
    return (col >= ibis.literal(period.start, type="date")) & (col <= ibis.literal(period.end, type="date"))


# Pack (day, followers) into one integer so "followers of the latest row up to d" is a plain max():
# key = (epoch_days + DAY_OFFSET) * 2**40 + followers, followers < 2**40 (1.1e12), keys < 2**62.
_SHIFT = 2**40
_DAY_OFFSET = 2**20  # keeps keys positive for dates back to ~1100 AD


def follower_counts(creator_daily: ibis.Table, days: dict[str, date]) -> ibis.Table:
    """Per creator with any creator_daily row: one column per entry of ``days``, its followers on that day
    (null when its first row is later). One aggregation pass, no join, the same on every engine."""
    last = ibis.literal(max(days.values()), type="date")
    cd = creator_daily.filter(creator_daily.date <= last)
    key = (cd.date.epoch_days().cast("int64") + _DAY_OFFSET) * _SHIFT + cd.followers
    at = cd.group_by("creator_id").aggregate(
        **{name: key.max(where=cd.date <= ibis.literal(d, type="date")) for name, d in days.items()}
    )
    return at.select("creator_id", **{name: at[name] % _SHIFT for name in days})


def followers_on(creator_daily: ibis.Table, creators: ibis.Table, days: dict[str, date]) -> ibis.Table:
    """``creators`` (a table with ``creator_id``) plus a column per entry of ``days``: followers that day."""
    counts = follower_counts(creator_daily, days)
    joined = creators.left_join(counts, "creator_id")
    return joined.select(*creators.columns, **{name: joined[name].coalesce(0) for name in days})
