"""A receipt per payout (``guanghe money receipt PAYOUT_ID``): payee, period, gross, fees, clawbacks, MCN
share, withholding, carried forward, net (the payout), bank reference and status (the ledger's)."""

from __future__ import annotations

import re
from typing import Any

from guanghe.data.warehouse import Warehouse
from guanghe.ledger import LedgerStore
from guanghe.money.chart import Kind, parse_account
from guanghe.money.ids import parse_user_data
from guanghe.money.settle.errors import SettleError
from guanghe.money.settle.months import Month
from guanghe.money.settle.rows import utc
from guanghe.money.settle.statement import read_statement
from guanghe.money.settle.transfers import PAYOUT

STATUS = {"pending": "in_payout", "posted": "paid", "voided": "failed", "expired": "failed"}


def receipt(ledger: LedgerStore, wh: Warehouse, payout_hex: str) -> dict[str, Any]:
    if not re.fullmatch(r"[0-9a-fA-F]{32}", payout_hex):
        raise SettleError(f"payout id {payout_hex!r}: expected 32 hex digits")
    pid = int(payout_hex, 16)
    found = ledger.lookup_transfers([pid])
    if not found or found[0].code != PAYOUT or not found[0].flags & 2:
        raise SettleError(f"unknown payout {payout_hex}")
    t = found[0]
    kind, entity, _ = parse_account(t.debit_account_id)
    payee = "mcn" if kind == Kind.MCN_PAYABLE else "creator"
    month = Month.of(parse_user_data(t.user_data).day)
    pend = ledger.lookup_pending([pid])[0]
    st = read_statement(wh, month, payee, entity)["statement"]
    p = wh.table("payouts")
    rows = p.filter(p.payout_id == f"{pid:032x}").to_pyarrow().to_pylist()
    result = next((r for r in rows if r["status"] != "in_payout"), None)
    return {
        "payout_id": f"{pid:032x}",
        "payee_kind": payee,
        "payee_id": entity,
        "period": str(month),
        "gross_fen": st["earnings_fen"],
        "fees_fen": st["fees_fen"],
        "clawbacks_fen": st["clawbacks_fen"],
        "other_fen": st["other_fen"],
        "mcn_income_fen": st["mcn_income_fen"],
        "mcn_share_fen": -st["mcn_share_fen"],
        "withholding_fen": -st["withholding_fen"],
        "carried_forward_fen": st["carried_forward_fen"],
        "net_fen": t.amount,
        "status": STATUS[pend.status],
        "bank_reference": result["bank_ref"] if result else None,
        "reason": result["reason"] if result else None,
        "settled_at": str(utc(t.timestamp)),
        "resolved_at": str(utc(pend.resolved_at)) if pend.resolved_at else None,
    }
