"""Which postings a month's statement holds, read in bulk from the ledger.

A posting (a posted transfer on a creator's or MCN's payable, not itself a settlement transfer) belongs to the
first settled month S whose last day is on or after its business day and whose cutoff is at or after its
ledger timestamp. Months settle in order, so cutoffs grow with months, and settling M reads only the
transfers after the previous month's scan bound (its done marker) up to M's cutoff.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from guanghe.ledger import LedgerStore
from guanghe.ledger.columns import TransferColumns
from guanghe.money.chart import Kind
from guanghe.money.codes import CODES, code
from guanghe.money.ids import day_number
from guanghe.money.settle.keys import days, payee_keys, programs
from guanghe.money.settle.markers import Mark
from guanghe.money.settle.months import Month, month_index

PENDING, VOID = 2, 8
SETTLEMENT_CODES = frozenset(
    code(n) for n in ("mcn_share", "withholding", "payout", "payout_to_bank", "settlement_mark")
)
_PAYABLES = (Kind.CREATOR_PAYABLE, Kind.MCN_PAYABLE)
MONEY_CODES = tuple(c.value for c in CODES if c.value not in SETTLEMENT_CODES)
POSTING_CODES = tuple(
    c.value
    for c in CODES
    if c.value not in SETTLEMENT_CODES and any(k in _PAYABLES for k in c.debit + c.credit)
)


@dataclass
class Entries:
    """Posted money on payables: one row per (transfer, payable it touches), signed for the payee."""

    payee: np.ndarray  # uint64 payee key (keys.py)
    amount: np.ndarray  # int64: + credited to the payee, - debited
    code: np.ndarray
    day: np.ndarray  # business day, days since 1970-01-01
    program: np.ndarray  # program code (0 = none)
    ts: np.ndarray

    def take(self, which: np.ndarray) -> Entries:
        return Entries(*(getattr(self, f.name)[which] for f in fields(self)))

    def __len__(self) -> int:
        return len(self.payee)


def entries(cols: TransferColumns) -> Entries:
    posted = ((cols.flags & (PENDING | VOID)) == 0) & np.isin(cols.code, POSTING_CODES)
    parts = []
    for side, sign in ((cols.credit_account_id, 1), (cols.debit_account_id, -1)):
        payable, key = payee_keys(side)
        m = payable & posted
        ud = cols.user_data[m]
        parts.append(Entries(key[m], sign * cols.amount[m], cols.code[m], days(ud), programs(ud), cols.ts[m]))
    return Entries(*(np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(Entries)))


@dataclass(frozen=True)
class Window:
    month: Month
    cutoff: int
    prev: Mark | None  # the latest settled month before this one

    @property
    def scan_after(self) -> int:
        """The month reads the transfers after this timestamp: the previous month's scan bound (0: all)."""
        return (self.prev.scan_after or 0) if self.prev else 0


@dataclass
class Scan:
    window: Window
    current: Entries  # the month's postings (late ones of earlier months included)
    beyond: Entries  # posted by the cutoff for days after the month: held for later statements
    held_after: int  # the next month's scan starts after this timestamp

    def unsettled_before(self) -> Month | None:
        """The earliest month between the previous settled month and this one that has postings: it must be
        settled first (None when there is none)."""
        months = month_index(self.current.day)
        low = self.window.prev.month.index if self.window.prev else -1
        early = months[(months > low) & (months < self.window.month.index)]
        return Month(int(early.min())) if len(early) else None


def scan(ledger: LedgerStore, window: Window) -> Scan:
    """The month's postings and what is held beyond it. Every transfer of the window is read (not only the
    postings): the next month's scan bound covers whatever the money room booked by the cutoff for later
    days, so the monthly journal (``journal.py``) can use the same windows."""
    cols = ledger.scan_columns(window.scan_after, window.cutoff)
    e = entries(cols)
    prev = window.prev
    earlier = (
        (e.ts <= prev.cutoff) & (e.day <= day_number(prev.month.last))
        if prev
        else np.zeros(len(e), dtype=bool)
    )
    last = day_number(window.month.last)
    current = e.take(~earlier & (e.day <= last))
    beyond = e.take(~earlier & (e.day > last))
    later = (days(cols.user_data) > last) & np.isin(cols.code, MONEY_CODES)
    held_after = int(cols.ts[later].min()) - 1 if later.any() else window.cutoff
    return Scan(window, current, beyond, held_after)
