"""Small Ibis helpers for features (kept here: programs/ does not import metrics/).

Every expression is plain Ibis, so it runs on DuckDB and PySpark alike.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import ibis
import ibis.expr.types as ir

from guanghe.data.tiers import TIERS

# Pack (day, followers) in one integer so "followers of the latest row on or before d" is a plain max().
_SHIFT = 2**40
_DAY_OFFSET = 2**20


def day(d: date) -> ir.DateScalar:
    return ibis.literal(d, type="date")


def midnight(d: date) -> ir.TimestampScalar:
    return ibis.literal(datetime.combine(d, time()), type="timestamp")


def ts_in(col: ir.TimestampColumn, first: date, last: date) -> ir.BooleanColumn:
    """``date(col)`` in [first, last], as a range on the raw timestamp."""
    return (col >= midnight(first)) & (col < midnight(last + timedelta(days=1)))


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


def month_index(col: ir.TimestampColumn) -> ir.IntegerColumn:
    return col.year().cast("int64") * 12 + col.month().cast("int64") - 1


def ratio(num: ir.NumericColumn, den: ir.NumericColumn, scale: float = 1.0) -> ir.FloatingColumn:
    """num / den x scale as float64, 0.0 when den is 0."""
    return ibis.ifelse(den > 0, num.cast("float64") * scale / den.cast("float64"), 0.0)
