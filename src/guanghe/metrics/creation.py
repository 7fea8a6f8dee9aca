"""Creation metrics: works, active creators, active 10k-follower creators, 12-month streaks."""

from __future__ import annotations

from datetime import date

import ibis

from guanghe.data.tiers import TEN_K
from guanghe.metrics.catalog import Metric, Source, Tables, each_period, register
from guanghe.metrics.followers import in_days, ts
from guanghe.metrics.panel import PANEL
from guanghe.metrics.period import Period, add_months


def streak_window(p: Period) -> tuple[date, date]:
    """The 12 calendar months ending with the month that contains the period's end, cut at the period's end:
    from the first day of month M-11 through ``p.end`` (works published after the period do not count)."""
    y, m = add_months(p.end.year, p.end.month, -11)
    return date(y, m, 1), p.end


def _months(tables: Tables, p: Period) -> ibis.Table:
    """(creator_id, month index 0..11) of each work published in the period's streak window."""
    first, last = streak_window(p)
    w = tables["works"]
    w = w.filter(in_days(w.published_at, Period(first, last, zone=p.zone)))
    # Month index 0..11 of the platform month of published_at, relative to the window's first month: compared
    # with the UTC instants the platform months start (exact in any zone, the same on every engine).
    starts = {k: ts(date(*add_months(first.year, first.month, k), 1), p.zone) for k in range(11, 0, -1)}
    return w.select(
        "creator_id", month=ibis.cases(*[(w.published_at >= at, k) for k, at in starts.items()], else_=0)
    )


def _months_posted(tables: Tables, periods: list[Period]) -> ibis.Table:
    m = each_period(_months)(tables, periods)
    return m.group_by("period", "creator_id").aggregate(months=m.month.nunique())


STREAK = Source(
    "streak", "Per creator: distinct months with a work in the 12-month streak window.", _months_posted
)

register(
    Metric(
        "works_published", "作品发布数",
        "Works whose publication day (platform time zone) falls in the period.",
        "count", "count(works where date(published_at) in P)",
        PANEL, lambda t: t.works.sum(),
    ),
    Metric(
        "active_creators", "活跃发文作者数",
        "Distinct creators with at least one work published in the period.",
        "count", "count(distinct works.creator_id where date(published_at) in P)",
        PANEL, lambda t: (t.works > 0).sum(),
    ),
    Metric(
        "active_creators_10k", "活跃万粉作者数",
        "Active creators (a work in the period) whose follower count at the end of the period is at least "
        f"{TEN_K:,}. Followers on a day = followers of the creator's latest creator_daily row on or before "
        "that day (0 with no row).",
        "count", f"count(active creators with followers_at(end of P) >= {TEN_K})",
        PANEL, lambda t: ((t.works > 0) & (t.followers_end >= TEN_K)).sum(),
    ),
    Metric(
        "creators_12_months", "连续12个月创作作者数",
        "Creators with at least one work in each of the 12 calendar months ending with the month that "
        "contains the period's end, counting only works published up to the period's end.",
        "count", "count(creators with a work in all 12 months M-11..M up to end of P, M = month of end of P)",
        STREAK, lambda t: (t.months == 12).sum(),
    ),
)  # fmt: skip

__all__ = ["STREAK", "streak_window"]
