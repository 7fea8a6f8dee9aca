"""The creator panel: one row per creator and period with works, support and followers,
shared by the creation and support metrics so a catalog run scans works and creator_daily once for all its
periods (value, prior year, previous period)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import ibis

from guanghe.metrics.catalog import Source, Tables
from guanghe.metrics.followers import follower_counts, in_dates, in_days
from guanghe.metrics.period import Period


def _panel(tables: Tables, periods: Sequence[Period]) -> ibis.Table:
    """period, creator_id, works (published in P), supported (boosted impressions > 0 in P), followers_before
    (day before P), followers_end (end of P); one row per row of ``creators`` and period. One pass over works
    per creator, one over boosted works, one over creator_daily, whatever the number of periods."""
    w = tables["works"]
    per_creator = w.group_by("creator_id").aggregate(
        **{f"works_{i}": in_days(w.published_at, p).cast("int64").sum() for i, p in enumerate(periods)},
    )
    b = tables["work_boost"]
    b = b.filter(b.impressions > 0)
    in_any = in_dates(b.date, periods[0])
    for p in periods[1:]:
        in_any = in_any | in_dates(b.date, p)
    b = b.filter(in_any)
    boosted = b.group_by("work_id").aggregate(
        **{f"supported_{i}": in_dates(b.date, p).any() for i, p in enumerate(periods)}
    )
    bw = w.select("work_id", "creator_id").join(boosted, "work_id")
    supported = bw.group_by("creator_id").aggregate(
        **{f"supported_{i}": bw[f"supported_{i}"].any() for i in range(len(periods))}
    )
    days = {}
    for i, p in enumerate(periods):
        days[f"followers_before_{i}"] = p.start - timedelta(days=1)
        days[f"followers_end_{i}"] = p.end
    followers = follower_counts(tables["creator_daily"], days)
    j = tables["creators"].select("creator_id").left_join(per_creator, "creator_id")
    j = j.select("creator_id", *per_creator.columns[1:])
    j = j.left_join(supported, "creator_id")
    j = j.select("creator_id", *per_creator.columns[1:], *supported.columns[1:])
    j = j.left_join(followers, "creator_id")
    wide = j.select("creator_id", *per_creator.columns[1:], *supported.columns[1:], *followers.columns[1:])
    # Unpivot to a row per creator and period in one projection (an array of the period indices, exploded):
    # a union of one projection per period would let each branch prune the other periods' columns, so an
    # engine could not share the scans and aggregations below between them (Spark ran them once per period).
    n = len(periods)
    long = wide.mutate(period=ibis.literal(list(range(n)), type="array<int16>").unnest())

    def pick(name: str) -> ibis.Column:
        return ibis.cases(*[(long.period == i, long[f"{name}_{i}"]) for i in range(n)])

    return long.select(
        "period",
        "creator_id",
        works=pick("works").coalesce(0),
        supported=pick("supported").coalesce(False),
        followers_before=pick("followers_before").coalesce(0),
        followers_end=pick("followers_end").coalesce(0),
    )


PANEL = Source(
    "panel",
    "Per creator and period: works in the period, supported in the period, followers the day before and at the "
    "end.",
    _panel,
)
