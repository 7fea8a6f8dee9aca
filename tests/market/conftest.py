"""Order tests run every database test on SQLite files and on the real PostgreSQL: the application database
fixtures are tests/appdb/conftest.py's (``backend``, ``make_url``, ``url``, ``db``), loaded from that file;
the ledger is a second fresh store on the same backend. The cast (``World``) is in ``order_world``."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path

import pytest
from order_world import RULES, World

from guanghe.appdb import AppDb
from guanghe.ledger import LedgerStore, open_ledger
from guanghe.ledger.reconcile import reconcile
from guanghe.market.order_types import Market

_spec = importlib.util.spec_from_file_location(
    "appdb_conftest", Path(__file__).parents[1] / "appdb" / "conftest.py"
)
assert _spec is not None and _spec.loader is not None
_appdb = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_appdb)
backend, make_url, url, db = _appdb.backend, _appdb.make_url, _appdb.url, _appdb.db


@pytest.fixture
def ledger(make_url) -> Iterator[LedgerStore]:
    with open_ledger(make_url(), create=True) as store:
        yield store


@pytest.fixture
def market(db: AppDb, ledger: LedgerStore) -> Market:
    return Market(db, ledger, RULES.brand_deal)


@pytest.fixture
def world(market: Market) -> Iterator[World]:
    w = World(market)
    yield w
    report = reconcile(market.ledger)
    assert report.ok, report.problems
