"""本地生活 local-life commissions, earned on the redemption day.

Per voucher order redeemed on or before ``through`` (a refund made before the redemption — by the timestamps —
is netted): commission = floor(kept x commission_bps / 10^4) store -> creator (301) and its platform take =
floor(commission x take_bps / 10^4) creator -> platform (302), linked; for members of a bonus program
(飞鸟计划) in the month the voucher was sold (its paid day, as for affiliate orders): bonus = floor(kept x bps
/ 10^4) from the program's budget (303), funded that day (402, linked before the day's bonuses). A refund at or
after the redemption, on its day: clawback = floor(refund x commission_bps / 10^4) (304), the take on it
returned = floor(clawback x take_bps / 10^4) (305), the bonus on the refund returned to the budget (306).
Unredeemed vouchers earn nothing.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from guanghe.money.channels.base import Context, Read, funding
from guanghe.money.chart import Kind, channel_index, program_code
from guanghe.money.days import NEVER, local_days
from guanghe.money.inputs import read
from guanghe.money.legs import CORRECT, OPEN, Chunk, Legs, Side
from guanghe.money.rules import fen_bps

CH, SRC = "local_life", "local_life_orders"
COLS = ["order_id", "creator_id", "store_id", "paid_at", "amount_fen", "commission_bps", "redeemed_at",
        "refunded_at", "refund_fen"]  # fmt: skip


def local_life(ctx: Context, legs: Legs) -> Read:
    rule, out = ctx.rules.local_life, Read(CH)
    rows = read(ctx.wh, SRC, COLS, lambda t: t.paid_at < ctx.end_utc)
    out.events = rows.num_rows
    if not rows.num_rows:
        return out
    col = {c: rows.column(c).to_numpy() for c in ("order_id", "creator_id", "store_id", "amount_fen",
                                                   "commission_bps", "refund_fen")}  # fmt: skip
    key, creator, amount, bps, refund = (col[c] for c in ("order_id", "creator_id", "amount_fen", "commission_bps",
                                                           "refund_fen"))  # fmt: skip
    redeemed = local_days(rows.column("redeemed_at"), ctx.zone)
    paid = local_days(rows.column("paid_at"), ctx.zone)
    refunded = local_days(rows.column("refunded_at"), ctx.zone)
    has_refund = (refunded != NEVER) & (refund > 0)
    before = has_refund & (_us(rows.column("refunded_at")) < _us(rows.column("redeemed_at")))
    kept = amount - np.where(before, refund, 0)
    earn = redeemed <= ctx.last
    claw = earn & has_refund & ~before & (refunded <= ctx.last)
    pair = np.arange(len(key), dtype=np.int64)
    cr, store = Side(Kind.CREATOR_PAYABLE, creator), Side(Kind.STORE, col["store_id"])
    platform = Side(Kind.PLATFORM_REVENUE, 0, channel_index(CH))

    def pay(code, debit, credit, on_kept, back, program="", tag="pair", chain=pair, order=0):
        lane = 0 if tag.startswith("fund") else 1  # a voucher's earning and clawback together, after fundings
        legs.add(Chunk(CH, code, SRC, "", key, redeemed, creator, debit, credit, on_kept, 0, OPEN, program,
                       None, chain, tag, order, lane).take(earn))  # fmt: skip
        legs.add(Chunk(CH, code + 3, SRC, "", key, refunded, creator, credit, debit, back, 0, CORRECT, program,
                       None, pair, "back", order, 1).take(claw))  # fmt: skip

    take = rule.platform_take_bps
    commission, back = fen_bps(kept, bps), fen_bps(refund, bps)
    pay(301, store, cr, commission, back)
    pay(302, cr, platform, fen_bps(commission, take), fen_bps(back, take), order=1)
    for b in rule.bonus:
        member = ctx.membership.member(b.program, creator, np.where(earn, paid, 0))
        on_kept = np.where(member & earn, fen_bps(kept, b.bps), 0)
        legs.add(funding(CH, b.program, redeemed, on_kept, tag=f"fund:{b.program}"))
        pay(303, Side(Kind.PROGRAM_BUDGET, program_code(b.program)), cr, on_kept,
            np.where(member, fen_bps(refund, b.bps), 0), b.program, f"fund:{b.program}",
            redeemed.astype(np.int64), order=1)  # fmt: skip
    return out


def _us(col) -> np.ndarray:
    """Microseconds since the epoch of a timestamp column; the largest int64 where null."""
    return col.cast(pa.timestamp("us")).cast(pa.int64()).fill_null(np.iinfo(np.int64).max).to_numpy()
