"""One suite, two stores: every ``store``/``make_store`` test runs on SQLite and on the real PostgreSQL.

PostgreSQL: ``GUANGHE_TEST_POSTGRES_URL`` (default postgresql://postgres@127.0.0.1:5432/test); each store
gets a fresh random schema, dropped afterwards. Unreachable: FAIL when ``CI`` is set, else skip loudly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from ledger_clock import FakeClock

from guanghe.ledger import CNY, Account, AccountCode, LedgerStore, open_ledger
from servers import fresh_store_urls, postgres_available


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgres":
        postgres_available()
    return request.param


@pytest.fixture
def make_url(backend: str, tmp_path) -> Iterator[Callable[[], str]]:
    """A factory of fresh, empty ledger URLs on the current backend (files in tmp_path / fresh schemas)."""
    with fresh_store_urls(backend, tmp_path, "t") as make:
        yield make


@pytest.fixture
def make_store(make_url: Callable[[], str]) -> Iterator[Callable[..., LedgerStore]]:
    """A factory of fresh stores: ``make_store(clock=None, url=None)``; all closed at teardown."""
    opened: list[LedgerStore] = []

    def make(clock: Callable[[], int] | None = None, url: str | None = None) -> LedgerStore:
        opened.append(open_ledger(url or make_url(), clock, create=True))
        return opened[-1]

    yield make
    for s in opened:
        s.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(make_store, clock) -> LedgerStore:
    """A fresh store with accounts: 1 platform (no limits), 2 and 3 creators (debits <= credits),
    4 a funding account (credits <= debits), 5 on another ledger; all CNY except 5 (USD 840)."""
    s = make_store(clock)
    res = s.create_accounts(
        [
            Account(1, CNY, AccountCode.PLATFORM_REVENUE),
            Account(2, CNY, AccountCode.CREATOR_BALANCE, flags=2),
            Account(3, CNY, AccountCode.CREATOR_BALANCE, flags=2),
            Account(4, CNY, AccountCode.BRAND_FUNDING, flags=4),
            Account(5, 840, AccountCode.CREATOR_BALANCE),
        ]
    )
    assert res == ["ok"] * 5
    return s
