"""The real servers tests run against: PostgreSQL and Redis URLs, and the rule for an unreachable one
(fail when ``CI`` is set, else skip loudly). Shared by every room's tests (``pythonpath = ["tests"]``)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest

PG_URL = os.environ.get("GUANGHE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
_pg_error: list[str] = []


def postgres_available() -> None:
    """Skip (or fail under CI) when the PostgreSQL server cannot be reached."""
    if not _pg_error:
        try:
            psycopg.connect(PG_URL, connect_timeout=3).close()
            _pg_error.append("")
        except psycopg.Error as e:
            _pg_error.append(str(e).strip() or type(e).__name__)
    if _pg_error[0]:
        msg = f"PostgreSQL tests NOT RUN: cannot connect to {PG_URL}: {_pg_error[0]}"
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)


@contextmanager
def fresh_store_urls(backend: str, folder: Path, prefix: str = "t") -> Iterator[Callable[[], str]]:
    """A factory of URLs naming fresh, missing stores on ``backend``: SQLite files in ``folder``, or PostgreSQL
    schemas ``<prefix>_<random>`` (not made yet), all dropped when the block ends."""
    schemas: list[str] = []

    def make() -> str:
        if backend == "sqlite":
            return f"sqlite:///{folder / uuid.uuid4().hex}.sqlite3"
        schemas.append(f"{prefix}_{uuid.uuid4().hex[:16]}")
        return f"{PG_URL}?schema={schemas[-1]}"

    try:
        yield make
    finally:
        if schemas:
            with psycopg.connect(PG_URL, autocommit=True) as con:
                for s in schemas:
                    con.execute(f'DROP SCHEMA IF EXISTS "{s}" CASCADE')
