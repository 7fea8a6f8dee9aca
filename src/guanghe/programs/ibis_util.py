"""Small Ibis helpers for features (kept here: programs/ does not import metrics/).

Every expression is plain Ibis, so it runs on DuckDB and PySpark alike.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import ibis
import ibis.expr.types as ir

from guanghe.data.tiers import TIERS

# Pack (day, followers) in one integer so "followers of the latest row on or before d" is a plain max().
_SHIFT = 2**40
_DAY_OFFSET = 2**20


def day(d: date) -> ir.DateScalar:
    return ibis.literal(d, type="date")


UTC_ZONE = ZoneInfo("UTC")


def midnight(d: date, zone: ZoneInfo = UTC_ZONE) -> ir.TimestampScalar:
    """The instant a platform day starts (in ``zone``), as the naive UTC timestamps are stored."""
    start = datetime.combine(d, time(), zone).astimezone(UTC).replace(tzinfo=None)
    return ibis.literal(start, type="timestamp")


def ts_in(col: ir.TimestampColumn, first: date, last: date, zone: ZoneInfo = UTC_ZONE) -> ir.BooleanColumn:
    """The platform day (in ``zone``) of ``col`` is in [first, last], as a range on the raw UTC timestamp."""
    return (col >= midnight(first, zone)) & (col < midnight(last + timedelta(days=1), zone))


def local_day_number(
    col: ir.TimestampColumn, first: date, last: date, zone: ZoneInfo = UTC_ZONE
) -> ir.IntegerColumn:
    """Days since 1970-01-01 of the platform day (in ``zone``) of timestamps that fall in [first, last]: one CASE
    on the days' first instants (exact across daylight-saving changes, the same on every engine)."""
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    epoch = date(1970, 1, 1)
    return ibis.cases(
        *((col >= midnight(d, zone), (d - epoch).days) for d in reversed(days)),
        else_=(first - epoch).days - 1,
    ).cast("int64")


def followers_as_of(creator_daily: ibis.Table, as_of: date) -> ibis.Table:
    """creator_id, followers of each creator's latest creator_daily row dated <= as_of (none: absent)."""
    cd = creator_daily.filter(creator_daily.date <= day(as_of))
    key = (cd.date.epoch_days().cast("int64") + _DAY_OFFSET) * _SHIFT + cd.followers
    at = cd.group_by("creator_id").aggregate(key=key.max())
    return at.select("creator_id", followers=at.key % _SHIFT)


def tier_expr(followers: ir.IntegerColumn) -> ir.StringColumn:
    """The tier name (data/tiers.py) of a follower count."""
    *upper, (last, _) = TIERS
    return ibis.cases(*((followers >= low, name) for name, low in upper), else_=last)


def month_index(
    col: ir.TimestampColumn, first: int, months: int, zone: ZoneInfo = UTC_ZONE
) -> ir.IntegerColumn:
    """year * 12 + month - 1 of the platform month (in ``zone``) holding each timestamp, for timestamps from the
    start of month index ``first`` on, over ``months`` months (one CASE on the months' first instants: exact
    across daylight-saving changes, the same on every engine)."""
    starts = [(m, midnight(date(m // 12, m % 12 + 1, 1), zone)) for m in range(first, first + months)]
    return ibis.cases(*((col >= at, m) for m, at in reversed(starts)), else_=first - 1).cast("int64")


def ratio(num: ir.NumericColumn, den: ir.NumericColumn, scale: float = 1.0) -> ir.FloatingColumn:
    """num / den x scale as float64, 0.0 when den is 0."""
    return ibis.ifelse(den > 0, num.cast("float64") * scale / den.cast("float64"), 0.0)
