"""商品分销 affiliate commissions: held from the paid day, posted when the return window closes.

Per order (business days in the platform's zone; close = delivery day + return_window_days):
- paid day: hold commission = floor(amount x commission_bps / 10^4) merchant -> creator (201, pending); for
  members of a bonus program (in the paid day's month) on the listed touchpoints, hold bonus = floor(amount x
  bps / 10^4) from the program's budget (203), funded that day (402, linked before the day's bonus holds);
- a full refund on or before the close (or before delivery): every hold VOIDED on the refund day;
- close (delivered orders only; undelivered ones stay held): POST each hold for its amount on what was not
  refunded by then (a refund on the close day counts), or VOID it when that comes to 0; the platform's take
  on the posted commission = floor(kept commission x take_bps / 10^4) creator -> platform (202), linked after
  the post (a take is charged on money the creator has, never held ahead of it);
- a refund after the close (on its day): clawback of the commission on the refunded part = floor(refund x
  commission_bps / 10^4) (204), the take on that clawback returned = floor(clawback x take_bps / 10^4) (205),
  the bonus on the refunded part returned to the budget (206).
"""

from __future__ import annotations

import numpy as np

from guanghe.money.channels.base import Context, Read, funding
from guanghe.money.chart import Kind, channel_index, program_code
from guanghe.money.days import NEVER, local_days
from guanghe.money.inputs import read
from guanghe.money.legs import CORRECT, PENDING, POST, RESOLVE, VOID, Chunk, Legs, Side
from guanghe.money.rules import fen_bps

CH, SRC = "affiliate", "ecommerce_orders"
COLS = ["order_id", "creator_id", "merchant_id", "touchpoint", "paid_at", "amount_fen", "commission_bps",
        "delivered_at", "refunded_at", "refund_fen"]  # fmt: skip


def affiliate(ctx: Context, legs: Legs) -> Read:
    rule, out = ctx.rules.affiliate, Read(CH)
    rows = read(ctx.wh, SRC, COLS, lambda t: t.paid_at < ctx.end_utc)
    out.events = rows.num_rows
    if not rows.num_rows:
        return out
    col = {c: rows.column(c).to_numpy() for c in ("order_id", "creator_id", "merchant_id", "amount_fen",
                                                   "commission_bps", "refund_fen")}  # fmt: skip
    key, creator, merchant, amount = col["order_id"], col["creator_id"], col["merchant_id"], col["amount_fen"]
    bps, refund, last = col["commission_bps"], col["refund_fen"], ctx.last
    paid = local_days(rows.column("paid_at"), ctx.zone)
    delivered = local_days(rows.column("delivered_at"), ctx.zone)
    refunded = local_days(rows.column("refunded_at"), ctx.zone)
    close = np.where(delivered == NEVER, NEVER, delivered.astype(np.int64) + rule.return_window_days)
    close = np.minimum(close, NEVER).astype(np.int32)
    has_refund = (refunded != NEVER) & (refund > 0)
    before = has_refund & (refunded <= close)  # netted at the close (before delivery: the close is NEVER)
    full = before & (refund >= amount)
    after = has_refund & ~before
    kept = amount - np.where(before, refund, 0)
    take = rule.platform_take_bps
    pair = np.arange(len(key), dtype=np.int64)
    void_now = full & (refunded <= last)
    closing = ~full & (close <= last)
    claw = after & (refunded <= last)

    def chunk(code, step, day, debit, credit, amount, flags, phase, program, tag, chain, order) -> Chunk:
        # an order's steps have ids without a day: (code, order, step) is unique
        lane = 0 if tag.startswith("fund") else 1  # an order's holds, post or void, clawback together
        return Chunk(CH, code, SRC, step, key, day, creator, debit, credit, amount, flags, phase, program,
                     None, chain, tag, order, lane)  # fmt: skip

    def lifecycle(code, debit, credit, whole, on_kept, back, program="", tag="pair", chain=pair, order=0):
        """Hold on the paid day, void or post it, claw back after the close (codes code, +3)."""
        everyone = np.ones(len(key), bool)
        legs.add(chunk(code, "hold", paid, debit, credit, whole, PENDING, 0, program, tag, chain, order)
                 .take(everyone))  # fmt: skip
        for step, day, amt, flags, when in (("void", refunded, whole, VOID, void_now),
                                           ("post", close, on_kept, POST, closing),
                                           ("void", close, whole, VOID, closing & (on_kept == 0))):  # fmt: skip
            legs.add(chunk(code, step, day, debit, credit, amt, flags, RESOLVE, program, "end", pair, order)
                     .take(when))  # fmt: skip
        legs.add(chunk(claw_code[code], "", refunded, credit, debit, back, 0, CORRECT, program, "back",
                       pair, order).take(claw))  # fmt: skip

    claw_code = {201: 204, 202: 205, 203: 206}
    cr, mer = Side(Kind.CREATOR_PAYABLE, creator), Side(Kind.MERCHANT, merchant)
    platform = Side(Kind.PLATFORM_REVENUE, 0, channel_index(CH))
    commission, commission_kept, commission_back = (
        fen_bps(amount, bps),
        fen_bps(kept, bps),
        fen_bps(refund, bps),
    )
    lifecycle(201, mer, cr, commission, commission_kept, commission_back)
    # the platform's take is charged when the commission posts (linked after its post), returned on a clawback
    legs.add(chunk(202, "", close, cr, platform, fen_bps(commission_kept, take), 0, RESOLVE, "", "end", pair, 1)
             .take(closing))  # fmt: skip
    legs.add(chunk(205, "", refunded, platform, cr, fen_bps(commission_back, take), 0, CORRECT, "", "back", pair,
                   1).take(claw))  # fmt: skip
    touch = np.array(rows.column("touchpoint").to_pylist(), dtype=object)
    for b in rule.bonus:
        member = ctx.membership.member(b.program, creator, paid) & np.isin(touch, list(b.touchpoints))
        whole = np.where(member, fen_bps(amount, b.bps), 0)
        budget = Side(Kind.PROGRAM_BUDGET, program_code(b.program))
        legs.add(funding(CH, b.program, paid, whole, tag=f"fund:{b.program}"))
        lifecycle(203, budget, cr, whole, np.where(member, fen_bps(kept, b.bps), 0),
                  np.where(member, fen_bps(refund, b.bps), 0), b.program, f"fund:{b.program}",
                  paid.astype(np.int64), order=1)  # fmt: skip
    return out
