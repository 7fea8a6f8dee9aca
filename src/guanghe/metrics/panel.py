"""The creator panel of a period: one row per creator with works, support and followers, shared by the
creation and support metrics so a catalog run scans works and creator_daily once per period."""

from __future__ import annotations

import ibis

from guanghe.metrics.catalog import Source, Tables
from guanghe.metrics.followers import in_dates, in_days, period_followers
from guanghe.metrics.period import Period


def _panel(tables: Tables, p: Period) -> ibis.Table:
    """creator_id, works (published in P), supported (boosted impressions > 0 in P), followers_before (day
    before P), followers_end (end of P); one row per row of ``creators``."""
    w = tables["works"]
    wp = w.filter(in_days(w.published_at, p))
    works = wp.group_by("creator_id").aggregate(works=wp.count())
    b = tables["work_boost"]
    boosted = b.filter(in_dates(b.date, p) & (b.impressions > 0)).select("work_id").distinct()
    supported = w.semi_join(boosted, "work_id").select("creator_id").distinct().mutate(supported=True)
    base = tables["creators"].select("creator_id")
    j = base.left_join(works, "creator_id")
    j = j.select("creator_id", works=j.works.coalesce(0))
    k = j.left_join(supported, "creator_id")
    k = k.select("creator_id", "works", supported=k.supported.coalesce(False))
    return period_followers(tables["creator_daily"], k, p)


PANEL = Source(
    "panel",
    "Per creator: works in the period, supported in the period, followers the day before and at the end.",
    _panel,
)
