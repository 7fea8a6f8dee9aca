"""Creation metrics: works, active creators, active 10k-follower creators, 12-month streaks."""

from __future__ import annotations

from guanghe.data.tiers import TEN_K
from guanghe.metrics.catalog import Metric, register
from guanghe.metrics.panel import PANEL, streak_window

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
        PANEL, lambda t: (t.months == 12).sum(),
    ),
)  # fmt: skip

__all__ = ["streak_window"]
