"""SQLite store (the embedded default): one file in WAL mode; ``BEGIN IMMEDIATE`` is the ledger lock."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

from guanghe.config import SettingError, StoreMissing, creatable_file, parse_url
from guanghe.ledger.engine import Effects
from guanghe.ledger.store import LedgerStore
from guanghe.ledger.types import LedgerError, LedgerMissing

SCHEMA = """
CREATE TABLE IF NOT EXISTS ledger_meta (k INTEGER PRIMARY KEY, last_ts INTEGER NOT NULL);
INSERT OR IGNORE INTO ledger_meta VALUES (1, 0);
CREATE TABLE IF NOT EXISTS accounts (
  id BLOB PRIMARY KEY, ledger INTEGER NOT NULL, code INTEGER NOT NULL, flags INTEGER NOT NULL, user_data BLOB,
  debits_pending INTEGER NOT NULL, debits_posted INTEGER NOT NULL, credits_pending INTEGER NOT NULL,
  credits_posted INTEGER NOT NULL, ts INTEGER NOT NULL UNIQUE
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS transfers (
  ts INTEGER PRIMARY KEY, id BLOB NOT NULL UNIQUE, debit_account_id BLOB NOT NULL,
  credit_account_id BLOB NOT NULL,
  amount INTEGER NOT NULL, pending_id BLOB, user_data BLOB, ledger INTEGER NOT NULL, code INTEGER NOT NULL,
  flags INTEGER NOT NULL, timeout INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS transfers_debit ON transfers (debit_account_id, ts);
CREATE INDEX IF NOT EXISTS transfers_credit ON transfers (credit_account_id, ts);
CREATE INDEX IF NOT EXISTS transfers_pending ON transfers (pending_id) WHERE pending_id IS NOT NULL;
CREATE TABLE IF NOT EXISTS pending (
  id BLOB PRIMARY KEY, debit_account_id BLOB NOT NULL, credit_account_id BLOB NOT NULL,
  amount INTEGER NOT NULL,
  expires_at INTEGER NOT NULL, status TEXT NOT NULL, resolved_at INTEGER NOT NULL, resolved_by BLOB
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS pending_due ON pending (expires_at) WHERE status = 'pending' AND expires_at > 0;
"""
_CHUNK = 30_000  # below SQLite's 32,766 bound-variable limit


TABLES = ("accounts", "ledger_meta", "pending", "transfers")


class SQLiteStore(LedgerStore):
    """``path``: the database file (``:memory:`` in memory). Without ``create`` the file must already hold a
    ledger (``LedgerMissing`` otherwise; nothing is created or changed); with it, a missing file is created
    (its folder must exist) and the tables are made."""

    def __init__(
        self,
        path: str,
        clock: Callable[[], int] | None = None,
        busy_timeout_s: float = 60.0,
        create: bool = False,
        where: str | None = None,
    ) -> None:
        super().__init__(f"sqlite:///{path}" if path != ":memory:" else "sqlite://", clock)
        where = where or path
        memory = path == ":memory:"
        if not memory and not create and not Path(path).is_file():
            raise LedgerMissing(f"no ledger at {where}")
        # mode=rw never creates the file (a read racing a delete cannot leave an empty one behind)
        mode = "rwc" if create else "rw"
        target = path if memory else f"file:{quote(str(Path(path).absolute()))}?mode={mode}"
        try:
            self.con = sqlite3.connect(
                target, isolation_level=None, timeout=busy_timeout_s, check_same_thread=False, uri=not memory
            )
        except sqlite3.Error as e:
            raise LedgerError(f"cannot open SQLite ledger {where}: {e}") from e
        try:
            self.con.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
            if not create and not memory:
                tables = {
                    r[0] for r in self.con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
                }
                if not tables >= set(TABLES):
                    raise LedgerMissing(f"no ledger at {where} (the file holds no ledger tables)")
            self.con.execute("PRAGMA journal_mode = WAL")
            self.con.execute("PRAGMA synchronous = FULL")
            self.con.execute("PRAGMA cache_size = -262144")  # 256 MiB: index inserts stay in memory
            if create or memory:
                self.con.executescript("BEGIN IMMEDIATE;" + SCHEMA + "COMMIT;")
        except BaseException as e:
            self.con.close()
            if isinstance(e, sqlite3.Error):
                raise LedgerError(f"cannot open SQLite ledger {where}: {e}") from e
            raise

    @staticmethod
    def enc(i: int) -> Any:
        """Ids below 2**63 as INTEGER (compact, fast), larger ones as 16-byte BLOBs: SQLite sorts every
        INTEGER before every BLOB, so numeric order is kept."""
        return i if i < 0x8000000000000000 else i.to_bytes(16, "big")

    @staticmethod
    def dec(v: Any) -> int:
        return v if type(v) is int else int.from_bytes(v, "big") if v else 0

    @classmethod
    def from_url(cls, url: str, clock: Callable[[], int] | None = None, create: bool = False) -> SQLiteStore:
        try:
            parsed = parse_url(url, ("sqlite",), "ledger URL")
            if parsed.in_memory:
                return cls(":memory:", clock)
            path = creatable_file(parsed, "ledger") if create else parsed.file()
        except StoreMissing as e:
            raise LedgerMissing(str(e)) from e
        except SettingError as e:
            raise LedgerError(str(e)) from e
        return cls(str(path), clock, create=create, where=parsed.describe())

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        self.con.execute("BEGIN IMMEDIATE")
        try:
            yield self.con
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        self.con.execute("COMMIT")

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        self.con.execute("BEGIN")
        try:
            yield self.con
        finally:
            self.con.execute("COMMIT")

    def _fetch_in(self, con: Any, sql: str, keys: list[bytes]) -> list[Sequence[Any]]:
        rows: list[Sequence[Any]] = []
        for i in range(0, len(keys), _CHUNK):
            chunk = keys[i : i + _CHUNK]
            rows += con.execute(sql.replace("{in}", f"IN ({','.join('?' * len(chunk))})"), chunk).fetchall()
        if "ORDER BY id" in sql and len(keys) > _CHUNK:
            rows.sort(key=lambda r: self.dec(r[0]))
        return rows

    def _persist(self, con: Any, fx: Effects) -> None:
        enc, enc0 = self.enc, self.enc0
        con.executemany(
            "INSERT INTO transfers (id, debit_account_id, credit_account_id, amount, pending_id, user_data, "
            "ledger, "
            "code, flags, timeout, ts) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            [self.transfer_row(t) for t in fx.transfers],
        )
        con.executemany(
            "INSERT INTO pending VALUES (?,?,?,?,?,?,?,?)",
            [self.pending_row(p) for p in fx.pending_new],
        )
        cur = con.executemany(
            "UPDATE pending SET status = ?, resolved_at = ?, resolved_by = ? "
            "WHERE id = ? AND status = 'pending'",
            [(p.status, p.resolved_at, enc0(p.resolved_by), enc(p.id)) for p in fx.pending_resolved],
        )
        if fx.pending_resolved and cur.rowcount != len(fx.pending_resolved):
            raise LedgerError("a pending transfer was already resolved: batch rolled back")
        con.executemany(
            "UPDATE accounts SET debits_pending = ?, debits_posted = ?, credits_pending = ?, "
            "credits_posted = ? "
            "WHERE id = ?",
            [(r.dp, r.dpo, r.cp, r.cpo, enc(r.id)) for r in fx.accounts],
        )
        con.execute("UPDATE ledger_meta SET last_ts = ? WHERE k = 1", (fx.last_timestamp,))

    def close(self) -> None:
        self.con.close()
