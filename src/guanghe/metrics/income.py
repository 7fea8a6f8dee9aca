"""Income metrics: totals, per channel, earners, multi-channel earners, first-time earners per channel."""

from __future__ import annotations

from collections.abc import Sequence

import ibis

from guanghe.data.schema import CHANNELS
from guanghe.metrics.catalog import Metric, Source, Tables, each_period, period_index, register, union_all
from guanghe.metrics.followers import in_days, ts
from guanghe.metrics.period import Period

# Chinese names of the channels, for labels.
CHANNEL_LABELS = {
    "ad_share": "磁力万合", "brand_deal": "商单", "affiliate": "商品分销", "task": "任务中心",
    "local_life": "本地生活", "incentive": "激励",
}  # fmt: skip


def _income(tables: Tables, p: Period) -> ibis.Table:
    i = tables["income"]
    return i.filter(in_days(i.occurred_at, p)).select("creator_id", "channel", "amount_fen")


def _paid(tables: Tables, periods: Sequence[Period]) -> ibis.Table:
    """Income rows with amount_fen > 0 of every period: period, creator_id, channel."""
    i = tables["income"]
    paid = i.filter(i.amount_fen > 0)
    return union_all(
        [
            paid.filter(in_days(paid.occurred_at, p)).select("creator_id", "channel", period=period_index(k))
            for k, p in enumerate(periods)
        ]
    )


def _earner_channels(tables: Tables, periods: Sequence[Period]) -> ibis.Table:
    """Distinct (period, creator, channel) with amount_fen > 0 in the period; new = the creator's first-ever
    income (amount_fen > 0) is in the period. The first-ever income is the creator's earliest paid row: one
    aggregation for every period (a creator paid in P has a row in P, so no earlier-than-P row is missed)."""
    i = tables["income"]
    paid = i.filter(i.amount_fen > 0)
    in_p = _paid(tables, periods).distinct()
    first = (
        paid.semi_join(in_p, "creator_id").group_by("creator_id").aggregate(first_at=paid.occurred_at.min())
    )
    starts = ibis.cases(*[(in_p.period == k, ts(p.start, p.zone)) for k, p in enumerate(periods)])
    in_p = in_p.mutate(since=starts)
    j = in_p.join(first, "creator_id")
    return j.select("period", "creator_id", "channel", new=j.first_at >= j.since)


def _earners(tables: Tables, periods: Sequence[Period]) -> ibis.Table:
    i = _paid(tables, periods)
    return i.group_by("period", "creator_id").aggregate(channels=i.channel.nunique())


INCOME = Source(
    "income", "Income rows of the period (creator_id, channel, amount_fen).", each_period(_income)
)
EARNERS = Source("earners", "Per creator with income in the period: distinct paying channels.", _earners)
EARNER_CHANNELS = Source(
    "earner_channels", "Distinct (creator, channel) paid in the period; new = first-ever income in it.",
    _earner_channels,
)  # fmt: skip


def _channel_sum(channel: str):
    return lambda t: t.amount_fen.sum(where=t.channel == channel)


def _first_time_share(channel: str):
    def reduce(t: ibis.Table):
        earners = (t.channel == channel).sum()
        return (t.new & (t.channel == channel)).sum() / earners.nullif(0)

    return reduce


register(
    Metric(
        "creators_with_income", "获得收入作者数",
        "Distinct creators with at least one income row of amount_fen > 0 occurring in the period.",
        "count", "count(distinct income.creator_id where amount_fen > 0 and date(occurred_at) in P)",
        EARNERS, lambda t: t.count(),
    ),
    Metric(
        "income_total_fen", "创作者总收入",
        "Sum of amount_fen of all income rows occurring in the period, all channels.",
        "fen", "sum(income.amount_fen where date(occurred_at) in P)",
        INCOME, lambda t: t.amount_fen.sum(),
    ),
    *[
        Metric(
            f"income_{c}_fen", f"各渠道收入·{CHANNEL_LABELS[c]}",
            f"Sum of amount_fen of income rows of channel {c!r} occurring in the period.",
            "fen", f"sum(income.amount_fen where channel = '{c}' and date(occurred_at) in P)",
            INCOME, _channel_sum(c),
        )
        for c in CHANNELS
    ],
    Metric(
        "creators_multi_income", "超过2种收入来源作者数",
        "Creators with income (amount_fen > 0) in the period from more than 2 distinct channels (3 or more).",
        "count", "count(creators with count(distinct channel where amount_fen > 0, in P) > 2)",
        EARNERS, lambda t: (t.channels > 2).sum(),
    ),
    *[
        Metric(
            f"first_time_earner_share_{c}", f"首次获得收入作者占比·{CHANNEL_LABELS[c]}",
            f"Among creators with income (amount_fen > 0) in channel {c!r} in the period, the share whose "
            "first-ever income (any channel, amount_fen > 0) is in the period; None without such creators.",
            "share",
            f"count(creators paid in '{c}' in P whose min(occurred_at where amount_fen > 0) is in P) "
            f"/ count(creators paid in '{c}' in P)",
            EARNER_CHANNELS, _first_time_share(c),
        )
        for c in CHANNELS
    ],
)  # fmt: skip
