"""The store base class: the public ledger API, written once over a few engine primitives.

A write batch runs under one exclusive ledger lock (TigerBeetle's single serial writer): take the lock,
read the clock, load and lock (in id order) the rows the batch touches, run the ``Engine`` in memory,
persist its effects, commit. Backends supply only connections, locking, bulk reads and bulk writes.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from typing import Any

from guanghe.ledger.engine import PENDING, Effects, Engine
from guanghe.ledger.reads import ACCOUNT_COLS, PENDING_COLS, TRANSFER_COLS, Reads
from guanghe.ledger.types import ID_MAX, Account, Pending, Transfer
from guanghe.ledger.types import CreateAccountResult as A
from guanghe.ledger.types import CreateTransferResult as R
from guanghe.ledger.validate import check_account_ranges, check_ranges

_LIMIT_FLAGS = 2 | 4


class LedgerStore(Reads, ABC):
    """Accounts and transfers in one database. ``clock`` returns nanoseconds (tests inject a fake one)."""

    placeholder = "?"
    for_update = ""  # suffix that row-locks a SELECT, where the engine has row locks

    def __init__(self, url: str, clock: Callable[[], int] | None = None) -> None:
        self.url = url
        self.clock = clock or time.time_ns

    # -- keys: 128-bit ids as the engine stores them ------------------------------------------------------
    @staticmethod
    def enc(i: int) -> Any:
        """A 128-bit id as 16 big-endian bytes (byte order is numeric order)."""
        return i.to_bytes(16, "big")

    @staticmethod
    def dec(v: Any) -> int:
        return int.from_bytes(v, "big") if v else 0

    def enc0(self, i: int) -> Any:
        return self.enc(i) if i else None

    def transfer_row(self, t: Any) -> tuple:
        """A transfer as a row of the ``transfers`` table (column order of both stores' schema)."""
        enc, enc0 = self.enc, self.enc0
        return (
            enc(t.id), enc(t.debit_account_id), enc(t.credit_account_id), t.amount, enc0(t.pending_id),
            enc0(t.user_data), t.ledger, t.code, t.flags, t.timeout, t.timestamp,
        )  # fmt: skip

    def pending_row(self, p: Any) -> tuple:
        """A pending reservation as a row of the ``pending`` table."""
        enc = self.enc
        return (
            enc(p.id), enc(p.debit_account_id), enc(p.credit_account_id), p.amount, p.expires_at, p.status,
            p.resolved_at, self.enc0(p.resolved_by),
        )  # fmt: skip

    def _account(self, r: Sequence[Any]) -> Account:
        d = self.dec
        return Account(d(r[0]), r[1], r[2], r[3], d(r[4]), r[5], r[6], r[7], r[8], r[9])

    def _transfer(self, r: Sequence[Any]) -> Transfer:
        d = self.dec
        return Transfer(d(r[0]), d(r[1]), d(r[2]), r[3], d(r[4]), d(r[5]), r[6], r[7], r[8], r[9], r[10])

    def _pending(self, r: Sequence[Any]) -> Pending:
        d = self.dec
        return Pending(d(r[0]), d(r[1]), d(r[2]), r[3], r[4], r[5], r[6], d(r[7]))

    # -- engine primitives -----------------------------------------------------------------------------
    @abstractmethod
    def _write(self) -> AbstractContextManager[Any]:
        """An exclusive write transaction (the ledger lock held): yields the connection; commits on exit."""

    @abstractmethod
    def _read(self) -> AbstractContextManager[Any]:
        """A read-only snapshot transaction: yields the connection."""

    @abstractmethod
    def _fetch_in(self, con: Any, sql: str, keys: list[bytes]) -> list[Sequence[Any]]:
        """Run ``sql`` whose ``{in}`` marker becomes a membership test against ``keys``."""

    @abstractmethod
    def _persist(self, con: Any, fx: Effects) -> None:
        """Write a batch's new transfers, pending states and account balances."""

    @abstractmethod
    def close(self) -> None: ...

    def _q(self, con: Any, sql: str, params: Sequence[Any] = ()) -> list[Sequence[Any]]:
        return con.execute(sql.replace("?", self.placeholder), params).fetchall()

    def __enter__(self) -> LedgerStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _lock_ledger(self, con: Any) -> int:
        return self._q(con, f"SELECT last_ts FROM ledger_meta WHERE k = 1{self.for_update}")[0][0]

    def _next_ts(self, last: int) -> int:
        return max(self.clock(), last + 1)

    # -- writes ------------------------------------------------------------------------------------------
    def create_accounts(self, accounts: Iterable[Account]) -> list[A]:
        """Create accounts; one result per input (``ok``, ``exists`` or the reason it was refused)."""
        batch = list(accounts)
        check_account_ranges(batch)
        with self._write() as con:
            ts = self._next_ts(self._lock_ledger(con)) - 1
            rows = self._fetch_in(
                con,
                f"SELECT {ACCOUNT_COLS} FROM accounts WHERE id {{in}}",
                [self.enc(a.id) for a in batch if 0 < a.id < ID_MAX],
            )
            known = {a.id: a for a in map(self._account, rows)}
            results, new = [], []
            for a in batch:
                code = _check_account(a, known.get(a.id))
                if code is A.OK:
                    ts += 1
                    known[a.id] = a
                    new.append(
                        (
                            self.enc(a.id),
                            a.ledger,
                            a.code,
                            int(a.flags),
                            self.enc0(a.user_data),
                            0,
                            0,
                            0,
                            0,
                            ts,
                        )
                    )
                results.append(code)
            if new:
                self._insert_accounts(con, new)
                self._q(con, "UPDATE ledger_meta SET last_ts = ? WHERE k = 1 RETURNING k", (ts,))
        return results

    def _insert_accounts(self, con: Any, rows: list[tuple]) -> None:
        """Insert new account rows (``ACCOUNT_COLS`` order, ids encoded)."""
        marks = ", ".join([self.placeholder] * 10)
        con.cursor().executemany(f"INSERT INTO accounts ({ACCOUNT_COLS}) VALUES ({marks})", rows)

    def create_transfers(self, transfers: Iterable[Transfer]) -> list[R]:
        """Apply a batch atomically; one result per input, in order. Also expires due pending transfers."""
        batch = list(transfers)
        check_ranges(batch)
        with self._write() as con:
            now = self._next_ts(self._lock_ledger(con))
            due = [
                self._pending(r)
                for r in self._q(
                    con,
                    f"SELECT {PENDING_COLS} FROM pending WHERE status = 'pending' "
                    "AND expires_at > 0 AND expires_at <= ?",
                    (now,),
                )
            ]
            ids = {t.id for t in batch if 0 < t.id < ID_MAX} | {
                t.pending_id for t in batch if 0 < t.pending_id < ID_MAX
            }
            known = self._transfers_by_id(con, ids)
            pids = [self.enc(i) for i, t in known.items() if t.flags & PENDING]
            pending = {
                p.id: p
                for p in map(
                    self._pending,
                    self._fetch_in(con, f"SELECT {PENDING_COLS} FROM pending WHERE id {{in}}", pids),
                )
            }
            pending.update((p.id, p) for p in due)
            acct = {i for t in batch for i in (t.debit_account_id, t.credit_account_id) if 0 < i < ID_MAX}
            acct.update(i for t in known.values() for i in (t.debit_account_id, t.credit_account_id))
            acct.update(i for p in due for i in (p.debit_account_id, p.credit_account_id))
            engine = Engine(self._lock_accounts(con, acct), known, pending, now)
            expired = engine.expire(due)
            results = engine.create_transfers(batch) if batch else []
            fx = engine.effects()
            if not fx.empty or expired:
                self._persist(con, fx)
        return results

    def expire(self) -> None:
        """Release pending transfers whose timeout has passed (every write batch does this too)."""
        self.create_transfers([])

    def _transfers_by_id(self, con: Any, ids: Iterable[int]) -> dict[int, Transfer]:
        rows = self._fetch_in(
            con, f"SELECT {TRANSFER_COLS} FROM transfers WHERE id {{in}}", [self.enc(i) for i in ids]
        )
        return {t.id: t for t in map(self._transfer, rows)}

    def _lock_accounts(self, con: Any, ids: Iterable[int]) -> dict[int, Account]:
        keys = [self.enc(i) for i in sorted(ids)]
        rows = self._fetch_in(
            con, f"SELECT {ACCOUNT_COLS} FROM accounts WHERE id {{in}} ORDER BY id{self.for_update}", keys
        )
        return {a.id: a for a in map(self._account, rows)}


def _check_account(a: Account, old: Account | None) -> A:
    """TigerBeetle's create_account, check for check (the existing-id check right after the id checks)."""
    if a.timestamp:
        return A.TIMESTAMP_MUST_BE_ZERO
    if int(a.flags) & ~_LIMIT_FLAGS:
        return A.RESERVED_FLAG
    if a.id == 0:
        return A.ID_MUST_NOT_BE_ZERO
    if a.id == ID_MAX:
        return A.ID_MUST_NOT_BE_INT_MAX
    if old is not None:
        for f in ("flags", "user_data", "ledger", "code"):
            if int(getattr(a, f)) != int(getattr(old, f)):
                return A(f"exists_with_different_{f}")
        return A.EXISTS
    if int(a.flags) & _LIMIT_FLAGS == _LIMIT_FLAGS:
        return A.FLAGS_ARE_MUTUALLY_EXCLUSIVE
    for f in ("debits_pending", "debits_posted", "credits_pending", "credits_posted"):
        if getattr(a, f):
            return A(f"{f}_must_be_zero")
    if a.ledger == 0:
        return A.LEDGER_MUST_NOT_BE_ZERO
    if a.code == 0:
        return A.CODE_MUST_NOT_BE_ZERO
    return A.OK
