"""Order tests run every database test on SQLite files and on the real PostgreSQL: the application database
fixtures are tests/appdb/conftest.py's (``backend``, ``make_url``, ``url``, ``db``), loaded from that file;
the ledger is a second fresh store on the same backend. ``World`` is the cast of an order's life."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from guanghe.appdb import AppDb, create_key
from guanghe.ledger import LedgerStore, open_ledger
from guanghe.ledger.reconcile import reconcile
from guanghe.market import orders as o
from guanghe.market.offers import create_campaign, get_order, make_offer
from guanghe.market.order_types import Market
from guanghe.money.rules import CHANNELS_DIR
from guanghe.money.rules_load import load_rules
from guanghe.programs import PROGRAMS_DIR

_spec = importlib.util.spec_from_file_location(
    "appdb_conftest", Path(__file__).parents[1] / "appdb" / "conftest.py"
)
assert _spec is not None and _spec.loader is not None
_appdb = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_appdb)
backend, make_url, url, db = _appdb.backend, _appdb.make_url, _appdb.url, _appdb.db

RULES, PROGRAM_NAMES = load_rules(CHANNELS_DIR, PROGRAMS_DIR)
BRAND, OTHER_BRAND, CREATOR, OTHER_CREATOR, MCN, OTHER_MCN = 42, 43, 7, 8, 900, 901
WORK, OTHERS_WORK, NO_WORK = 5001, 5002, 5999
T0 = datetime(2023, 6, 1, 2, 0, tzinfo=UTC)
DEADLINE = date(2023, 6, 20)
PRICE = 100_000


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


class World:
    """Principals (a brand, another brand, the creator, another creator, the creator's MCN, another MCN, an
    operator), one open campaign, works in a warehouse-like table, and a clock."""

    def __init__(self, m: Market) -> None:
        self.m = m
        key = lambda kind, name, ext=None: create_key(m.db, kind, name, external_id=ext)[0]  # noqa: E731
        self.brand, self.other_brand = key("brand", "Acme", BRAND), key("brand", "Other", OTHER_BRAND)
        self.creator, self.other_creator = key("creator", "Lin", CREATOR), key("creator", "Wu", OTHER_CREATOR)
        self.mcn, self.other_mcn = key("mcn", "Star", MCN), key("mcn", "Moon", OTHER_MCN)
        self.operator = key("operator", "Ops")
        self.campaign = create_campaign(
            m.db, self.brand, "Summer", "short videos", ["beauty"], 10_000_000, DEADLINE
        )
        self.works = {WORK: CREATOR, OTHERS_WORK: OTHER_CREATOR}
        self.now = T0

    def owner(self, work_id: int) -> int | None:
        return self.works.get(work_id)

    def tick(self, **delta: float) -> datetime:
        self.now += timedelta(**delta) if delta else timedelta(minutes=1)
        return self.now

    def offer(self, price: int = PRICE, programs: tuple[str, ...] = (), mcn: int | None = MCN) -> int:
        return make_offer(self.m, self.brand, self.campaign, CREATOR, "short_video", price, programs, mcn,
                          now=self.tick()).id  # fmt: skip

    def do(self, order_id: int, action: str, **args) -> o.Step:
        """One transition by the usual actor (brand, creator, operator or the system)."""
        m, now = self.m, self.tick()
        match action:
            case "accept":
                actor = (
                    self.brand
                    if get_order(m.db, order_id).state in ("countered", "delivered")
                    else self.creator
                )
                return o.accept(m, args.pop("actor", actor), order_id, now, **args)
            case "decline":
                return o.decline(m, args.pop("actor", self.creator), order_id, now, **args)
            case "counter":
                return o.counter(
                    m, args.pop("actor", self.creator), order_id, args.pop("price", 120_000), now=now, **args
                )
            case "fund":
                return o.fund(m, args.pop("actor", self.brand), order_id, now, **args)
            case "deliver":
                work = args.pop("work", WORK)
                return o.deliver(
                    m, args.pop("actor", self.creator), order_id, work, self.owner, now=now, **args
                )
            case "request_revision":
                return o.request_revision(m, args.pop("actor", self.brand), order_id, now=now, **args)
            case "dispute":
                return o.dispute(m, args.pop("actor", self.creator), order_id, "late", now=now, **args)
            case "resolve":
                return o.resolve(m, self.operator, order_id, args.pop("bps", 6000), now=now, **args)
            case "cancel":
                return o.cancel(m, args.pop("actor", self.brand), order_id, now, **args)
            case "auto_accept":
                return o.auto_accept(m, order_id, args.pop("at"))
            case "expire":
                return o.expire(m, order_id, args.pop("at"))
        raise AssertionError(action)

    def drive(self, *actions: str, price: int = PRICE, programs: tuple[str, ...] = ()) -> int:
        order_id = self.offer(price, programs)
        for a in actions:
            self.do(order_id, a)
        return order_id


# The shortest path into every state, from a new offer.
PATHS: dict[str, tuple[str, ...]] = {
    "offered": (),
    "countered": ("counter",),
    "accepted": ("accept",),
    "declined": ("decline",),
    "funded": ("accept", "fund"),
    "delivered": ("accept", "fund", "deliver"),
    "revision_requested": ("accept", "fund", "deliver", "request_revision"),
    "completed": ("accept", "fund", "deliver", "accept"),
    "cancelled": ("cancel",),
    "disputed": ("accept", "fund", "deliver", "dispute"),
    "resolved": ("accept", "fund", "deliver", "dispute", "resolve"),
}
