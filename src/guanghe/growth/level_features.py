"""The rolling creator features the level rules test, as one Ibis table (DuckDB or PySpark).

The programs' creator features (followers, works, completion, engagement, tenure, and ``health`` read as
``originality``) plus two of the levels' own: ``active_days_90d`` (distinct platform days with a published
work) and ``violations_90d`` (``creator_violations`` rows) over the 90 days ending as_of.
"""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import ibis

from guanghe.data.growth_schema import CREATOR_VIOLATIONS
from guanghe.programs.features import creator_features
from guanghe.programs.ibis_util import UTC_ZONE, day, local_day_number, ts_in

WINDOW = 90  # days of the rolling windows ending as_of


def level_features(tables: dict[str, ibis.Table], as_of: date, zone: ZoneInfo = UTC_ZONE) -> ibis.Table:
    """creator_id and every feature of ``LEVEL_FEATURES``, for each creator joined by ``as_of``."""
    first = as_of - timedelta(days=WINDOW - 1)
    works = tables["works"]
    w = works.filter(ts_in(works.published_at, first, as_of, zone))
    active = w.group_by("creator_id").aggregate(
        active_days_90d=local_day_number(w.published_at, first, as_of, zone).nunique()
    )
    v = tables[CREATOR_VIOLATIONS.name]
    v = v.filter((v.date >= day(first)) & (v.date <= day(as_of)))
    violations = v.group_by("creator_id").aggregate(violations_90d=v.count())
    f = creator_features(tables, as_of, zone)
    t = f.left_join(active, "creator_id").left_join(violations, "creator_id")
    return t.select(
        "creator_id",
        active_days_90d=t.active_days_90d.coalesce(0).cast("int64"),
        works_30d="works_30d",
        works_90d="works_90d",
        followers="followers",
        completion_rate="completion_rate",
        engagement_rate="engagement_rate",
        originality="health",
        violations_90d=t.violations_90d.coalesce(0).cast("int64"),
        tenure_days="tenure_days",
    )
