"""The transfer state machine: checks and applies one batch in memory against locked account rows.

Pure Python, engine-independent: a store loads the rows a batch touches (under its write lock), runs
``Engine``, and persists ``Engine.effects()``. Every rule of the ledger lives here and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from guanghe.ledger.types import AMOUNT_MAX, ID_MAX, POST_FULL, Account, Pending, Transfer
from guanghe.ledger.types import CreateTransferResult as R
from guanghe.ledger.types import TransferFlags as F

LINKED, PENDING, POST, VOID = (
    int(F.LINKED),
    int(F.PENDING),
    int(F.POST_PENDING_TRANSFER),
    int(F.VOID_PENDING_TRANSFER),
)
ALL_FLAGS = LINKED | PENDING | POST | VOID
DMNEC, CMNED = 2, 4  # AccountFlags
NS = 1_000_000_000
_STATUS_CODE = {
    "posted": R.PENDING_TRANSFER_ALREADY_POSTED,
    "voided": R.PENDING_TRANSFER_ALREADY_VOIDED,
    "expired": R.PENDING_TRANSFER_EXPIRED,
}
# TigerBeetle's order after flags, pending_id and timeout (checked first, for every kind of transfer)
_EXISTS_PLAIN = tuple(
    (f, R(f"exists_with_different_{f}"))
    for f in ("debit_account_id", "credit_account_id", "amount", "user_data", "ledger", "code")
)


class Row:
    """A locked account row whose balances the batch changes in place."""

    __slots__ = ("cp", "cpo", "dp", "dpo", "flags", "id", "ledger")

    def __init__(self, a: Account) -> None:
        self.id, self.ledger, self.flags = a.id, a.ledger, a.flags
        self.dp, self.dpo, self.cp, self.cpo = (
            a.debits_pending,
            a.debits_posted,
            a.credits_pending,
            a.credits_posted,
        )

    def balances(self) -> tuple[int, int, int, int]:
        return self.dp, self.dpo, self.cp, self.cpo


@dataclass
class Effects:
    """What a batch changed: to be persisted atomically by the store."""

    transfers: list[Transfer] = field(default_factory=list)
    pending_new: list[Pending] = field(default_factory=list)
    pending_resolved: list[Pending] = field(default_factory=list)
    accounts: list[Row] = field(default_factory=list)
    last_timestamp: int = 0

    @property
    def empty(self) -> bool:
        return not (self.transfers or self.pending_resolved)


class Engine:
    """One write batch. ``accounts``: locked rows; ``transfers``: stored transfers the batch may refer to
    (its own ids and pending ids); ``pending``: the state of those pending transfers; ``now``: first
    timestamp to hand out (strictly above every stored one)."""

    def __init__(
        self,
        accounts: dict[int, Account],
        transfers: dict[int, Transfer],
        pending: dict[int, Pending],
        now: int,
    ) -> None:
        self.rows = {i: Row(a) for i, a in accounts.items()}
        self.transfers = transfers
        self.pending = pending
        self.stored_pending = set(pending)
        self.now = now
        self.ts = now - 1  # last timestamp handed out
        self.created: list[Transfer] = []
        self.dirty_pending: set[int] = set()
        self.touched: set[int] = set()
        self.journal: list[tuple] | None = None  # undo log, only inside a linked chain

    # -- expiry -----------------------------------------------------------------------------------------
    def expire(self, due: list[Pending]) -> int:
        """Release every pending transfer whose timeout has passed; each gets its own timestamp."""
        n = 0
        for p in sorted(due, key=lambda p: (p.expires_at, p.id)):
            if p.status != "pending" or not p.expires_at or p.expires_at > self.now:
                continue
            self.ts += 1
            self._set_pending(
                Pending(
                    p.id,
                    p.debit_account_id,
                    p.credit_account_id,
                    p.amount,
                    p.expires_at,
                    "expired",
                    self.ts,
                    0,
                )
            )
            self._move(self.rows[p.debit_account_id], self.rows[p.credit_account_id], -p.amount, 0)
            n += 1
        return n

    # -- batch ------------------------------------------------------------------------------------------
    def create_transfers(self, batch: list[Transfer]) -> list[R]:
        """Results in input order. A linked chain applies all or nothing ("exists" counts as success).
        The caller runs ``check_ranges(batch)`` first."""
        results: list[R] = [R.OK] * len(batch)
        last = len(batch) - 1
        start = -1  # index where the open chain began
        broken = False
        mark = (0, 0, 0)
        for i, t in enumerate(batch):
            linked = int(t.flags) & LINKED
            if start < 0 and linked:
                start, broken, self.journal = i, False, []
                mark = (len(self.created), self.ts, 0)
            if linked and i == last:  # TigerBeetle: an open chain is named even after a failed member
                code = R.LINKED_EVENT_CHAIN_OPEN
            elif broken:
                code = R.LINKED_EVENT_FAILED
            else:
                code = self._create(t)
            results[i] = code
            if start >= 0 and not broken and code is not R.OK and code is not R.EXISTS:
                broken = True
                self._rollback(mark)
                for j in range(start, i):
                    results[j] = R.LINKED_EVENT_FAILED
            if start >= 0 and not linked:
                start, broken, self.journal = -1, False, None
        return results

    def effects(self) -> Effects:
        fx = Effects(transfers=self.created, last_timestamp=self.ts)
        for pid in sorted(self.dirty_pending):
            (fx.pending_resolved if pid in self.stored_pending else fx.pending_new).append(self.pending[pid])
        fx.accounts = [self.rows[i] for i in sorted(self.touched)]
        return fx

    # -- one transfer: TigerBeetle's create_transfer, check for check --------------------------------------
    def _create(self, t: Transfer) -> R:
        flags = int(t.flags)
        if t.timestamp:
            return R.TIMESTAMP_MUST_BE_ZERO
        if flags & ~ALL_FLAGS:
            return R.RESERVED_FLAG
        if t.id == 0:
            return R.ID_MUST_NOT_BE_ZERO
        if t.id == ID_MAX:
            return R.ID_MUST_NOT_BE_INT_MAX
        old = self.transfers.get(t.id)
        if old is not None:  # idempotency first: a retry with a changed field is told which one
            return self._exists(t, flags, old)
        if flags & (POST | VOID):
            return self._post_or_void(t, flags)
        if t.debit_account_id == 0:
            return R.DEBIT_ACCOUNT_ID_MUST_NOT_BE_ZERO
        if t.debit_account_id == ID_MAX:
            return R.DEBIT_ACCOUNT_ID_MUST_NOT_BE_INT_MAX
        if t.credit_account_id == 0:
            return R.CREDIT_ACCOUNT_ID_MUST_NOT_BE_ZERO
        if t.credit_account_id == ID_MAX:
            return R.CREDIT_ACCOUNT_ID_MUST_NOT_BE_INT_MAX
        if t.debit_account_id == t.credit_account_id:
            return R.ACCOUNTS_MUST_BE_DIFFERENT
        if t.pending_id:
            return R.PENDING_ID_MUST_BE_ZERO
        pending = flags & PENDING
        if t.timeout and not pending:
            return R.TIMEOUT_RESERVED_FOR_PENDING_TRANSFER
        amount = t.amount  # 0 is a valid amount (TigerBeetle >= 0.16)
        if amount < 0:
            return R.AMOUNT_MUST_NOT_BE_NEGATIVE
        if t.ledger == 0:
            return R.LEDGER_MUST_NOT_BE_ZERO
        if t.code == 0:
            return R.CODE_MUST_NOT_BE_ZERO
        dr = self.rows.get(t.debit_account_id)
        if dr is None:
            return R.DEBIT_ACCOUNT_NOT_FOUND
        cr = self.rows.get(t.credit_account_id)
        if cr is None:
            return R.CREDIT_ACCOUNT_NOT_FOUND
        if dr.ledger != cr.ledger:
            return R.ACCOUNTS_MUST_HAVE_THE_SAME_LEDGER
        if t.ledger != dr.ledger:
            return R.LEDGER_MUST_MATCH
        if amount > AMOUNT_MAX:
            return R.OVERFLOWS_AMOUNT
        room = AMOUNT_MAX - amount  # a balance above this overflows
        if pending:
            if dr.dp > room:
                return R.OVERFLOWS_DEBITS_PENDING
            if cr.cp > room:
                return R.OVERFLOWS_CREDITS_PENDING
        if dr.dpo > room:
            return R.OVERFLOWS_DEBITS_POSTED
        if cr.cpo > room:
            return R.OVERFLOWS_CREDITS_POSTED
        if dr.dp + dr.dpo > room:
            return R.OVERFLOWS_DEBITS
        if cr.cp + cr.cpo > room:
            return R.OVERFLOWS_CREDITS
        if t.timeout * NS + self.ts + 1 > AMOUNT_MAX:
            return R.OVERFLOWS_TIMEOUT
        if dr.flags & DMNEC and dr.dp + dr.dpo + amount > dr.cpo:
            return R.EXCEEDS_CREDITS
        if cr.flags & CMNED and cr.cp + cr.cpo + amount > cr.dpo:
            return R.EXCEEDS_DEBITS
        ts = self._store(t, flags)
        if pending:
            self._move(dr, cr, amount, 0)
            expires = ts + t.timeout * NS if t.timeout else 0
            self._set_pending(Pending(t.id, dr.id, cr.id, amount, expires))
        else:
            self._move(dr, cr, 0, amount)
        return R.OK

    def _post_or_void(self, t: Transfer, flags: int) -> R:
        if (flags & POST and flags & VOID) or flags & PENDING:
            return R.FLAGS_ARE_MUTUALLY_EXCLUSIVE
        if t.pending_id == 0:
            return R.PENDING_ID_MUST_NOT_BE_ZERO
        if t.pending_id == ID_MAX:
            return R.PENDING_ID_MUST_NOT_BE_INT_MAX
        if t.pending_id == t.id:
            return R.PENDING_ID_MUST_BE_DIFFERENT
        if t.timeout:
            return R.TIMEOUT_RESERVED_FOR_PENDING_TRANSFER
        if t.amount < 0:
            return R.AMOUNT_MUST_NOT_BE_NEGATIVE
        p = self.transfers.get(t.pending_id)
        if p is None:
            return R.PENDING_TRANSFER_NOT_FOUND
        if not p.flags & PENDING:
            return R.PENDING_TRANSFER_NOT_PENDING
        if t.debit_account_id and t.debit_account_id != p.debit_account_id:
            return R.PENDING_TRANSFER_HAS_DIFFERENT_DEBIT_ACCOUNT_ID
        if t.credit_account_id and t.credit_account_id != p.credit_account_id:
            return R.PENDING_TRANSFER_HAS_DIFFERENT_CREDIT_ACCOUNT_ID
        if t.ledger and t.ledger != p.ledger:
            return R.PENDING_TRANSFER_HAS_DIFFERENT_LEDGER
        if t.code and t.code != p.code:
            return R.PENDING_TRANSFER_HAS_DIFFERENT_CODE
        amount = _actual_amount(t, flags, p)
        if amount > p.amount:
            return R.EXCEEDS_PENDING_TRANSFER_AMOUNT
        if flags & VOID and amount < p.amount:
            return R.PENDING_TRANSFER_HAS_DIFFERENT_AMOUNT
        state = self.pending[p.id]
        if state.status != "pending":
            return _STATUS_CODE[state.status]
        if state.expires_at and state.expires_at <= self.ts + 1:  # due within this batch
            return R.PENDING_TRANSFER_EXPIRED
        resolved = Transfer(
            t.id,
            p.debit_account_id,
            p.credit_account_id,
            amount,
            p.id,
            t.user_data or p.user_data,
            p.ledger,
            p.code,
            flags,
        )
        ts = self._store(resolved, flags)
        status = "posted" if flags & POST else "voided"
        self._set_pending(
            Pending(
                p.id, p.debit_account_id, p.credit_account_id, p.amount, state.expires_at, status, ts, t.id
            )
        )
        dr, cr = self.rows[p.debit_account_id], self.rows[p.credit_account_id]
        self._move(dr, cr, -p.amount, amount if flags & POST else 0)
        return R.OK

    def _exists(self, t: Transfer, flags: int, e: Transfer) -> R:
        """TigerBeetle's create_transfer_exists: which field of a retry differs from the stored transfer."""
        if flags != e.flags:
            return R.EXISTS_WITH_DIFFERENT_FLAGS
        if t.pending_id != e.pending_id:
            return R.EXISTS_WITH_DIFFERENT_PENDING_ID
        if t.timeout != e.timeout:
            return R.EXISTS_WITH_DIFFERENT_TIMEOUT
        if not flags & (POST | VOID):
            for f, code in _EXISTS_PLAIN:
                if getattr(t, f) != getattr(e, f):
                    return code
            return R.EXISTS
        # a post/void: the fields it may leave 0 are compared only when given (they came from the pending)
        p = self.transfers[e.pending_id]
        if t.debit_account_id and t.debit_account_id != e.debit_account_id:
            return R.EXISTS_WITH_DIFFERENT_DEBIT_ACCOUNT_ID
        if t.credit_account_id and t.credit_account_id != e.credit_account_id:
            return R.EXISTS_WITH_DIFFERENT_CREDIT_ACCOUNT_ID
        if _actual_amount(t, flags, p) != e.amount:
            return R.EXISTS_WITH_DIFFERENT_AMOUNT
        if (t.user_data or p.user_data) != e.user_data:
            return R.EXISTS_WITH_DIFFERENT_USER_DATA
        if t.ledger and t.ledger != e.ledger:
            return R.EXISTS_WITH_DIFFERENT_LEDGER
        if t.code and t.code != e.code:
            return R.EXISTS_WITH_DIFFERENT_CODE
        return R.EXISTS

    # -- mutations (journalled inside a linked chain) ------------------------------------------------------
    def _store(self, t: Transfer, flags: int) -> int:
        self.ts += 1
        stored = Transfer(
            t.id,
            t.debit_account_id,
            t.credit_account_id,
            t.amount,
            t.pending_id,
            t.user_data,
            t.ledger,
            t.code,
            flags,
            t.timeout,
            self.ts,
        )
        self.created.append(stored)
        self.transfers[t.id] = stored
        if self.journal is not None:
            self.journal.append(("t", t.id))
        return self.ts

    def _move(self, dr: Row, cr: Row, pending: int, posted: int) -> None:
        if self.journal is not None:
            self.journal.append(("a", dr, dr.balances(), dr.id in self.touched))
            self.journal.append(("a", cr, cr.balances(), cr.id in self.touched))
        dr.dp += pending
        dr.dpo += posted
        cr.cp += pending
        cr.cpo += posted
        self.touched.add(dr.id)
        self.touched.add(cr.id)

    def _set_pending(self, p: Pending) -> None:
        if self.journal is not None:
            self.journal.append(("p", p.id, self.pending.get(p.id), p.id in self.dirty_pending))
        self.pending[p.id] = p
        self.dirty_pending.add(p.id)

    def _rollback(self, mark: tuple[int, int, int]) -> None:
        created, ts, _ = mark
        for entry in reversed(self.journal or []):
            if entry[0] == "t":
                del self.transfers[entry[1]]
            elif entry[0] == "a":
                _, row, old_balances, was = entry
                row.dp, row.dpo, row.cp, row.cpo = old_balances
                if not was:
                    self.touched.discard(row.id)
            else:
                _, pid, old, was = entry
                if old is None:
                    del self.pending[pid]
                else:
                    self.pending[pid] = old
                if not was:
                    self.dirty_pending.discard(pid)
        del self.created[created:]
        self.ts = ts
        self.journal = []


def _actual_amount(t: Transfer, flags: int, p: Transfer) -> int:
    """What a post/void moves: a void's 0 means the pending amount, a post's POST_FULL (AMOUNT_MAX) does;
    any other amount is taken as given (a post of 0 posts nothing and releases the whole hold)."""
    if flags & VOID:
        return t.amount or p.amount
    return p.amount if t.amount == POST_FULL else t.amount
