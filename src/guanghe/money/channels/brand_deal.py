"""磁力聚星 brand deals (商单), earned on the completion day.

Per completed order: the price brand -> creator (501) and the marketplace's service fee = floor(price x fee_bps
/ 10^4) creator -> platform (502), linked. Members of a fee-discount program in the completion day's month pay
the lowest fee among their programs (the fee line names that program).
"""

from __future__ import annotations

import numpy as np

from guanghe.money.channels.base import Context, Read
from guanghe.money.chart import Kind, channel_index
from guanghe.money.days import local_days
from guanghe.money.inputs import read
from guanghe.money.legs import Chunk, Legs, Side
from guanghe.money.rules import fen_bps

CH, SRC = "brand_deal", "brand_orders"


def brand_deal(ctx: Context, legs: Legs) -> Read:
    rule, out = ctx.rules.brand_deal, Read(CH)
    rows = read(ctx.wh, SRC, ["order_id", "brand_id", "creator_id", "price_fen", "completed_at"],
                lambda t: t.completed_at < ctx.end_utc)  # fmt: skip
    out.events = rows.num_rows
    if not rows.num_rows:
        return out
    key, creator = rows.column("order_id").to_numpy(), rows.column("creator_id").to_numpy()
    price = rows.column("price_fen").to_numpy()
    day = local_days(rows.column("completed_at"), ctx.zone)
    pair, everyone = np.arange(len(key), dtype=np.int64), np.ones(len(key), bool)
    cr = Side(Kind.CREATOR_PAYABLE, creator)
    legs.add(Chunk(CH, 501, SRC, "", key, day, creator, Side(Kind.BRAND, rows.column("brand_id").to_numpy()), cr,
                   price, chain=pair, tag="pair", order=0, lane=1).take(everyone))  # fmt: skip
    fee_bps = np.full(len(key), rule.fee_bps, np.int64)
    program = np.full(len(key), -1, np.int64)
    for i, d in enumerate(rule.fee_discount):
        lower = ctx.membership.member(d.program, creator, day) & (d.fee_bps < fee_bps)
        fee_bps[lower], program[lower] = d.fee_bps, i
    fee = fen_bps(price, fee_bps)
    platform = Side(Kind.PLATFORM_REVENUE, 0, channel_index(CH))
    for i, name in [(-1, ""), *enumerate(d.program for d in rule.fee_discount)]:
        legs.add(Chunk(CH, 502, SRC, "", key, day, creator, cr, platform, fee, program=name, chain=pair,
                       tag="pair", order=1, lane=1).take(program == i))  # fmt: skip
    return out
