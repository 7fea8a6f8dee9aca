"""Money tests run every ledger test on SQLite and on the real PostgreSQL (a fresh schema per ledger,
dropped afterwards); warehouses are real DuckDB files in tmp_path.

PostgreSQL: ``GUANGHE_TEST_POSTGRES_URL`` (default postgresql://postgres@127.0.0.1:5432/test). Unreachable:
FAIL when ``CI`` is set, else skip loudly (``tests/servers.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from guanghe.ledger import LedgerStore, open_ledger
from servers import fresh_store_urls, postgres_available


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgres":
        postgres_available()
    return request.param


@pytest.fixture
def make_ledger_url(backend: str, tmp_path) -> Iterator[Callable[[], str]]:
    """Fresh, empty ledger URLs on the current backend (files in tmp_path / fresh schemas, dropped after)."""
    with fresh_store_urls(backend, tmp_path, "m") as make:
        yield make


@pytest.fixture
def make_ledger(make_ledger_url) -> Iterator[Callable[..., LedgerStore]]:
    """``make_ledger(url=None)``: a store (created); all closed at teardown."""
    opened: list[LedgerStore] = []

    def make(url: str | None = None) -> LedgerStore:
        opened.append(open_ledger(url or make_ledger_url(), create=True))
        return opened[-1]

    yield make
    for s in opened:
        s.close()
