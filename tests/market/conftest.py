"""Order tests run every database test on SQLite files and on the real PostgreSQL: the application database
fixtures are tests/appdb/conftest.py's (``backend``, ``make_url``, ``url``, ``db``), loaded from that file;
the ledger is a second fresh store on the same backend. The cast (``World``) is in ``order_world``. The API
tests add a small synthetic platform in a DuckDB warehouse, built once per session."""

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


@pytest.fixture(scope="session")
def market_warehouse(tmp_path_factory) -> str:
    """A 1,500-creator, 24-month synthetic platform ingested into a DuckDB file (closed: the app opens it
    read-only); its URL."""
    from guanghe.data.ingest import ingest
    from guanghe.data.warehouse import open_warehouse
    from guanghe.synth import SynthConfig, generate

    root = tmp_path_factory.mktemp("market_api")
    generate(SynthConfig(creators=1_500, months=24, seed=3), root / "synth")
    url = f"duckdb:///{root / 'wh.duckdb'}"
    with open_warehouse(url, create=True) as wh:
        ingest([root / "synth" / "data"], wh)
    return url


@pytest.fixture(scope="session")
def members(market_warehouse: str) -> tuple[int, int, int]:
    """(an agency with creators, one of its creators, a creator of no agency), from ``creators.mcn_id``."""
    from guanghe.data.warehouse import open_warehouse

    with open_warehouse(market_warehouse, read_only=True) as wh:
        rows = wh.fetch(
            wh.table("creators").select("creator_id", "mcn_id").order_by("creator_id")
        ).to_pylist()
    mcn_id = next(r["mcn_id"] for r in rows if r["mcn_id"] is not None)
    creator_id = next(r["creator_id"] for r in rows if r["mcn_id"] == mcn_id)
    free = next(r["creator_id"] for r in rows if r["mcn_id"] is None)
    return mcn_id, creator_id, free


@pytest.fixture(scope="module")
def api(market_warehouse: str, members, tmp_path_factory):
    """The app over a SQLite application database, with one key per role: ``(Client, Keys)``."""
    from api_helpers import Client, build, make_keys

    root = tmp_path_factory.mktemp("market_api_db")
    url, ledger_url = f"sqlite:///{root / 'app.sqlite3'}", f"sqlite:///{root / 'ledger.sqlite3'}"
    keys = make_keys(url, members)
    open_ledger(ledger_url, create=True).close()
    app = build(market_warehouse, url, ledger=ledger_url)
    yield Client(app), keys
    app.state.market.db.close()
