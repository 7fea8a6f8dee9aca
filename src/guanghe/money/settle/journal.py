"""The month's journal for accountants (``guanghe money export --month M --out FILE.csv``): every ledger
transfer booked in a settled month, one CSV line each, so a closed month's file never changes.

A transfer is in month M's journal when (a) its business day and ledger time fall in M's statement by the
posting rule (the first settled month whose last day is on or after its day and whose cutoff is at or after
its time) — postings, holds, voids, the platform's shares, funding; (b) it is one of M's settlement transfers
(MCN shares, withholding, payouts, written between M's cutoff and done markers); (c) it confirms a payout
(post, void, clearing -> bank) and was booked by M's cutoff after the previous one. Zero-amount markers are
left out.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from guanghe.data.money_schema import CHANNELS
from guanghe.ledger import LedgerStore
from guanghe.ledger.columns import TransferColumns
from guanghe.money.chart import Kind
from guanghe.money.codes import BY_VALUE
from guanghe.money.ids import SOURCE_NAMES, day_number
from guanghe.money.settle.errors import SettleError
from guanghe.money.settle.keys import days, entities, kinds, programs, subs
from guanghe.money.settle.markers import MARK, settled_months
from guanghe.money.settle.months import Month
from guanghe.money.settle.scan import SETTLEMENT_CODES
from guanghe.money.settle.transfers import PAYOUT, TO_BANK

log = logging.getLogger(__name__)
COLUMNS = (
    "date",
    "booked_at",
    "transfer_id",
    "kind",
    "debit_account",
    "credit_account",
    "amount_fen",
    "amount",
    "code",
    "channel",
    "program",
    "source_ref",
    "pending_id",
    "state",
)
PENDING, POST, VOID = 2, 4, 8


@dataclass
class Journal:
    month: str
    transfers: int
    amount_fen: int
    file: str

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def journal(ledger: LedgerStore, month: Month) -> TransferColumns:
    marks = settled_months(ledger)
    mark = marks.get(month)
    if mark is None or not mark.done:
        raise SettleError(
            f"{month} is not settled: its journal is not final (run `guanghe money settle --month "
            f"{month}` first)"
        )
    prev = max((m for m in marks.values() if m.month < month), key=lambda m: m.month, default=None)
    after = prev.scan_after or 0 if prev else 0
    cols = ledger.scan_columns(after, mark.done_at)
    day = days(cols.user_data)
    settle = np.isin(cols.code, list(SETTLEMENT_CODES))
    confirm = ((cols.code == PAYOUT) & ((cols.flags & (POST | VOID)) != 0)) | (cols.code == TO_BANK)
    in_rule = (cols.ts <= mark.cutoff) & (day <= day_number(month.last))
    if prev is not None:
        in_rule &= ~((cols.ts <= prev.cutoff) & (day <= day_number(prev.month.last)))
    own = settle & ~confirm & (cols.ts > mark.cutoff) & (cols.code != MARK)
    booked = confirm & (cols.ts <= mark.cutoff) & (cols.ts > (prev.cutoff if prev else 0))
    return cols.take((in_rule & ~settle) | own | booked)


def write_journal(ledger: LedgerStore, month: Month, out: Path, program_names: Mapping[int, str]) -> Journal:
    cols = journal(ledger, month)
    table = _table(cols, program_names)
    tmp = out.with_name(f".{out.name}.tmp")
    pacsv.write_csv(table, tmp)
    tmp.replace(out)
    log.info("journal %s: %d transfers -> %s", month, len(cols), out)
    return Journal(str(month), len(cols), int(cols.amount.sum()), str(out))


def _hex(arr: np.ndarray) -> list[str]:
    return [f"{h:016x}{lo:016x}" for h, lo in arr.tolist()]


def _accounts(acc: np.ndarray, program_names: Mapping[int, str]) -> pa.Array:
    k, e, sub = kinds(acc), entities(acc), subs(acc)
    out = []
    for kind, ent, s in zip(k.tolist(), e.tolist(), sub.tolist(), strict=True):
        try:
            name = Kind(kind).name.lower()
        except ValueError:
            name = f"kind{kind}"
        if kind == Kind.PLATFORM_REVENUE:
            out.append(f"{name}:{CHANNELS[s] if s < len(CHANNELS) else s}")
        elif kind == Kind.PROGRAM_BUDGET:
            out.append(f"{name}:{program_names.get(ent, ent)}")
        else:
            out.append(f"{name}:{ent}" + (f":{s}" if s else ""))
    return pa.array(out, pa.string())


def _table(cols: TransferColumns, program_names: Mapping[int, str]) -> pa.Table:
    code_names = {
        c: (BY_VALUE[c].name, BY_VALUE[c].channel) if c in BY_VALUE else (str(c), None)
        for c in np.unique(cols.code).tolist()
    }
    codes = cols.code.tolist()
    flags = cols.flags
    kind = np.where(
        flags & PENDING, "hold", np.where(flags & POST, "post", np.where(flags & VOID, "void", "transfer"))
    )
    state = np.where(flags & PENDING, "pending", np.where(flags & VOID, "voided", "posted"))
    prog = programs(cols.user_data).tolist()
    src = ((cols.user_data[:, 0] >> np.uint64(16)) & np.uint64(0xFF)).astype(np.int64).tolist()
    keys = ((cols.user_data[:, 0] & np.uint64(0xFFFF)).astype(object) << 64) + cols.user_data[:, 1].astype(
        object
    )
    amount = cols.amount
    day = days(cols.user_data).astype(np.int32)
    pid = _hex(cols.pending_id)
    table = {
        "date": pa.array(day).cast(pa.date32()),
        "booked_at": pa.array(cols.ts, pa.timestamp("ns", tz="UTC")),
        "transfer_id": pa.array(_hex(cols.id), pa.string()),
        "kind": pa.array(kind, pa.string()),
        "debit_account": _accounts(cols.debit_account_id, program_names),
        "credit_account": _accounts(cols.credit_account_id, program_names),
        "amount_fen": amount,
        "amount": pa.array([f"{a // 100}.{a % 100:02d}" for a in amount.tolist()], pa.string()),
        "code": pa.array([code_names[c][0] for c in codes], pa.string()),
        "channel": pa.array([code_names[c][1] for c in codes], pa.string()),
        "program": pa.array([program_names.get(p, str(p)) if p else None for p in prog], pa.string()),
        "source_ref": pa.array(
            [f"{SOURCE_NAMES.get(s, s)}/{k}" for s, k in zip(src, keys.tolist(), strict=True)], pa.string()
        ),
        "pending_id": pa.array([p if int(p, 16) else None for p in pid], pa.string()),
        "state": pa.array(state, pa.string()),
    }
    return pa.table(table)
