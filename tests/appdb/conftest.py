"""One suite, two databases: every ``url``/``db`` test runs on a SQLite file and on the real PostgreSQL.

PostgreSQL: ``GUANGHE_TEST_POSTGRES_URL`` (default postgresql://postgres@127.0.0.1:5432/test); each test
gets fresh random schemas, dropped afterwards. Unreachable: FAIL when ``CI`` is set, else skip loudly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest

from guanghe.appdb import AppDb, open_appdb
from servers import PG_URL, fresh_store_urls, postgres_available


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgres":
        postgres_available()
    return request.param


@pytest.fixture
def make_url(backend: str, tmp_path: Path) -> Iterator[Callable[[], str]]:
    """A factory of URLs naming fresh, missing databases (files in tmp_path / schemas not yet made)."""
    with fresh_store_urls(backend, tmp_path, "t") as make:
        yield make


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
