"""A payee's money by state (``guanghe money balance ID``), every figure traceable to its ledger transfers.

Balances now: pending (holds crediting the payable: commissions in a return window, installments awaiting
their week; pending fees shown apart), held (posted, not yet in a settled statement), available (settled, not
in payout; negative = to be recovered from later earnings), in_payout (payouts sent, awaiting the bank).
held + available + in_payout = the payable's posted balance. Totals to date, as positive amounts: paid
(confirmed payouts), reversed (clawbacks and voided holds), fees (net of fee refunds), MCN share (taken from a
creator) or MCN income (an agency's), withholding.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from guanghe.ledger import LedgerStore, Transfer
from guanghe.money.chart import Kind, account_id
from guanghe.money.codes import BY_VALUE
from guanghe.money.ids import EPOCH, SOURCE_NAMES, day_number
from guanghe.money.settle.errors import SettleError
from guanghe.money.settle.markers import settled_months
from guanghe.money.settle.rows import utc
from guanghe.money.settle.scan import POSTING_CODES, SETTLEMENT_CODES
from guanghe.money.settle.transfers import MCN_SHARE, PAYOUT, WITHHOLDING

PENDING, POST, VOID = 2, 4, 8
FIGURES = (
    "pending",
    "pending_fees",
    "held",
    "available",
    "in_payout",
    "paid",
    "reversed",
    "fees",
    "mcn_share",
    "mcn_income",
    "withholding",
    "posted_balance",
)


def balance(ledger: LedgerStore, kind: str, entity: int) -> dict[str, Any]:
    account = account_id(Kind.MCN_PAYABLE if kind == "mcn" else Kind.CREATOR_PAYABLE, entity)
    found = ledger.lookup_accounts([account])
    if not found:
        raise SettleError(f"{kind} {entity} has no account on the ledger (no money moved for it yet)")
    rows = ledger.statement(account)
    holds = {p.id: p for p in ledger.lookup_pending([t.id for t, _ in rows if t.flags & PENDING])}
    marks = sorted(settled_months(ledger).values(), key=lambda m: m.month)
    bounds = [(day_number(m.month.last), m.cutoff, str(m.month)) for m in marks]
    fig = dict.fromkeys((*FIGURES, "settled"), 0)
    out = []
    for t, _ in rows:
        sign = 1 if t.credit_account_id == account else -1
        state = _state(t, sign, holds, bounds, fig)
        out.append(_describe(t, sign, state))
    a = found[0]
    fig["posted_balance"] = a.credits_posted - a.debits_posted
    settled = fig.pop("settled")
    fig["available"] = (
        settled + fig["mcn_income"] - fig["mcn_share"] - fig["withholding"] - fig["paid"] - fig["in_payout"]
    )
    return {"payee_kind": kind, "payee_id": entity, "account": f"{account:032x}", **fig, "transfers": out}


def _state(t: Transfer, sign: int, holds: dict, bounds: list, fig: dict) -> str:
    c = BY_VALUE.get(t.code)
    line = c.line if c else None
    if t.flags & VOID:
        return "void"  # the hold it released carries the state
    if t.code == PAYOUT:
        if t.flags & PENDING:
            status = holds[t.id].status
            if status == "pending":
                fig["in_payout"] += t.amount
                return "in_payout"
            return "paid" if status == "posted" else "failed"
        if t.flags & POST:
            fig["paid"] += t.amount
            return "paid"
    if t.code in SETTLEMENT_CODES:
        name = {MCN_SHARE: "mcn_share" if sign < 0 else "mcn_income", WITHHOLDING: "withholding"}.get(
            t.code, "other"
        )
        if name in fig:
            fig[name] += t.amount
        return name
    if t.code not in POSTING_CODES:  # another code on the payable: settled at once, as settlement counts it
        fig["settled"] += 0 if t.flags & PENDING else sign * t.amount
        return "other"
    if t.flags & PENDING:
        status = holds[t.id].status
        if status == "pending":
            fig["pending" if sign > 0 else "pending_fees"] += t.amount
            return "pending"
        if status in ("voided", "expired") and sign > 0:
            fig["reversed"] += t.amount
            return "reversed"
        return status  # posted: its post carries the money
    day = t.user_data >> 104
    if line == "clawback":
        fig["reversed"] += t.amount
    if line == "fee":
        fig["fees"] -= sign * t.amount  # fees paid, net of fee refunds
    for last, cutoff, month in bounds:
        if day <= last and t.timestamp <= cutoff:
            fig["settled"] += sign * t.amount
            return f"settled {month}"
    fig["held"] += sign * t.amount
    return "held"


def _describe(t: Transfer, sign: int, state: str) -> dict[str, Any]:
    c = BY_VALUE.get(t.code)
    source = SOURCE_NAMES.get((t.user_data >> 80) & 0xFF, "?")
    kind = (
        "hold"
        if t.flags & PENDING
        else "post"
        if t.flags & POST
        else "void"
        if t.flags & VOID
        else "transfer"
    )
    return {
        "transfer_id": f"{t.id:032x}",
        "booked_at": str(utc(t.timestamp)),
        "day": str(EPOCH + timedelta(days=t.user_data >> 104)),
        "code": c.name if c else str(t.code),
        "kind": kind,
        "amount_fen": sign * t.amount,
        "state": state,
        "source_ref": f"{source}/{t.user_data & (2**80 - 1)}",
    }
