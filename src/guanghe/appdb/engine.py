"""One URL, one engine: ``sqlite:///file`` (embedded) or ``postgresql://user@host:port/db?schema=name``.

A read never creates a store: without ``create`` a missing SQLite file or PostgreSQL schema is
``AppDbMissing`` and nothing is made (SQLite opens in ``mode=rw``; the schema is looked up, not created)."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from sqlalchemy.pool import QueuePool, StaticPool

from guanghe.appdb.types import AppDbError, AppDbMissing
from guanghe.config import SettingError, StoreMissing, StoreURL, creatable_file, existing_file, parse_url

SCHEMES = ("sqlite", "postgresql", "postgres")
SETTING = "application database URL"
WHAT = "application database"
FIRST_STEP = "run guanghe db upgrade"


@dataclass
class AppDb:
    """An open application database: the SQLAlchemy engine and, on PostgreSQL, the schema it lives in."""

    url: str
    engine: Engine
    where: str  # for messages: the file's absolute path, or the server URL (no password) and schema
    schema: str | None = None  # PostgreSQL only

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> AppDb:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def redact(url: str) -> str:
    """A connection URL without its password, for messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@", 1)))


def split_schema(url: str) -> tuple[str, str]:
    """``(connection URL, schema)`` from a PostgreSQL URL with an optional ``schema`` query parameter."""
    parts = urlsplit(url.replace("postgres://", "postgresql://", 1))
    query = parse_qsl(parts.query)
    schema = next((v for k, v in query if k == "schema"), "public")
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", schema):  # lower case: no quoting anywhere
        raise SettingError(
            f"{SETTING} {url!r}: bad schema name {schema!r}: expected lower-case letters, digits and _"
        )
    rest = urlencode([(k, v) for k, v in query if k != "schema"])
    return urlunsplit(parts._replace(query=rest)), schema


def connect(url: str, create: bool = False) -> AppDb:
    """The engine a URL names; ``create`` makes a missing SQLite file or PostgreSQL schema (nothing else)."""
    parsed = parse_url(url, SCHEMES, SETTING)
    if parsed.scheme == "sqlite":
        return _sqlite(url, parsed, create)
    return _postgres(url, create)


def _sqlite(url: str, parsed: StoreURL, create: bool) -> AppDb:
    if parsed.path is None:  # in memory: one connection shared by every session
        engine = create_engine(
            "sqlite://",
            poolclass=StaticPool,
            connect_args={"check_same_thread": False, "isolation_level": None},
        )
        where = "sqlite:// (in memory)"
    else:
        try:
            file = creatable_file(parsed, WHAT) if create else existing_file(parsed, WHAT)
        except StoreMissing as e:
            raise AppDbMissing(f"{e}; {FIRST_STEP}" if not create else str(e)) from e
        mode = "rwc" if create else "rw"  # mode=rw never creates the file (not even racing a delete)
        target = f"file:{quote(str(file.absolute()))}?mode={mode}"
        # QueuePool, explicitly: for the URL "sqlite://" SQLAlchemy would pick SingletonThreadPool (meant for
        # in-memory databases), which closes other threads' connections beyond 5 threads — under a server's
        # thread pool that was "Cannot operate on a closed database" and crashes. One connection per
        # concurrent session, up to 50 (a threadpool's 40 and some).
        engine = create_engine(
            "sqlite://",
            creator=lambda: sqlite3.connect(
                target, uri=True, timeout=30, check_same_thread=False, isolation_level=None
            ),
            poolclass=QueuePool,
            pool_size=5,
            max_overflow=45,
        )
        where = parsed.describe()
    event.listen(engine, "connect", _sqlite_pragmas)
    event.listen(engine, "begin", _sqlite_begin)
    try:  # open it now (with create: make the file), so a bad file fails here, once, clearly
        with engine.begin() as con:
            con.exec_driver_sql("SELECT count(*) FROM sqlite_master")
    except SQLAlchemyError as e:
        engine.dispose()
        raise AppDbError(f"cannot open the SQLite {WHAT} at {where}: {e.orig or e}") from e
    return AppDb(url, engine, where)


READ_ONLY = "guanghe_read_only"  # an execution option: this connection only reads


@contextmanager
def read_session(db: AppDb) -> Iterator[Session]:
    """A session in one transaction that only reads (on SQLite a deferred BEGIN: no write lock taken)."""
    with db.engine.connect().execution_options(**{READ_ONLY: True}) as con, Session(bind=con) as s, s.begin():
        yield s


def _sqlite_pragmas(con: Any, _record: object) -> None:
    con.execute("PRAGMA foreign_keys = ON")
    con.execute("PRAGMA busy_timeout = 30000")
    con.execute("PRAGMA journal_mode = WAL")  # readers never wait for the writer; one fsync per commit


def _sqlite_begin(con: Connection) -> None:
    """SQLAlchemy's recipe: the driver runs in autocommit and we BEGIN, so DDL (migrations) is transactional
    too; IMMEDIATE takes the write lock up front (two deferred writers cannot deadlock into SQLITE_BUSY). A
    connection marked ``READ_ONLY`` (``read_session``) begins a deferred read: it takes no write lock."""
    con.exec_driver_sql("BEGIN" if con.get_execution_options().get(READ_ONLY) else "BEGIN IMMEDIATE")


def _postgres(url: str, create: bool) -> AppDb:
    conninfo, schema = split_schema(url)
    where = f"{redact(conninfo)} schema {schema}"
    sa_url = conninfo.replace("postgresql://", "postgresql+psycopg://", 1)
    try:
        engine = create_engine(
            sa_url, connect_args={"options": f"-csearch_path={schema}", "connect_timeout": 10}
        )
    except ImportError as e:
        raise AppDbError(f"the postgresql:// {WHAT} needs psycopg: pip install 'guanghe[postgres]'") from e
    try:
        with engine.begin() as con:
            found = con.execute(
                text("SELECT 1 FROM information_schema.schemata WHERE schema_name = :s"), {"s": schema}
            ).first()
            if found is None and not create:
                raise AppDbMissing(f"no {WHAT} at {where} (no such schema); {FIRST_STEP}")
            if found is None:
                con.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    except SQLAlchemyError as e:
        engine.dispose()
        raise AppDbError(f"cannot connect to the PostgreSQL {WHAT} {redact(conninfo)}: {e.orig or e}") from e
    except AppDbError:
        engine.dispose()
        raise
    return AppDb(url, engine, where, schema)
