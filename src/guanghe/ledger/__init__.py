"""A double-entry money ledger (TigerBeetle-style accounts and transfers) on SQLite or PostgreSQL.

>>> with open_ledger("sqlite://") as ledger:
...     ledger.create_accounts([Account(1, CNY, 1), Account(2, CNY, 1)])
...     ledger.create_transfers([Transfer(10, 1, 2, 500, ledger=CNY, code=1)])
...     ledger.lookup_accounts([2])[0].credits_posted
[<CreateAccountResult.OK: 'ok'>, <CreateAccountResult.OK: 'ok'>]
[<CreateTransferResult.OK: 'ok'>]
500
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

from guanghe.config import SettingError, parse_url
from guanghe.ledger.store import LedgerStore
from guanghe.ledger.types import (
    CNY,
    POST_FULL,
    Account,
    AccountCode,
    AccountFlags,
    Balance,
    CreateAccountResult,
    CreateTransferResult,
    LedgerError,
    LedgerMissing,
    Pending,
    Transfer,
    TransferFlags,
)

# scheme -> "module:Class"; add an engine by adding a line here and a module beside this one.
STORES: dict[str, str] = {
    "sqlite": "guanghe.ledger.sqlite:SQLiteStore",
    "postgresql": "guanghe.ledger.postgres:PostgresStore",
    "postgres": "guanghe.ledger.postgres:PostgresStore",
}


def open_ledger(url: str, clock: Callable[[], int] | None = None, create: bool = False) -> LedgerStore:
    """Open the ledger a URL names: ``sqlite:///path.sqlite3`` or ``postgresql://user@host:port/db[?schema=s]``.

    A read never creates a store: without ``create`` a missing SQLite file, or a PostgreSQL schema without
    the ledger's tables, is ``LedgerMissing`` ("no ledger at ..."). With ``create`` (writes) the tables are
    made; a SQLite file may be created, but only in a folder that exists. ``sqlite://`` is in memory."""
    scheme = url.split("://", 1)[0] if "://" in url else ""
    if scheme not in STORES:
        raise LedgerError(
            f"unknown ledger URL {url!r}: expected sqlite:///FILE (relative to the working directory), "
            "sqlite:////abs/FILE or postgresql://user@host:port/db[?schema=name]"
        )
    try:
        parse_url(url, tuple(STORES), "ledger URL")
    except SettingError as e:
        raise LedgerError(str(e)) from e
    module, cls = STORES[scheme].split(":")
    try:
        engine = getattr(import_module(module), cls)
    except ImportError as e:
        raise LedgerError(f"the {scheme}:// ledger needs {e.name}: pip install 'guanghe[postgres]'") from e
    return engine.from_url(url, clock, create=create)


__all__ = [
    "CNY",
    "POST_FULL",
    "STORES",
    "Account",
    "AccountCode",
    "AccountFlags",
    "Balance",
    "CreateAccountResult",
    "CreateTransferResult",
    "LedgerError",
    "LedgerMissing",
    "LedgerStore",
    "Pending",
    "Transfer",
    "TransferFlags",
    "open_ledger",
]
