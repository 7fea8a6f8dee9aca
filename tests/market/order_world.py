"""The cast of an order's life for the order tests (imported by name: ``from order_world import ...``; the
fixtures are in this folder's conftest)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from guanghe.appdb import create_key
from guanghe.market import orders as o
from guanghe.market.offers import create_campaign, get_order, make_offer
from guanghe.market.order_types import Market
from guanghe.money.rules import CHANNELS_DIR
from guanghe.money.rules_load import load_rules
from guanghe.programs import PROGRAMS_DIR

RULES, PROGRAM_NAMES = load_rules(CHANNELS_DIR, PROGRAMS_DIR)
BRAND, OTHER_BRAND, CREATOR, OTHER_CREATOR, MCN, OTHER_MCN = 42, 43, 7, 8, 900, 901
WORK, OTHERS_WORK, NO_WORK = 5001, 5002, 5999
T0 = datetime(2023, 6, 1, 2, 0, tzinfo=UTC)
DEADLINE = date(2023, 6, 20)
PRICE = 100_000


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
