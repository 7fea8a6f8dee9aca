"""Order lives by hand, on SQLite and PostgreSQL: states, the audit trail and the ledger's money (amounts
hand-computed; the default fee is 5 %, 小麦计划 2 %, 品牌星推官 3 %). ``reconcile`` is clean after each test."""

from __future__ import annotations

from datetime import timedelta

import pytest
from order_world import BRAND, CREATOR, DEADLINE, NO_WORK, OTHERS_WORK, PRICE, WORK, World

from guanghe.ledger import LedgerStore
from guanghe.market import orders as o
from guanghe.market.errors import OrderError
from guanghe.market.escrow import brand_account, escrow_account, hold_id
from guanghe.market.offers import get_order, order_events
from guanghe.money.chart import creator_payable, platform_revenue

REVENUE = platform_revenue("brand_deal")


def money(ledger: LedgerStore) -> dict[str, tuple[int, int, int, int]]:
    """(debits pending, debits posted, credits pending, credits posted) of the order's four accounts."""
    ids = {"brand": brand_account(BRAND), "escrow": escrow_account(BRAND), "creator": creator_payable(CREATOR),
           "platform": REVENUE}  # fmt: skip
    found = {a.id: a for a in ledger.lookup_accounts(list(ids.values()))}
    out = {}
    for name, i in ids.items():
        a = found.get(i)
        out[name] = (
            (a.debits_pending, a.debits_posted, a.credits_pending, a.credits_posted) if a else (0, 0, 0, 0)
        )
    return out


def test_happy_path_by_hand(world: World) -> None:
    m = world.m
    order_id = world.offer()
    offered = get_order(m.db, order_id)
    assert (offered.state, offered.price_fen, offered.fee_fen, offered.fee_bps, offered.version) == (
        "offered", 100_000, 5_000, 500, 1)  # fmt: skip
    assert world.do(order_id, "accept").to_state == "accepted"
    funded = world.do(order_id, "fund")
    assert funded.to_state == "funded" and funded.transfers == (f"{hold_id(order_id):032x}",)
    assert money(m.ledger)["brand"] == (100_000, 0, 0, 0) and money(m.ledger)["escrow"] == (0, 0, 100_000, 0)
    delivered = world.do(order_id, "deliver")
    assert delivered.order.work_id == WORK and delivered.order.accept_by == world.now + timedelta(days=7)
    done = world.do(order_id, "accept")
    assert (done.from_state, done.to_state, len(done.transfers), done.order.creator_fen) == (
        "delivered", "completed", 3, 100_000)  # fmt: skip
    assert money(m.ledger) == {
        "brand": (0, 100_000, 0, 0),  # paid
        "escrow": (0, 100_000, 0, 100_000),  # held, then paid out: empty
        "creator": (0, 5_000, 0, 100_000),  # the price in, the fee out: 95,000
        "platform": (0, 0, 0, 5_000),
    }
    trail = order_events(m.db, order_id)
    assert [(e.action, e.from_state, e.to_state) for e in trail] == [
        ("offer", None, "offered"), ("accept", "offered", "accepted"), ("fund", "accepted", "funded"),
        ("deliver", "funded", "delivered"), ("accept", "delivered", "completed")]  # fmt: skip
    assert [e.detail["version"] for e in trail] == [1, 2, 3, 4, 5] == list(range(1, done.version + 1))
    assert trail[1].actor_principal_id == world.creator.id and trail[2].actor_principal_id == world.brand.id


@pytest.mark.parametrize(("programs", "fee"), [(("xiaomai",), 2_000), (("brand_star",), 3_000),
                                               (("xiaomai", "brand_star"), 2_000), (("guanghe",), 5_000)])  # fmt: skip
def test_program_fee_discounts(world: World, programs: tuple[str, ...], fee: int) -> None:
    order_id = world.drive("accept", "fund", "deliver", "accept", programs=programs)
    order = get_order(world.m.db, order_id)
    named = "xiaomai" if "xiaomai" in programs else "brand_star" if "brand_star" in programs else None
    assert (order.fee_fen, order.fee_program) == (fee, named)
    got = money(world.m.ledger)
    assert got["creator"] == (0, fee, 0, 100_000) and got["platform"] == (0, 0, 0, fee)


def test_counter_offer_then_the_brand_accepts(world: World) -> None:
    order_id = world.offer()
    step = world.do(order_id, "counter", price=123_457, programs=("xiaomai",))
    assert step.to_state == "countered" and step.order.price_fen == 123_457
    assert step.order.fee_fen == 2_469  # floor(123,457 x 2 %)
    with pytest.raises(OrderError, match=f"order {order_id} is countered: cannot fund"):
        world.do(order_id, "fund")
    assert world.do(order_id, "accept").to_state == "accepted"  # by the brand
    world.do(order_id, "fund")
    world.do(order_id, "deliver")
    world.do(order_id, "accept")
    assert money(world.m.ledger)["creator"] == (0, 2_469, 0, 123_457)
    detail = order_events(world.m.db, order_id)[1].detail
    assert (detail["price_fen"], detail["was_fen"], detail["fee_fen"]) == (123_457, 100_000, 2_469)


def test_decline_moves_no_money(world: World) -> None:
    order_id = world.offer()
    assert world.do(order_id, "decline").to_state == "declined"
    with pytest.raises(OrderError, match=f"order {order_id} is declined: cannot accept"):
        world.do(order_id, "accept", actor=world.creator)
    assert world.m.ledger.lookup_accounts([brand_account(BRAND)]) == []


def test_revisions_up_to_the_limit_then_refused(world: World) -> None:
    order_id = world.drive("accept", "fund", "deliver")
    for n in (1, 2):
        assert world.do(order_id, "request_revision").order.revision_rounds == n
        assert world.do(order_id, "deliver").to_state == "delivered"
    with pytest.raises(OrderError, match=f"order {order_id} is delivered: cannot request_revision .2 of 2"):
        world.do(order_id, "request_revision")
    assert world.do(order_id, "accept").to_state == "completed"


def test_auto_accept_after_seven_days(world: World) -> None:
    order_id = world.drive("accept", "fund", "deliver")
    due = get_order(world.m.db, order_id).accept_by
    assert due is not None
    with pytest.raises(OrderError, match=f"order {order_id} is delivered: cannot auto_accept before"):
        world.do(order_id, "auto_accept", at=due - timedelta(seconds=1))
    assert o.auto_accept_due(world.m, due - timedelta(seconds=1)) == []
    [step] = o.auto_accept_due(world.m, due)
    assert (step.action, step.to_state, step.order.creator_fen) == ("auto_accept", "completed", PRICE)
    assert order_events(world.m.db, order_id)[-1].actor_principal_id is None  # the system
    assert money(world.m.ledger)["creator"] == (0, 5_000, 0, 100_000)


def test_a_revision_stops_the_auto_accept_clock(world: World) -> None:
    order_id = world.drive("accept", "fund", "deliver", "request_revision")
    assert get_order(world.m.db, order_id).accept_by is None
    assert o.auto_accept_due(world.m, world.now + timedelta(days=30)) == []


def test_cancel_before_funding_moves_no_money(world: World) -> None:
    order_id = world.drive("accept")
    step = world.do(order_id, "cancel", actor=world.creator)
    assert (step.to_state, step.transfers) == ("cancelled", ())
    assert world.m.ledger.lookup_accounts([brand_account(BRAND), escrow_account(BRAND)]) == []


def test_cancel_after_funding_voids_the_escrow(world: World) -> None:
    order_id = world.drive("accept", "fund")
    assert money(world.m.ledger)["brand"] == (100_000, 0, 0, 0)
    step = world.do(order_id, "cancel")
    assert step.to_state == "cancelled" and len(step.transfers) == 1
    got = money(world.m.ledger)
    assert got["brand"] == (0, 0, 0, 0) and got["escrow"] == (0, 0, 0, 0)  # the brand's money released
    assert world.m.ledger.lookup_pending([hold_id(order_id)])[0].status == "voided"


def test_expiry_after_the_campaign_deadline_voids(world: World) -> None:
    order_id = world.drive("accept", "fund")
    on_deadline = world.now.replace(year=DEADLINE.year, month=DEADLINE.month, day=DEADLINE.day, hour=23)
    with pytest.raises(OrderError, match=f"order {order_id} is funded: cannot expire before .*{DEADLINE}"):
        world.do(order_id, "expire", at=on_deadline)
    assert o.expire_due(world.m, on_deadline) == []
    [step] = o.expire_due(world.m, on_deadline + timedelta(hours=1))
    assert step.to_state == "expired"
    assert money(world.m.ledger)["brand"] == (0, 0, 0, 0)
    delivered = world.drive("accept", "fund", "deliver")  # delivered in time: never expires
    assert o.expire_due(world.m, on_deadline + timedelta(days=5)) == []
    assert get_order(world.m.db, delivered).state == "delivered"


def test_dispute_resolved_sixty_percent(world: World) -> None:
    order_id = world.drive("accept", "fund", "deliver", "request_revision", programs=("xiaomai",))
    assert world.do(order_id, "dispute").to_state == "disputed"
    step = world.do(order_id, "resolve", bps=6_000)
    # the creator's part: 60 % of 100,000 = 60,000; fee 2 % of it = 1,200; 40,000 back to the brand
    assert (step.to_state, step.order.creator_fen, len(step.transfers)) == ("resolved", 60_000, 3)
    assert money(world.m.ledger) == {
        "brand": (0, 60_000, 0, 0),
        "escrow": (0, 60_000, 0, 60_000),
        "creator": (0, 1_200, 0, 60_000),
        "platform": (0, 0, 0, 1_200),
    }
    assert order_events(world.m.db, order_id)[-1].detail["returned_fen"] == 40_000


@pytest.mark.parametrize(("args", "creator", "fee"), [({"creator_fen": 33_333}, 33_333, 1_666),
                                                      ({"creator_fen": 0}, 0, 0),
                                                      ({"creator_share_bps": 10_000}, 100_000, 5_000)])  # fmt: skip
def test_dispute_resolved_by_amount_none_or_all(world: World, args: dict, creator: int, fee: int) -> None:
    order_id = world.drive("accept", "fund", "deliver", "dispute")
    step = o.resolve(world.m, world.operator, order_id, now=world.tick(), **args)
    assert step.order.creator_fen == creator
    got = money(world.m.ledger)
    assert got["creator"] == (0, fee, 0, creator) and got["brand"] == (0, creator, 0, 0)


def test_delivery_of_a_missing_or_someone_elses_work_is_refused(world: World) -> None:
    order_id = world.drive("accept", "fund")
    with pytest.raises(
        OrderError, match=f"order {order_id} is funded: cannot deliver work {NO_WORK}: no such work"
    ):
        world.do(order_id, "deliver", work=NO_WORK)
    with pytest.raises(OrderError, match=f"work {OTHERS_WORK}: it belongs to creator 8, not 7"):
        world.do(order_id, "deliver", work=OTHERS_WORK)
    assert get_order(world.m.db, order_id).state == "funded" and get_order(world.m.db, order_id).version == 3


def test_an_mcn_acts_for_its_creator(world: World) -> None:
    order_id = world.offer()
    world.do(order_id, "accept", actor=world.mcn)
    world.do(order_id, "fund")
    assert world.do(order_id, "deliver", actor=world.mcn).to_state == "delivered"
