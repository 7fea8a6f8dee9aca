"""Fixtures of the settlement tests: each test runs on SQLite and on PostgreSQL (a fresh schema), with a
DuckDB warehouse. A test module loads them with ``pytest_plugins = ("settle_fixtures",)``; their names start
with ``settle_`` so they never shadow another suite's."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest

from guanghe.data.warehouse import Warehouse, open_warehouse
from guanghe.ledger import LedgerStore, open_ledger
from servers import PG_URL, postgres_available


@pytest.fixture(params=["sqlite", "postgres"])
def settle_backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgres":
        postgres_available()
    return request.param


@pytest.fixture
def settle_ledger_url(settle_backend: str, tmp_path) -> Iterator[str]:
    if settle_backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'ledger.sqlite3'}"
        return
    schema = f"s_{uuid.uuid4().hex[:16]}"
    yield f"{PG_URL}?schema={schema}"
    with psycopg.connect(PG_URL, autocommit=True) as con:
        con.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture
def settle_ledger(settle_ledger_url: str) -> Iterator[LedgerStore]:
    with open_ledger(settle_ledger_url, create=True) as store:
        yield store


@pytest.fixture
def settle_wh_url(tmp_path) -> str:
    url = f"duckdb:///{tmp_path / 'wh.duckdb'}"
    open_warehouse(url, create=True).close()
    return url


@pytest.fixture
def settle_wh(settle_wh_url: str) -> Iterator[Warehouse]:
    w = open_warehouse(settle_wh_url)
    yield w
    w.close()
