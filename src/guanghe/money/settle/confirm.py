"""The bank's result file (``guanghe money confirm FILE``): ``payout_id,status,bank_reference,reason`` lines.

paid: the payout is POSTED and PAYOUT_CLEARING -> BANK moves the amount out of the platform (linked: both or
neither); failed: the payout is VOIDED, its money is available again and goes into the next month's payout.
The whole file is checked first — unknown payout, bad status, missing bank reference, a payout named twice,
a result contradicting an earlier one — and nothing is applied when any line is wrong. Every id derives from
the payout, so applying a file twice changes nothing the second time.
"""

from __future__ import annotations

import csv
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from guanghe.data.money_schema import PAYOUTS
from guanghe.data.warehouse import Warehouse
from guanghe.ledger import CNY, POST_FULL, LedgerStore, Transfer, TransferFlags
from guanghe.money.chart import Kind, open_accounts, parse_account
from guanghe.money.ids import parse_user_data, transfer_id
from guanghe.money.settle.errors import SettleError
from guanghe.money.settle.keys import key_of, split_key
from guanghe.money.settle.months import Month
from guanghe.money.settle.rows import utc
from guanghe.money.settle.transfers import BANK, BATCH, CLEARING, PAYOUT, TO_BANK, withholding_id
from guanghe.programs.errors import Issue

log = logging.getLogger(__name__)
HEADER = ("payout_id", "status", "bank_reference", "reason")
_HEX = re.compile(r"[0-9a-fA-F]{32}")


class ConfirmError(Exception):
    def __init__(self, issues: list[Issue]) -> None:
        self.issues = issues
        super().__init__("\n".join(map(str, issues)))


@dataclass
class Line:
    line: int
    payout: int
    status: str
    bank_ref: str
    reason: str


@dataclass
class Confirmed:
    file: str
    lines: int = 0
    paid: int = 0
    failed: int = 0
    already: int = 0  # lines whose result was applied before
    paid_fen: int = 0
    failed_fen: int = 0
    months: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def read_results(path: Path) -> list[Line]:
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise ConfirmError([Issue(name, 0, "", f"cannot read the file: {e}")]) from e
    rows = list(csv.reader(text.splitlines()))
    if not rows or tuple(c.strip() for c in rows[0]) != HEADER:
        raise ConfirmError([Issue(name, 1, "", f"expected the header {','.join(HEADER)}")])
    issues, out, seen = [], [], {}
    for n, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        if len(row) != len(HEADER):
            issues.append(
                Issue(name, n, "", f"expected {len(HEADER)} fields ({','.join(HEADER)}), got {len(row)}")
            )
            continue
        pid, status, ref, reason = (c.strip() for c in row)
        if not _HEX.fullmatch(pid):
            issues.append(Issue(name, n, "payout_id", f"expected a payout id of 32 hex digits, got {pid!r}"))
            continue
        if status not in ("paid", "failed"):
            issues.append(Issue(name, n, "status", f"expected paid or failed, got {status!r}"))
            continue
        if status == "paid" and not ref:
            issues.append(
                Issue(name, n, "bank_reference", "missing; a paid payout needs the bank's reference")
            )
            continue
        key = int(pid, 16)
        if key in seen:
            issues.append(Issue(name, n, "payout_id", f"payout {pid} is already on line {seen[key]}"))
            continue
        seen[key] = n
        out.append(Line(n, key, status, ref, reason))
    if issues:
        raise ConfirmError(issues)
    return out


def post_id(payout: int) -> int:
    return transfer_id(PAYOUT, "settlement", payout & (2**80 - 1), None, f"paid:{payout:032x}")


def void_id(payout: int) -> int:
    return transfer_id(PAYOUT, "settlement", payout & (2**80 - 1), None, f"failed:{payout:032x}")


def bank_id(payout: int) -> int:
    return transfer_id(TO_BANK, "settlement", payout & (2**80 - 1), None, f"bank:{payout:032x}")


def confirm(ledger: LedgerStore, wh: Warehouse, path: Path) -> Confirmed:
    lines = read_results(path)
    name = str(path)
    holds = {t.id: t for t in ledger.lookup_transfers(ln.payout for ln in lines)}
    states = {p.id: p.status for p in ledger.lookup_pending(holds)}
    months = sorted(
        {str(Month.of(parse_user_data(t.user_data).day)) for t in holds.values() if t.code == PAYOUT}
    )
    stored = _stored_results(wh, months)
    issues, todo, result = [], [], Confirmed(name, len(lines), months=months)
    for ln in lines:
        t = holds.get(ln.payout)
        if t is None or t.code != PAYOUT or not t.flags & TransferFlags.PENDING:
            issues.append(Issue(name, ln.line, "payout_id", f"unknown payout {ln.payout:032x}"))
            continue
        state = states.get(t.id, "")
        done = {"posted": "paid", "voided": "failed"}.get(state)
        if done is None and state != "pending":
            issues.append(
                Issue(name, ln.line, "payout_id", f"payout {ln.payout:032x} is {state}, not in payout")
            )
        elif done is not None and done != ln.status:
            issues.append(
                Issue(name, ln.line, "status", f"payout {ln.payout:032x} was confirmed {done} before")
            )
        elif done is not None and stored.get((ln.payout, done), (ln.bank_ref, ln.reason)) != (
            ln.bank_ref,
            ln.reason,
        ):
            ref, why = stored[(ln.payout, done)]
            issues.append(
                Issue(
                    name,
                    ln.line,
                    "bank_reference",
                    f"payout {ln.payout:032x} was confirmed {done} "
                    f"with bank reference {ref!r} and reason {why!r}",
                )
            )
        else:
            result.already += done is not None
            todo.append((ln, t))
    if issues:
        raise ConfirmError(issues)
    open_accounts(ledger, [CLEARING, BANK])
    _apply(ledger, todo)
    for ln, t in todo:
        setattr(result, ln.status, getattr(result, ln.status) + 1)
        setattr(result, f"{ln.status}_fen", getattr(result, f"{ln.status}_fen") + t.amount)
    _record(ledger, wh, todo)
    log.info(
        "confirmed %s: %d paid, %d failed (%d applied before)",
        name,
        result.paid,
        result.failed,
        result.already,
    )
    return result


def _apply(ledger: LedgerStore, todo: list[tuple[Line, Transfer]]) -> None:
    batch: list[Transfer] = []
    for i, (ln, t) in enumerate(todo):
        if ln.status == "paid":
            batch.append(
                Transfer(
                    post_id(t.id),
                    pending_id=t.id,
                    amount=POST_FULL,
                    flags=TransferFlags.POST_PENDING_TRANSFER | TransferFlags.LINKED,
                )
            )
            batch.append(
                Transfer(
                    bank_id(t.id), CLEARING, BANK, t.amount, user_data=t.user_data, ledger=CNY, code=TO_BANK
                )
            )
        else:
            batch.append(Transfer(void_id(t.id), pending_id=t.id, flags=TransferFlags.VOID_PENDING_TRANSFER))
        if len(batch) >= BATCH or i == len(todo) - 1:
            for tr, r in zip(batch, ledger.create_transfers(batch), strict=True):
                if r not in ("ok", "exists"):
                    raise SettleError(
                        f"confirming payout {tr.pending_id or tr.id:032x}: the ledger refused ({r})"
                    )
            batch = []


def _stored_results(wh: Warehouse, months: list[str]) -> dict[tuple[int, str], tuple[str, str]]:
    """(payout, status) -> (bank reference, reason) of the results recorded before, for these months."""
    if not months:
        return {}
    t = wh.table("payouts")
    rows = t.filter(t.month.isin(months) & t.status.isin(["paid", "failed"]))
    rows = rows.select("payout_id", "status", "bank_ref", "reason").to_pyarrow().to_pylist()
    return {(int(d["payout_id"], 16), d["status"]): (d["bank_ref"] or "", d["reason"] or "") for d in rows}


def _record(ledger: LedgerStore, wh: Warehouse, todo: list[tuple[Line, Transfer]]) -> None:
    """payouts rows: one per payout and status, at the ledger time of its post or void."""
    if not todo:
        return
    ids = [post_id(t.id) if ln.status == "paid" else void_id(t.id) for ln, t in todo]
    when = {t.id: t.timestamp for t in ledger.lookup_transfers(ids)}
    tax_ids = {}
    for _, t in todo:
        kind, entity = split_key(_payee_key(t.debit_account_id))
        if kind == "creator":
            tax_ids[withholding_id(entity, Month.of(parse_user_data(t.user_data).day))] = t.id
    taxes = {tax_ids[w.id]: w.amount for w in ledger.lookup_transfers(tax_ids)}
    cols: dict[str, list] = {c: [] for c in PAYOUTS.names}
    for (ln, t), rid in zip(todo, ids, strict=True):
        kind, entity = split_key(_payee_key(t.debit_account_id))
        values = (
            f"{t.id:032x}",
            kind,
            entity,
            str(Month.of(parse_user_data(t.user_data).day)),
            t.amount,
            taxes.get(t.id, 0),
            ln.status,
            utc(when[rid]),
            ln.bank_ref or None,
            ln.reason or None,
        )
        for c, v in zip(PAYOUTS.names, values, strict=True):
            cols[c].append(v)
    rows = pa.table(cols, schema=PAYOUTS.arrow_schema())
    with wh.writer() as w:
        res = w.merge("payouts", rows)
    if res.conflicts.num_rows:
        raise SettleError(f"payouts: {res.conflicts.num_rows} stored row(s) differ from the bank's result")


def _payee_key(account: int) -> int:
    kind, entity, _ = parse_account(account)
    return key_of("mcn" if kind == Kind.MCN_PAYABLE else "creator", entity)
