"""An order's money on the ledger, with the money room's contracts (chart, codes, ids).

- fund: a PENDING transfer BRAND[brand] -> BRAND_ESCROW[brand] of the price (511, step ``hold``);
- complete: one linked chain — post the hold (511 ``post``), BRAND_ESCROW -> CREATOR_PAYABLE of the price
  (512 ``market_price``, earning) and CREATOR_PAYABLE -> PLATFORM_REVENUE[brand_deal] of the fee (513
  ``market_fee``, fee): all or nothing;
- cancel / expire: void the hold (511 ``void``): the brand's pending debit is released;
- resolve a dispute: post the hold for the creator's part only (the rest returns to the brand), then the
  part to the creator and the fee on the part, linked; a part of 0 voids the hold.

Every id derives from (order id, code, step) (``money.ids.event_transfer_id``, source ``market_orders``), so a
retried transition answers ``exists`` and never moves money twice. ``user_data`` carries the business day
(the platform day of the transition), the fee-discount program on the fee, the source and the order id.
The creator's MCN share is not split here: monthly settlement takes it from the creator's net income per
contract, like every other channel's.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import date

from guanghe.ledger import CNY, LedgerStore, Transfer, TransferFlags
from guanghe.ledger.types import APPLIED
from guanghe.money.chart import Kind, account_id, creator_payable, open_accounts, platform_revenue
from guanghe.money.codes import code
from guanghe.money.ids import event_transfer_id, user_data
from guanghe.money.rules import BrandDealRule, fen_bps

SOURCE = "market_orders"
CHANNEL = "brand_deal"
HOLD, PRICE, FEE = code("market_escrow"), code("market_price"), code("market_fee")
F = TransferFlags


@dataclass(frozen=True)
class Terms:
    """What the ledger needs of an order."""

    order_id: int
    brand_id: int
    creator_id: int
    price_fen: int
    fee_bps: int
    fee_program: str | None = None


def fee_terms(
    rule: BrandDealRule, price_fen: int, programs: Collection[str] = (), level_discount_bps: int = 0
) -> tuple[int, int, str | None]:
    """``(fee_fen, fee_bps, program)``: the brand_deal rule's fee on ``price_fen`` — the default rate, or the
    lowest ``fee_discount`` among the programs the creator belongs to (``programs``: the caller's answer,
    e.g. from ``money.inputs.Membership``), naming that program — then less the creator's growth-level discount
    (``level_discount_bps`` of that rate: ``money.levels``): fee_bps = rate - floor(rate x discount / 10^4),
    fee = floor(price x fee_bps / 10^4)."""
    if not 0 <= level_discount_bps <= 10_000:
        raise ValueError(f"level_discount_bps: expected 0..10000, got {level_discount_bps}")
    bps, program = rule.fee_bps, None
    for d in rule.fee_discount:
        if d.program in programs and d.fee_bps < bps:
            bps, program = d.fee_bps, d.program
    bps -= bps * level_discount_bps // 10_000
    return fen_bps(price_fen, bps), bps, program


def transfer_id(code_value: int, order_id: int, step: str) -> int:
    return event_transfer_id(code_value, SOURCE, order_id, None, step)


def hold_id(order_id: int) -> int:
    return transfer_id(HOLD, order_id, "hold")


def brand_account(brand_id: int) -> int:
    return account_id(Kind.BRAND, brand_id)


def escrow_account(brand_id: int) -> int:
    return account_id(Kind.BRAND_ESCROW, brand_id)


def _ud(t: Terms, day: date, program: str | None = None) -> int:
    return user_data(day, program, SOURCE, t.order_id)


def hold(t: Terms, day: date) -> list[Transfer]:
    return [Transfer(hold_id(t.order_id), brand_account(t.brand_id), escrow_account(t.brand_id), t.price_fen,
                     user_data=_ud(t, day), ledger=CNY, code=HOLD, flags=F.PENDING)]  # fmt: skip


def void(t: Terms, day: date) -> list[Transfer]:
    return [Transfer(transfer_id(HOLD, t.order_id, "void"), pending_id=hold_id(t.order_id), user_data=_ud(t, day),
                     ledger=CNY, code=HOLD, flags=F.VOID_PENDING_TRANSFER)]  # fmt: skip


def release(t: Terms, part: int, day: date) -> list[Transfer]:
    """Post ``part`` of the hold (the rest returns to the brand), pay it to the creator, charge the fee on it:
    one linked chain. ``part == price``: a completion; ``part == 0``: a void."""
    if not 0 <= part <= t.price_fen:
        raise ValueError(f"order {t.order_id}: part {part} outside 0..{t.price_fen}")
    if part == 0:
        return void(t, day)
    fee = fen_bps(part, t.fee_bps)
    chain = [
        Transfer(transfer_id(HOLD, t.order_id, "post"), pending_id=hold_id(t.order_id), amount=part,
                 user_data=_ud(t, day), ledger=CNY, code=HOLD, flags=F.POST_PENDING_TRANSFER),
        Transfer(transfer_id(PRICE, t.order_id, "post"), escrow_account(t.brand_id), creator_payable(t.creator_id),
                 part, user_data=_ud(t, day), ledger=CNY, code=PRICE),
    ]  # fmt: skip
    if fee:
        chain.append(Transfer(transfer_id(FEE, t.order_id, "post"), creator_payable(t.creator_id),
                              platform_revenue(CHANNEL), fee, user_data=_ud(t, day, t.fee_program), ledger=CNY,
                              code=FEE))  # fmt: skip
    return [replace(x, flags=x.flags | (F.LINKED if i < len(chain) - 1 else 0)) for i, x in enumerate(chain)]


def write(ledger: LedgerStore, transfers: list[Transfer]) -> list[str]:
    """Write the transfers (accounts opened first, idempotently); a refusal is ``LedgerRefused`` naming
    each transfer's answer. ``exists`` (a retry) counts as done. Returns the ids as 32 hex digits."""
    open_accounts(ledger, {a for t in transfers for a in (t.debit_account_id, t.credit_account_id) if a})
    results = ledger.create_transfers(transfers)
    bad = [f"{t.code}:{r.value}" for t, r in zip(transfers, results, strict=True) if r not in APPLIED]
    if bad:
        raise LedgerRefused(", ".join(bad))
    return [f"{t.id:032x}" for t in transfers]


class LedgerRefused(Exception):
    """The ledger refused an escrow step (the caller turns it into an ``OrderError``)."""
