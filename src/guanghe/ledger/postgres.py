"""PostgreSQL store: ``SELECT ... FOR UPDATE`` of the meta row is the ledger lock; COPY + set-based updates.

``postgresql://user@host:port/db?schema=name`` keeps the ledger's tables in schema ``name`` (created if
missing; default ``public``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import numpy as np
import psycopg

try:  # the C bytea dumper (the "bytea" name otherwise maps to a Python-level DB-API dumper in COPY)
    from psycopg_binary._psycopg import BytesBinaryDumper
except ImportError:  # pure-Python psycopg
    from psycopg.types.string import BytesBinaryDumper

from guanghe.ledger.columns import U128, copy_dtype, copy_to_columns
from guanghe.ledger.engine import Effects
from guanghe.ledger.reads import ACCOUNT_COLS
from guanghe.ledger.store import LedgerStore
from guanghe.ledger.types import LedgerError, LedgerMissing

SCHEMA = """
CREATE TABLE IF NOT EXISTS ledger_meta (k INTEGER PRIMARY KEY, last_ts BIGINT NOT NULL);
INSERT INTO ledger_meta VALUES (1, 0) ON CONFLICT DO NOTHING;
CREATE TABLE IF NOT EXISTS accounts (
  id BYTEA PRIMARY KEY, ledger BIGINT NOT NULL, code BIGINT NOT NULL, flags BIGINT NOT NULL, user_data BYTEA,
  debits_pending BIGINT NOT NULL, debits_posted BIGINT NOT NULL, credits_pending BIGINT NOT NULL,
  credits_posted BIGINT NOT NULL, ts BIGINT NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS transfers (
  id BYTEA PRIMARY KEY, debit_account_id BYTEA NOT NULL, credit_account_id BYTEA NOT NULL,
  amount BIGINT NOT NULL,
  pending_id BYTEA, user_data BYTEA, ledger BIGINT NOT NULL, code BIGINT NOT NULL, flags BIGINT NOT NULL,
  timeout BIGINT NOT NULL, ts BIGINT NOT NULL UNIQUE
);
CREATE INDEX IF NOT EXISTS transfers_debit ON transfers (debit_account_id, ts);
CREATE INDEX IF NOT EXISTS transfers_credit ON transfers (credit_account_id, ts);
CREATE INDEX IF NOT EXISTS transfers_pending ON transfers (pending_id) WHERE pending_id IS NOT NULL;
CREATE TABLE IF NOT EXISTS pending (
  id BYTEA PRIMARY KEY, debit_account_id BYTEA NOT NULL, credit_account_id BYTEA NOT NULL,
  amount BIGINT NOT NULL,
  expires_at BIGINT NOT NULL, status TEXT NOT NULL, resolved_at BIGINT NOT NULL, resolved_by BYTEA
);
CREATE INDEX IF NOT EXISTS pending_due ON pending (expires_at) WHERE status = 'pending' AND expires_at > 0;
"""
_TRANSFER_TYPES = [
    "bytea",
    "bytea",
    "bytea",
    "int8",
    "bytea",
    "bytea",
    "int8",
    "int8",
    "int8",
    "int8",
    "int8",
]
_ZERO16 = "'\\x" + "00" * 16 + "'::bytea"
_COPY_HEADER, _COPY_TRAILER = 19, b"\xff\xff"  # PGCOPY signature, flags, extension length; end marker
_ACCOUNT_TYPES = ["bytea", "int8", "int8", "int8", "bytea", "int8", "int8", "int8", "int8", "int8"]
_PENDING_TYPES = ["bytea", "bytea", "bytea", "int8", "int8", "text", "int8", "bytea"]


TABLES = ("accounts", "ledger_meta", "pending", "transfers")


def redact(conninfo: str) -> str:
    """A connection URL without its password, for messages."""
    parts = urlsplit(conninfo)
    if parts.password is None:
        return conninfo
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def split_schema(url: str) -> tuple[str, str]:
    """``(connection URL, schema)`` from a ledger URL with an optional ``schema`` query parameter."""
    parts = urlsplit(url.replace("postgres://", "postgresql://", 1))
    query = parse_qsl(parts.query)
    schema = next((v for k, v in query if k == "schema"), "public")
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,62}", schema):
        raise LedgerError(f"bad schema name {schema!r} in ledger URL: expected letters, digits and _")
    rest = urlencode([(k, v) for k, v in query if k != "schema"])
    return urlunsplit(parts._replace(query=rest)), schema


class PostgresStore(LedgerStore):
    placeholder = "%s"
    for_update = " FOR UPDATE"

    def __init__(self, url: str, clock: Callable[[], int] | None = None, create: bool = False) -> None:
        super().__init__(url, clock)
        conninfo, self.schema = split_schema(url)
        where = f"{redact(conninfo)} schema {self.schema}"
        try:
            self.con = psycopg.connect(conninfo, autocommit=True, connect_timeout=10)
        except psycopg.Error as e:
            raise LedgerError(f"cannot connect to PostgreSQL ledger {redact(conninfo)}: {e}") from e
        try:
            self.con.adapters.register_dumper(bytes, BytesBinaryDumper)
            # nothing waits forever: a writer stuck inside a transaction is cut off by the server, a queued
            # one gives up with an error (deadlocks cannot form: every writer takes the one ledger lock first)
            self.con.execute("SET idle_in_transaction_session_timeout = '60s'")
            self.con.execute("SET lock_timeout = '120s'")
            if not create:  # a read never creates: the schema must already hold the ledger's tables
                found = self.con.execute(
                    "SELECT count(*) FROM information_schema.tables WHERE table_schema = %s "
                    "AND table_name = ANY(%s)",
                    (self.schema, list(TABLES)),
                ).fetchone()
                if not found or found[0] != len(TABLES):
                    raise LedgerMissing(f"no ledger at {where} (no ledger tables there)")
                self.con.execute(f'SET search_path TO "{self.schema}"')
                return
            with self.con.transaction():
                self.con.execute("SELECT pg_advisory_xact_lock(hashtext('guanghe-ledger-schema'))")
                self.con.execute(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"')
                self.con.execute(f'SET search_path TO "{self.schema}"')
                self.con.execute(SCHEMA)
        except BaseException:
            self.con.close()
            raise

    @classmethod
    def from_url(
        cls, url: str, clock: Callable[[], int] | None = None, create: bool = False
    ) -> PostgresStore:
        return cls(url, clock, create=create)

    @contextmanager
    def _write(self) -> Iterator[psycopg.Connection]:
        with self.con.transaction():
            yield self.con

    @contextmanager
    def _read(self) -> Iterator[psycopg.Connection]:
        self.con.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        try:
            yield self.con
        finally:
            self.con.execute("COMMIT")

    def _fetch_in(self, con: Any, sql: str, keys: list[bytes]) -> list[Sequence[Any]]:
        if not keys:
            return []
        return con.execute(sql.replace("{in}", "= ANY(%b::bytea[])"), (keys,)).fetchall()

    def _columns(
        self, con: Any, tail: str, params: Sequence[Any], kinds: Sequence[tuple[str, str]]
    ) -> list[np.ndarray]:
        """A binary COPY whose columns all have a fixed width (null 128-bit values become 16 zero bytes), so
        numpy parses the stream in blocks of whole rows."""
        exprs = ", ".join(f"COALESCE({n}, {_ZERO16})" if k == U128 else n for n, k in kinds)
        dtype = copy_dtype(tuple(kinds))
        size = dtype.itemsize
        sql = f"COPY (SELECT {exprs} {tail.replace('?', '%s')}) TO STDOUT (FORMAT BINARY)"
        parts: list[list[np.ndarray]] = []
        buf = bytearray()
        start = _COPY_HEADER
        with con.cursor().copy(sql, list(params)) as cp:
            for chunk in cp:
                buf += chunk
                whole = (len(buf) - start) // size
                if whole * size >= 8 << 20:  # parse every ~8 MiB of rows
                    block = np.frombuffer(buf, dtype, whole, start)
                    parts.append(copy_to_columns(block, tuple(kinds)))
                    del block  # releases the buffer so it can shrink
                    del buf[: start + whole * size]
                    start = 0
        whole = (len(buf) - start - len(_COPY_TRAILER)) // size
        if bytes(buf[start + whole * size :]) != _COPY_TRAILER:
            raise LedgerError("unexpected binary COPY stream from PostgreSQL (a column is not fixed-width)")
        parts.append(copy_to_columns(np.frombuffer(buf, dtype, whole, start), tuple(kinds)))
        return [np.concatenate(cols) for cols in zip(*parts, strict=True)]

    def _insert_accounts(self, con: Any, rows: list[tuple]) -> None:
        with con.cursor().copy(f"COPY accounts ({ACCOUNT_COLS}) FROM STDIN (FORMAT BINARY)") as cp:
            cp.set_types(_ACCOUNT_TYPES)
            for r in rows:
                cp.write_row(r)

    def _persist(self, con: Any, fx: Effects) -> None:
        enc, enc0 = self.enc, self.enc0
        cur = con.cursor()
        if fx.transfers:
            with cur.copy(
                "COPY transfers (id, debit_account_id, credit_account_id, amount, pending_id, user_data, "
                "ledger, code, flags, timeout, ts) FROM STDIN (FORMAT BINARY)"
            ) as cp:
                cp.set_types(_TRANSFER_TYPES)
                for t in fx.transfers:
                    cp.write_row(self.transfer_row(t))
        if fx.pending_new:
            with cur.copy("COPY pending FROM STDIN (FORMAT BINARY)") as cp:
                cp.set_types(_PENDING_TYPES)
                for p in fx.pending_new:
                    cp.write_row(self.pending_row(p))
        if fx.pending_resolved:
            ps = fx.pending_resolved
            cur.execute(
                "UPDATE pending SET status = v.status, resolved_at = v.at, resolved_by = v.by FROM unnest("
                "%b::bytea[], %b::text[], %b::int8[], %b::bytea[]) AS v(id, status, at, by) "
                "WHERE pending.id = v.id AND pending.status = 'pending'",
                (
                    [enc(p.id) for p in ps],
                    [p.status for p in ps],
                    [p.resolved_at for p in ps],
                    [enc0(p.resolved_by) for p in ps],
                ),
            )
            if cur.rowcount != len(ps):
                raise LedgerError("a pending transfer was already resolved: batch rolled back")
        rows = fx.accounts
        cur.execute(
            "UPDATE accounts SET debits_pending = v.dp, debits_posted = v.dpo, credits_pending = v.cp, "
            "credits_posted = v.cpo FROM unnest(%b::bytea[], %b::int8[], %b::int8[], %b::int8[], %b::int8[]) "
            "AS v(id, dp, dpo, cp, cpo) WHERE accounts.id = v.id",
            (
                [enc(r.id) for r in rows],
                [r.dp for r in rows],
                [r.dpo for r in rows],
                [r.cp for r in rows],
                [r.cpo for r in rows],
            ),
        )
        cur.execute("UPDATE ledger_meta SET last_ts = %s WHERE k = 1", (fx.last_timestamp,))

    def close(self) -> None:
        self.con.close()
