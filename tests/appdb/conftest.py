"""One suite, two databases: every ``url``/``db`` test runs on a SQLite file and on the real PostgreSQL.

PostgreSQL: ``GUANGHE_TEST_POSTGRES_URL`` (default postgresql://postgres@127.0.0.1:5432/test); each test
gets fresh random schemas, dropped afterwards. Unreachable: FAIL when ``CI`` is set, else skip loudly.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest

from guanghe.appdb import AppDb, open_appdb
from servers import PG_URL, postgres_available


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgres":
        postgres_available()
    return request.param


@pytest.fixture
def make_url(backend: str, tmp_path: Path) -> Iterator[Callable[[], str]]:
    """A factory of URLs naming fresh, missing databases (files in tmp_path / schemas not yet made)."""
    schemas: list[str] = []

    def make() -> str:
        if backend == "sqlite":
            return f"sqlite:///{tmp_path / uuid.uuid4().hex}.sqlite3"
        schemas.append(f"t_{uuid.uuid4().hex[:16]}")
        return f"{PG_URL}?schema={schemas[-1]}"

    yield make
    if schemas:
        with psycopg.connect(PG_URL, autocommit=True) as con:
            for s in schemas:
                con.execute(f'DROP SCHEMA IF EXISTS "{s}" CASCADE')


@pytest.fixture
def url(make_url: Callable[[], str]) -> str:
    return make_url()


@pytest.fixture
def db(url: str) -> Iterator[AppDb]:
    """A migrated application database (a SQLite file, or a fresh PostgreSQL schema)."""
    with open_appdb(url, create=True) as opened:
        yield opened


def schema_exists(name: str) -> bool:
    with psycopg.connect(PG_URL, autocommit=True) as con:
        return con.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (name,)).fetchone() is not None
