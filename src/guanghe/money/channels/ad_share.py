"""磁力万合 ad share: per work-day, the creator's share of the gross ad revenue by its tier at the start of the
month, plus extra points for program members; the rest is the platform's.

For each ``ad_revenue`` row dated on or before ``through`` (the ad day is the business day):
share = floor(gross x share_bps[tier] / 10^4) AD_POOL -> creator (code 101); bonus = floor(gross x extra_bps /
10^4) AD_POOL -> creator (103, per program); the platform's part, gross - share - bonuses, summed per day:
AD_POOL -> PLATFORM_REVENUE[ad_share] (102), first in a linked chain with that day's shares and bonuses.

Originality: a work that ``work_originality`` flags as a re-upload earns its uploader nothing; its share (and
bonuses) go to the original creator, at that creator's tier and memberships (docs/growth.md).

Levels: a creator whose growth level on the ad day does not open the ad share (``money.levels``) earns no share
and no bonus for that day: the whole gross is the platform's. Before any levels run every creator is open.
"""

from __future__ import annotations

import numpy as np

from guanghe.data.growth_schema import WORK_ORIGINALITY
from guanghe.money.channels.base import Context, Read, sums_by
from guanghe.money.chart import Kind, channel_index
from guanghe.money.days import dates_to_days, month_of
from guanghe.money.legs import Chunk, Legs, Side
from guanghe.money.rules import fen_bps

CH, SRC = "ad_share", "ad_revenue"


def ad_share(ctx: Context, legs: Legs) -> Read:
    rule, read = ctx.rules.ad_share, Read(CH)
    ad, works = ctx.wh.table(SRC), ctx.wh.table("works")
    ad = ad.filter((ad.date <= ctx.through) & (ad.gross_fen > 0))
    rows = (ad.left_join(works, ad.work_id == works.work_id)
            .select(ad.work_id, ad.date, ad.gross_fen, works.creator_id)
            .order_by(["date", "work_id"]).to_pyarrow())  # fmt: skip
    read.events = rows.num_rows
    known = rows.column("creator_id").is_valid().to_numpy(zero_copy_only=False)
    if not known.all():
        read.skip(SRC, rows.column("work_id").to_numpy()[~known], "the work is not in `works`")
        rows = rows.filter(known)
    if not rows.num_rows:
        return read
    work, gross = rows.column("work_id").to_numpy(), rows.column("gross_fen").to_numpy()
    creator, day = (
        credited(ctx, work, rows.column("creator_id").to_numpy()),
        dates_to_days(rows.column("date")),
    )
    tier = ctx.tiers.tier_at(creator, month_of(day))
    bps = np.zeros(len(gross), np.int64)
    for name, share in rule.share_bps.items():
        bps[tier == name] = share
    open_ = ctx.levels.at(creator, day).ad_share
    bps[~open_] = 0
    share = fen_bps(gross, bps)
    platform = gross - share
    chain, everyone = day.astype(np.int64), np.ones(len(gross), bool)

    def to_creator(code: int, amount: np.ndarray, program: str = "", order: int = 1) -> Chunk:
        return Chunk(CH, code, SRC, "", work, day, creator, Side(Kind.AD_POOL), Side(Kind.CREATOR_PAYABLE, creator),
                     amount, program=program, id_day=day, chain=chain, tag="day", order=order)  # fmt: skip

    legs.add(to_creator(101, share).take(everyone))
    for i, b in enumerate(rule.bonus):
        extra = np.where(open_ & ctx.membership.member(b.program, creator, day), fen_bps(gross, b.bps), 0)
        platform -= extra
        legs.add(to_creator(103, extra, b.program, order=2 + i).take(everyone))
    days, total = sums_by(day, platform)
    n, on = len(days), days.astype(np.int32)
    revenue = Side(Kind.PLATFORM_REVENUE, 0, channel_index(CH))
    agg = Chunk(CH, 102, SRC, "", np.zeros(n, np.int64), on, np.zeros(n, np.int64), Side(Kind.AD_POOL), revenue,
                total, id_day=on, chain=days.astype(np.int64), tag="day", order=0)  # fmt: skip
    legs.add(agg.take(np.ones(n, bool)))
    return read


def credited(ctx: Context, work: np.ndarray, creator: np.ndarray) -> np.ndarray:
    """The creator each work's ad share goes to: the original creator where the work is a flagged re-upload."""
    if not ctx.wh.has(WORK_ORIGINALITY):
        return creator
    o = ctx.wh.table(WORK_ORIGINALITY)
    flags = ctx.wh.fetch(o.filter(o.flagged).select("work_id", "original_creator_id").order_by("work_id"))
    if not flags.num_rows:
        return creator
    ids, to = flags.column("work_id").to_numpy(), flags.column("original_creator_id").to_numpy()
    at = np.minimum(np.searchsorted(ids, work), len(ids) - 1)
    return np.where(ids[at] == work, to[at], creator)
