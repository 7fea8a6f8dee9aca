"""Support-traffic (流量扶持) metrics: boosted impressions, supported creators, their follower gain."""

from __future__ import annotations

import ibis

from guanghe.metrics.catalog import Metric, Source, Tables, each_period, register
from guanghe.metrics.followers import in_dates
from guanghe.metrics.panel import PANEL
from guanghe.metrics.period import Period


def _boost(tables: Tables, p: Period) -> ibis.Table:
    b = tables["work_boost"]
    return b.filter(in_dates(b.date, p)).select("work_id", "impressions")


BOOST = Source("boost", "work_boost rows of the period (work_id, impressions).", each_period(_boost))

register(
    Metric(
        "support_impressions", "流量扶持",
        "Boosted (support-traffic) impressions delivered in the period, all programs: sum of "
        "work_boost.impressions with date in the period.",
        "count", "sum(work_boost.impressions where date in P)",
        BOOST, lambda t: t.impressions.sum(),
    ),
    Metric(
        "creators_supported", "获扶持作者数",
        "Distinct creators (authors of the boosted works) with boosted impressions > 0 in the period.",
        "count", "count(distinct works.creator_id of work_boost rows with impressions > 0, date in P)",
        PANEL, lambda t: t.supported.sum(),
    ),
    Metric(
        "supported_follower_gain", "获扶持作者涨粉",
        "Over creators supported in the period: sum of followers at the end of the period minus followers on "
        "the day before the period starts (may be negative).",
        "count", "sum over supported creators of followers_at(end of P) - followers_at(start of P - 1 day)",
        PANEL, lambda t: (t.followers_end - t.followers_before).sum(where=t.supported),
    ),
)  # fmt: skip
