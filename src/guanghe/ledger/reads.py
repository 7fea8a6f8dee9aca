"""The read side of a store: balances now and as of a time, statements, transfer history, snapshots.

A mixin over the store primitives (``_read``, ``_q``, ``_fetch_in``, key and row codecs) of ``LedgerStore``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from guanghe.ledger.columns import (
    ACCOUNT_KINDS,
    TRANSFER_KINDS,
    AccountColumns,
    TransferColumns,
    rows_to_columns,
    sort_key,
)
from guanghe.ledger.types import Account, Balance, LedgerError, Pending, Transfer
from guanghe.ledger.validate import TIMESTAMP_END, U128, check_id, in_range

if TYPE_CHECKING:
    from guanghe.ledger.store import LedgerStore

    _Base = LedgerStore
else:
    _Base = object

PENDING, VOID = 2, 8
ACCOUNT_COLS = (
    "id, ledger, code, flags, user_data, debits_pending, debits_posted, credits_pending, credits_posted, ts"
)
TRANSFER_COLS = (
    "id, debit_account_id, credit_account_id, amount, pending_id, user_data, ledger, code, flags, timeout, ts"
)
PENDING_COLS = "id, debit_account_id, credit_account_id, amount, expires_at, status, resolved_at, resolved_by"


class Reads(_Base):
    def lookup_accounts(self, ids: Iterable[int]) -> list[Account]:
        with self._read() as con:
            rows = self._fetch_in(
                con,
                f"SELECT {ACCOUNT_COLS} FROM accounts WHERE id {{in}} ORDER BY id",
                [self.enc(i) for i in ids if in_range(i, U128)],  # no other id can exist
            )
        return [self._account(r) for r in rows]

    def lookup_transfers(self, ids: Iterable[int]) -> list[Transfer]:
        with self._read() as con:
            found = self._transfers_by_id(con, [i for i in ids if in_range(i, U128)])
        return sorted(found.values(), key=lambda t: t.timestamp)

    def accounts(self, ledger: int | None = None) -> list[Account]:
        """All accounts (of one ledger) in id order, read in one snapshot."""
        where, params = ("WHERE ledger = ?", (ledger,)) if ledger is not None else ("", ())
        with self._read() as con:
            return [
                self._account(r)
                for r in self._q(con, f"SELECT {ACCOUNT_COLS} FROM accounts {where} ORDER BY id", params)
            ]

    def balance(self, account_id: int, as_of: int | None = None) -> Balance | None:
        """Balances now, or as of a ledger timestamp (replaying the account's transfers up to it)."""
        check_id(account_id, "account id")
        if as_of is not None:
            _check_time(as_of, "as_of")
        with self._read() as con:
            return self._balance(con, account_id, as_of)

    def _balance(self, con: Any, account_id: int, as_of: int | None) -> Balance | None:
        found = self._q(con, f"SELECT {ACCOUNT_COLS} FROM accounts WHERE id = ?", (self.enc(account_id),))
        if not found:
            return None
        if as_of is None:
            a = self._account(found[0])
            return Balance(a.id, a.debits_pending, a.debits_posted, a.credits_pending, a.credits_posted)
        out = []
        for side in ("debit", "credit"):
            k = self.enc(account_id)
            posted = self._q(
                con,
                f"SELECT COALESCE(SUM(amount), 0) FROM transfers WHERE {side}_account_id = ? "
                f"AND ts <= ? AND flags & {PENDING | VOID} = 0",
                (k, as_of),
            )[0][0]
            held = self._q(
                con,
                f"SELECT COALESCE(SUM(amount), 0) FROM transfers WHERE {side}_account_id = ? "
                f"AND ts <= ? AND flags & {PENDING} <> 0",
                (k, as_of),
            )[0][0]
            released = self._q(
                con,
                f"SELECT COALESCE(SUM(amount), 0) FROM pending WHERE {side}_account_id = ? "
                "AND status <> 'pending' AND resolved_at <= ?",
                (k, as_of),
            )[0][0]
            out += [int(held) - int(released), int(posted)]
        return Balance(account_id, *out, as_of=as_of)

    def statement(
        self, account_id: int, since: int = 0, until: int | None = None, limit: int | None = None
    ) -> list[tuple[Transfer, int]]:
        """The account's transfers in time order, each with the posted balance (credits - debits) after it."""
        check_id(account_id, "account id")
        _check_time(since, "since")
        if until is not None:
            _check_time(until, "until")
        if limit is not None and not in_range(limit, TIMESTAMP_END):
            raise LedgerError(f"limit = {limit!r}, expected a non-negative integer")
        until = until if until is not None else TIMESTAMP_END - 1
        k = self.enc(account_id)
        with self._read() as con:
            before = self._balance(con, account_id, since - 1) if since > 0 else None
            rows = self._q(
                con,
                f"SELECT {TRANSFER_COLS} FROM transfers WHERE debit_account_id = ? AND ts >= ? "
                f"AND ts <= ? UNION ALL SELECT {TRANSFER_COLS} FROM transfers WHERE "
                "credit_account_id = ? AND ts >= ? AND ts <= ? ORDER BY ts",
                (k, since, until, k, since, until),
            )
        balance = before.credits_posted - before.debits_posted if before else 0
        out = []
        for t in map(self._transfer, rows):
            if t.is_posted:
                balance += t.amount if t.credit_account_id == account_id else -t.amount
            out.append((t, balance))
        return out[:limit] if limit is not None else out

    def history(self, transfer_id: int) -> dict[str, Any] | None:
        """A transfer, and for a pending one its state and the transfer that resolved it."""
        check_id(transfer_id, "transfer id")
        with self._read() as con:
            found = self._transfers_by_id(con, [transfer_id])
            if transfer_id not in found:
                return None
            t = found[transfer_id]
            rows = self._q(con, f"SELECT {PENDING_COLS} FROM pending WHERE id = ?", (self.enc(transfer_id),))
            later = self._q(
                con,
                f"SELECT {TRANSFER_COLS} FROM transfers WHERE pending_id = ? ORDER BY ts",
                (self.enc(transfer_id),),
            )
        return {
            "transfer": t,
            "pending": self._pending(rows[0]) if rows else None,
            "resolutions": [self._transfer(r) for r in later],
        }

    def scan_transfers(
        self, after: int = 0, limit: int = 100_000, until: int | None = None
    ) -> list[Transfer]:
        """Up to ``limit`` transfers with ``after < timestamp [<= until]``, in timestamp order: page through
        the whole ledger by passing the last timestamp seen as ``after`` (bulk reads for settlement, exports)."""
        _check_time(after, "after")
        if until is not None:
            _check_time(until, "until")
        if not isinstance(limit, int) or limit < 1:
            raise LedgerError(f"limit = {limit!r}, expected a positive integer")
        bound = "" if until is None else " AND ts <= ?"
        params = (after, *(() if until is None else (until,)), limit)
        with self._read() as con:
            rows = self._q(con, f"SELECT {TRANSFER_COLS} FROM transfers WHERE ts > ?{bound} ORDER BY ts LIMIT ?",
                           params)  # fmt: skip
        return [self._transfer(r) for r in rows]

    def scan_columns(
        self, after: int = 0, until: int | None = None, codes: Iterable[int] | None = None
    ) -> TransferColumns:
        """Every transfer with ``after < timestamp [<= until]`` (and ``code`` in ``codes``), in timestamp
        order, as columns (``guanghe.ledger.columns``): one statement, one snapshot, no object per row."""
        _check_time(after, "after")
        where, params = "ts > ?", [after]
        if until is not None:
            _check_time(until, "until")
            where += " AND ts <= ?"
            params.append(until)
        where += self._codes_filter(codes, params)
        with self._read() as con:
            arrays = self._columns(con, f"FROM transfers WHERE {where} ORDER BY ts", params, TRANSFER_KINDS)
        return TransferColumns.from_list(arrays)

    def open_pending(self, as_of: int | None = None, codes: Iterable[int] | None = None) -> TransferColumns:
        """The pending transfers still open (neither posted, voided nor expired) now, or at ledger timestamp
        ``as_of`` (created at or before it, resolved after it or never), in timestamp order, as columns."""
        params: list[Any] = []
        if as_of is None:
            where = "p.status = 'pending'"
        else:
            _check_time(as_of, "as_of")
            where = "t.ts <= ? AND (p.status = 'pending' OR p.resolved_at > ?)"
            params += [as_of, as_of]
        where += self._codes_filter(codes, params, "t.code")
        cols = [(f"t.{n}", k) for n, k in TRANSFER_KINDS]
        with self._read() as con:
            arrays = self._columns(
                con,
                f"FROM pending p JOIN transfers t ON t.id = p.id WHERE {where} ORDER BY t.ts",
                params,
                cols,
            )
        return TransferColumns.from_list(arrays)

    def balances_as_of(self, as_of: int | None = None, codes: Iterable[int] | None = None) -> AccountColumns:
        """Every account (with ``code`` in ``codes``) in id order with its four balances now, or as of ledger
        timestamp ``as_of``: the stored balances minus what transfers and releases after ``as_of`` did, all
        read in one snapshot (cheap when ``as_of`` is recent)."""
        params: list[Any] = []
        where = "WHERE 1 = 1" + self._codes_filter(codes, params)
        if as_of is not None:
            _check_time(as_of, "as_of")
        money = [("debit_account_id", "u128"), ("credit_account_id", "u128"), ("amount", "i64"),
                 ("flags", "i64")]  # fmt: skip
        with self._read() as con:
            acc = AccountColumns.from_list(
                self._columns(con, f"FROM accounts {where} ORDER BY id", params, ACCOUNT_KINDS)
            )
            if as_of is None or not len(acc):
                return acc
            later = self._columns(con, "FROM transfers WHERE ts > ?", [as_of], money)
            released = self._columns(
                con, "FROM pending WHERE status <> 'pending' AND resolved_at > ?", [as_of], money[:3]
            )
        keys = sort_key(acc.id)
        balances = [acc.debits_pending.copy(), acc.debits_posted.copy(), acc.credits_pending.copy(),
                    acc.credits_posted.copy()]  # fmt: skip
        dr_t, cr_t, amount, flags = later
        posted = (flags & (PENDING | VOID)) == 0
        held = (flags & PENDING) != 0
        for side, account in ((0, dr_t), (2, cr_t)):  # debits: dp, dpo; credits: cp, cpo
            i, found = _positions(keys, account)
            np.subtract.at(balances[side + 1], i[found & posted], amount[found & posted])
            np.subtract.at(balances[side], i[found & held], amount[found & held])
        for side, account in ((0, released[0]), (2, released[1])):
            i, found = _positions(keys, account)
            np.add.at(balances[side], i[found], released[2][found])
        return AccountColumns(acc.id, acc.ledger, acc.code, acc.flags, *balances)

    def lookup_pending(self, ids: Iterable[int]) -> list[Pending]:
        """The states of these pending transfers (pending, posted, voided or expired), in id order."""
        with self._read() as con:
            rows = self._fetch_in(
                con,
                f"SELECT {PENDING_COLS} FROM pending WHERE id {{in}} ORDER BY id",
                [self.enc(i) for i in ids if in_range(i, U128)],
            )
        return [self._pending(r) for r in rows]

    def _codes_filter(self, codes: Iterable[int] | None, params: list[Any], column: str = "code") -> str:
        if codes is None:
            return ""
        wanted = sorted({int(c) for c in codes})
        if not wanted:
            return " AND 1 = 0"
        if any(not 0 <= c < 2**32 for c in wanted):
            raise LedgerError(f"codes = {wanted!r}, expected integers 0..2^32-1")
        return f" AND {column} IN ({', '.join(str(c) for c in wanted)})"

    def _columns(
        self, con: Any, tail: str, params: Sequence[Any], kinds: Sequence[tuple[str, str]]
    ) -> list[np.ndarray]:
        """``SELECT <kinds' columns> <tail>`` as one array per column (row pages; PostgreSQL overrides it
        with a binary COPY)."""
        sql = f"SELECT {', '.join(n for n, _ in kinds)} {tail}".replace("?", self.placeholder)
        cur = con.execute(sql, list(params))
        parts: list[list[np.ndarray]] = []
        while rows := cur.fetchmany(200_000):
            parts.append(rows_to_columns(rows, tuple(kinds), dec_int=True))
        if not parts:
            return rows_to_columns([], tuple(kinds), dec_int=True)
        return [np.concatenate(cols) for cols in zip(*parts, strict=True)]

    def last_timestamp(self) -> int:
        """The newest transfer's timestamp (0 on an empty ledger): a cutoff for later scans."""
        with self._read() as con:
            row = self._q(con, "SELECT max(ts) FROM transfers")
        return int(row[0][0] or 0)

    def snapshot(self) -> tuple[list[Account], Iterator[Transfer], list[Pending]]:
        """Everything in one snapshot (for reconciliation): accounts, transfers by time, pending states."""
        with self._read() as con:
            accounts = [
                self._account(r) for r in self._q(con, f"SELECT {ACCOUNT_COLS} FROM accounts ORDER BY id")
            ]
            transfers = [
                self._transfer(r) for r in self._q(con, f"SELECT {TRANSFER_COLS} FROM transfers ORDER BY ts")
            ]
            pending = [
                self._pending(r) for r in self._q(con, f"SELECT {PENDING_COLS} FROM pending ORDER BY id")
            ]
        return accounts, iter(transfers), pending


def _positions(keys: np.ndarray, accounts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each of ``accounts`` sits in the sorted ``keys`` (``sort_key`` form), and whether it is there."""
    want = sort_key(accounts)
    i = np.searchsorted(keys, want)
    i[i == len(keys)] = 0
    return i, keys[i] == want if len(keys) else np.zeros(len(want), dtype=bool)


def _check_time(value: object, what: str) -> None:
    if not in_range(value, TIMESTAMP_END):
        raise LedgerError(f"{what} = {value!r}, expected a ledger timestamp 0..2^63-1 (ns since the epoch)")
