"""What orders refuse, on SQLite and PostgreSQL: every (state, action) pair outside the transition table,
actors that are no party or not the right role, stale versions; idempotent retries; a crash between the
ledger write and the commit repaired by a retry; rate cards; the warehouse delivery check; CHECK constraints."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pyarrow as pa
import pytest
from order_world import BRAND, CREATOR, DEADLINE, MCN, OTHER_CREATOR, OTHERS_WORK, PATHS, PRICE, WORK, World
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from guanghe.appdb import create_key
from guanghe.appdb.market_models import ORDER_STATES
from guanghe.data.schema import WORKS
from guanghe.data.warehouse import open_warehouse
from guanghe.ledger import CreateTransferResult
from guanghe.market import escrow
from guanghe.market import orders as o
from guanghe.market.errors import Forbidden, MarketError, OrderError
from guanghe.market.escrow import Terms, brand_account, hold_id
from guanghe.market.offers import create_campaign, get_order, make_offer, order_events
from guanghe.market.rates import rates_of, set_rate
from guanghe.market.states import ACTIONS, TERMINAL, TRANSITIONS
from guanghe.market.works import warehouse_work_owner
from guanghe.money.chart import creator_payable


def test_the_table_covers_every_state() -> None:
    reachable = {"offered"} | {r.to for r in TRANSITIONS.values()}
    assert reachable == set(ORDER_STATES) and set(PATHS) | {"expired"} == set(ORDER_STATES)
    assert {"declined", "completed", "cancelled", "expired", "resolved"} == TERMINAL


def test_every_pair_outside_the_table_is_refused(world: World) -> None:
    orders = {state: world.drive(*path) for state, path in PATHS.items()}
    orders["expired"] = world.drive("accept", "fund")
    o.expire(world.m, orders["expired"], world.now + timedelta(days=60))
    refused = 0
    for state, order_id in orders.items():
        assert get_order(world.m.db, order_id).state == state
        before = get_order(world.m.db, order_id)
        for action in ACTIONS:
            if (state, action) in TRANSITIONS:
                continue
            with pytest.raises(OrderError, match=f"^order {order_id} is {state}: cannot {action}$"):
                o.transition(world.m, world.operator, order_id, action, world.tick())
            refused += 1
        assert get_order(world.m.db, order_id) == before  # nothing changed, not even the version
    assert refused == len(ORDER_STATES) * len(ACTIONS) - len(TRANSITIONS)


def test_unauthorized_actors_are_forbidden(world: World) -> None:
    m, order_id = world.m, world.drive("accept")
    with pytest.raises(Forbidden, match=f"order {order_id} is accepted: a creator cannot fund .only brand"):
        o.fund(m, world.creator, order_id, world.tick())
    with pytest.raises(Forbidden, match=r"\(brand 43\) is not a party to order"):
        o.fund(m, world.other_brand, order_id, world.tick())
    with pytest.raises(Forbidden, match="not a party"):
        o.cancel(m, world.other_creator, order_id, world.tick())
    with pytest.raises(Forbidden, match="not a party"):
        o.cancel(m, world.other_mcn, order_id, world.tick())
    world.do(order_id, "fund")
    with pytest.raises(Forbidden, match="a brand cannot deliver"):
        o.deliver(m, world.brand, order_id, WORK, world.owner, world.tick())
    with pytest.raises(Forbidden, match="a operator cannot cancel"):
        o.cancel(m, world.operator, order_id, world.tick())
    world.do(order_id, "deliver")
    with pytest.raises(Forbidden, match="a creator cannot accept"):
        o.accept(m, world.creator, order_id, world.tick())
    with pytest.raises(Forbidden, match="a system cannot accept"):
        o.transition(m, None, order_id, "accept", world.tick())
    world.do(order_id, "dispute")
    with pytest.raises(Forbidden, match="a brand cannot resolve"):
        o.resolve(m, world.brand, order_id, 5_000, now=world.tick())
    assert get_order(m.db, order_id).state == "disputed"


def test_the_proposer_cannot_accept_its_own_proposal(world: World) -> None:
    m, order_id = world.m, world.offer()
    with pytest.raises(Forbidden, match="the brand proposed it and cannot accept it"):
        o.accept(m, world.brand, order_id, world.tick())
    applied = o.transition  # a creator's application: the brand accepts, the creator cannot
    from guanghe.market.offers import apply

    app = apply(m, world.creator, world.campaign, CREATOR, "live_mention", 50_000, now=world.tick()).id
    with pytest.raises(Forbidden, match="the creator side proposed it and cannot accept it"):
        applied(m, world.creator, app, "accept", world.tick())
    assert o.accept(m, world.brand, app, world.tick()).to_state == "accepted"
    with pytest.raises(Forbidden, match="cannot apply for creator 7"):
        apply(m, world.other_creator, world.campaign, CREATOR, "short_video", 1, now=world.tick())
    with pytest.raises(Forbidden, match="not its brand"):
        make_offer(m, world.other_brand, world.campaign, CREATOR, "short_video", 1, now=world.tick())
    with pytest.raises(MarketError, match="deliverable 'reel'"):
        make_offer(m, world.brand, world.campaign, CREATOR, "reel", 1, now=world.tick())
    with pytest.raises(MarketError, match="price_fen 0"):
        make_offer(m, world.brand, world.campaign, CREATOR, "short_video", 0, now=world.tick())


def test_a_stale_version_is_refused(world: World) -> None:
    order_id = world.offer()
    with pytest.raises(
        OrderError, match=f"order {order_id} changed: it is offered at version 1, not 0; reload"
    ):
        o.accept(world.m, world.creator, order_id, world.tick(), version=0)
    assert o.accept(world.m, world.creator, order_id, world.tick(), version=1).version == 2


def test_idempotent_retries_answer_the_first_result(world: World) -> None:
    m, order_id = world.m, world.drive("accept")
    first = o.fund(m, world.brand, order_id, world.tick(), idempotency_key="fund-1")
    again = o.fund(m, world.brand, order_id, world.tick(), idempotency_key="fund-1")
    assert again.replayed and not first.replayed
    assert (again.from_state, again.to_state, again.version, again.transfers) == (
        first.from_state, first.to_state, first.version, first.transfers)  # fmt: skip
    assert m.ledger.lookup_accounts([brand_account(BRAND)])[0].debits_pending == PRICE  # held once
    with pytest.raises(OrderError, match=f"order {order_id} is funded: cannot fund"):  # no key: refused
        o.fund(m, world.brand, order_id, world.tick())
    with pytest.raises(OrderError, match="idempotency key 'fund-1' was used for fund, not cancel"):
        o.cancel(m, world.brand, order_id, world.tick(), idempotency_key="fund-1")
    world.do(order_id, "deliver")
    done = [o.accept(m, world.brand, order_id, world.tick(), idempotency_key="ok") for _ in range(3)]
    assert [d.replayed for d in done] == [False, True, True] and len({d.transfers for d in done}) == 1
    payable = m.ledger.lookup_accounts([creator_payable(CREATOR)])[0]
    assert (payable.credits_posted, payable.debits_posted) == (PRICE, 5_000)
    assert len(order_events(m.db, order_id)) == 5


def test_a_crash_after_the_ledger_write_is_repaired_by_retrying(world: World) -> None:
    """The ledger step written (as by a process killed before its commit), the state not: a retry of the same
    transition finds the transfers (``exists``) and commits; money moved once."""
    m, order_id = world.m, world.drive("accept")
    order = get_order(m.db, order_id)
    terms = Terms(order_id, BRAND, CREATOR, PRICE, order.fee_bps, order.fee_program)
    day = m.day(world.now + timedelta(minutes=1))
    escrow.write(m.ledger, escrow.hold(terms, day))  # the crashed fund's write
    assert get_order(m.db, order_id).state == "accepted"
    assert world.do(order_id, "fund").to_state == "funded"
    assert m.ledger.lookup_accounts([brand_account(BRAND)])[0].debits_pending == PRICE
    world.do(order_id, "deliver")
    day = m.day(world.now + timedelta(minutes=1))
    assert (
        len(escrow.write(m.ledger, escrow.release(terms, PRICE, day))) == 3
    )  # the crashed completion's write
    assert m.ledger.create_transfers(escrow.release(terms, PRICE, day)) == [CreateTransferResult.EXISTS] * 3
    assert get_order(m.db, order_id).state == "delivered"
    step = world.do(order_id, "accept")  # the crashed completion, retried
    assert step.to_state == "completed"
    payable = m.ledger.lookup_accounts([creator_payable(CREATOR)])[0]
    assert (payable.credits_posted, payable.debits_posted) == (PRICE, 5_000)
    assert m.ledger.lookup_pending([hold_id(order_id)])[0].status == "posted"


def test_another_transition_after_a_crash_follows_the_ledger(world: World) -> None:
    """The crashed run's transfers are the truth when the next call is not its retry: a cancel after a crashed
    fund finds the order funded and voids the hold (no money stranded); a dispute after a crashed completion
    finds the order completed and is refused."""
    m = world.m
    order_id = world.drive("accept")
    order = get_order(m.db, order_id)
    terms = Terms(order_id, BRAND, CREATOR, PRICE, order.fee_bps, order.fee_program)
    escrow.write(m.ledger, escrow.hold(terms, m.day(world.now)))  # the crashed fund's write
    step = world.do(order_id, "cancel")
    assert (step.from_state, step.to_state) == ("funded", "cancelled")
    assert m.ledger.lookup_pending([hold_id(order_id)])[0].status == "voided"
    assert m.ledger.lookup_accounts([brand_account(BRAND)])[0].debits_pending == 0
    events = [(e.action, e.from_state, e.to_state) for e in order_events(m.db, order_id)]
    assert events[-2:] == [("recovered", "accepted", "funded"), ("cancel", "funded", "cancelled")]

    order_id = world.drive("accept", "fund", "deliver")
    order = get_order(m.db, order_id)
    terms = Terms(order_id, BRAND, CREATOR, PRICE, order.fee_bps, order.fee_program)
    escrow.write(m.ledger, escrow.release(terms, PRICE, m.day(world.now)))  # the crashed completion's write
    with pytest.raises(OrderError, match="is completed: cannot dispute"):
        world.do(order_id, "dispute")
    after = get_order(m.db, order_id)
    assert (after.state, after.creator_fen) == ("completed", PRICE)


def test_a_ledger_refusal_keeps_the_state(world: World) -> None:
    """The same ids with other amounts (the ledger holds an earlier, different hold): refused, state kept."""
    m, order_id = world.m, world.drive("accept")
    other = Terms(order_id, BRAND, CREATOR, PRICE + 1, 500)
    escrow.write(m.ledger, escrow.hold(other, m.day(world.now)))
    with pytest.raises(
        OrderError, match=f"order {order_id} is accepted: cannot fund: the ledger refused it .*amount"
    ):
        world.do(order_id, "fund")
    assert get_order(m.db, order_id).state == "accepted"
    m.ledger.create_transfers(escrow.void(other, m.day(world.now)))  # tidy: release the stray hold


def test_rate_cards(world: World) -> None:
    db = world.m.db
    assert set_rate(db, world.creator, CREATOR, "short_video", 80_000).price_fen == 80_000
    set_rate(db, world.mcn, CREATOR, "live_mention", 150_000, mcn_creators={CREATOR})
    set_rate(db, world.operator, OTHER_CREATOR, "short_video", 60_000)
    set_rate(db, world.creator, CREATOR, "short_video", 90_000)  # replaced
    assert rates_of(db, [CREATOR, OTHER_CREATOR, 999]) == {
        CREATOR: {"short_video": 90_000, "live_mention": 150_000},
        OTHER_CREATOR: {"short_video": 60_000},
    }
    for who, creators in (
        (world.creator, ()),
        (world.mcn, ()),
        (world.other_mcn, {CREATOR}),
        (world.brand, ()),
    ):
        with pytest.raises(Forbidden, match="cannot set creator 8's rates"):
            set_rate(db, who, OTHER_CREATOR, "short_video", 1, mcn_creators=creators)
    with pytest.raises(MarketError, match="price_fen -5"):
        set_rate(db, world.creator, CREATOR, "short_video", -5)
    with pytest.raises(MarketError, match="deliverable 'story'"):
        set_rate(db, world.creator, CREATOR, "story", 5)


def test_check_constraints_refuse_bad_rows(world: World) -> None:
    order_id = world.offer()
    bad = [
        "UPDATE orders SET state = 'lost' WHERE id = :i",
        "UPDATE orders SET price_fen = 0 WHERE id = :i",
        "UPDATE orders SET fee_fen = price_fen + 1 WHERE id = :i",
        "UPDATE offers SET deliverable = 'reel'",
        "UPDATE offers SET direction = 'sideways'",
    ]
    for sql in bad:
        with pytest.raises(IntegrityError), world.m.db.engine.begin() as con:
            con.execute(text(sql), {"i": order_id})
    p = create_key(world.m.db, "creator", "X", external_id=77)[0]
    with pytest.raises(IntegrityError), world.m.db.engine.begin() as con:
        con.execute(text("INSERT INTO rate_cards (creator_id, deliverable, price_fen, set_by_principal_id, updated_at) "
                         "VALUES (77, 'short_video', 0, :p, '2023-01-01')"), {"p": p.id})  # fmt: skip


def test_delivery_checked_against_the_warehouse(world: World, tmp_path: Path) -> None:
    with open_warehouse(f"duckdb:///{tmp_path / 'wh.duckdb'}", create=True) as wh:
        rows = {"work_id": [WORK, OTHERS_WORK], "creator_id": [CREATOR, OTHER_CREATOR],
                "published_at": [world.now.replace(tzinfo=None)] * 2, "kind": ["short_video"] * 2,
                "category": ["beauty"] * 2, "duration_s": [30, 30], "title": [None, None],
                "fingerprint": [None, None]}  # fmt: skip
        with wh.writer() as w:
            w.merge("works", pa.table(rows, schema=WORKS.arrow_schema()))
        owner = warehouse_work_owner(wh)
        assert (owner(WORK), owner(OTHERS_WORK), owner(123)) == (CREATOR, OTHER_CREATOR, None)
        order_id = world.drive("accept", "fund")
        with pytest.raises(OrderError, match="no such work"):
            o.deliver(world.m, world.creator, order_id, 123, owner, world.tick())
        with pytest.raises(OrderError, match="belongs to creator 8"):
            o.deliver(world.m, world.creator, order_id, OTHERS_WORK, owner, world.tick())
        assert o.deliver(world.m, world.creator, order_id, WORK, owner, world.tick()).order.work_id == WORK


def test_an_offer_is_accepted_only_while_its_campaign_has_room(world: World) -> None:
    """Budget 250,000 fen, at most 2 creators, 1 per agency: creator 7 (agency 900) takes 100,000; creator 8
    of the same agency is refused (M); creator 9 (no agency) takes 120,000; creator 10 would be a third
    creator (N) and, at 40,000, would also exceed the budget left (30,000); a second order of creator 7 fits N
    and M but not the budget. A declined or cancelled order frees its place."""
    m, brand = world.m, world.brand
    camp = create_campaign(
        m.db, brand, "Caps", "b", ["beauty"], 250_000, DEADLINE, max_creators=2, max_per_mcn=1
    )

    def offer(creator: int, price: int, mcn: int | None) -> int:
        return make_offer(m, brand, camp, creator, "short_video", price, (), mcn, now=world.tick()).id

    def accept(order_id: int, creator: int) -> o.Step:
        actor = create_key(m.db, "creator", f"c{creator}", external_id=creator)[0]
        return o.accept(m, actor, order_id, world.tick())

    first, same_agency = offer(CREATOR, 100_000, MCN), offer(OTHER_CREATOR, 50_000, MCN)
    assert accept(first, CREATOR).to_state == "accepted"
    with pytest.raises(OrderError, match="has its 1 creators of agency 900"):
        accept(same_agency, OTHER_CREATOR)
    third = offer(9, 120_000, None)
    assert accept(third, 9).to_state == "accepted"
    with pytest.raises(OrderError, match="has its 2 creators"):
        accept(offer(10, 10_000, None), 10)
    with pytest.raises(OrderError, match="has 30000 left, the price is 40000"):
        accept(offer(CREATOR, 40_000, MCN), CREATOR)
    o.cancel(m, brand, third, world.tick())  # frees a place and 120,000
    with pytest.raises(OrderError, match="of agency 900"):  # the agency's place is still taken
        accept(same_agency, OTHER_CREATOR)
    assert get_order(m.db, same_agency).state == "offered"
    assert accept(offer(10, 40_000, None), 10).to_state == "accepted"


def test_the_brand_shortlists_applications_and_turns_one_into_an_order(world: World) -> None:
    """Two creators apply to the open brief; the brand shortlists one (its state stays offered, the trail
    records it), accepts it (an order), and declines the other. A brand's own offer cannot be shortlisted,
    a creator cannot shortlist, and an accepted order is no longer on the shortlist."""
    from guanghe.market.offers import apply, list_orders

    m = world.m
    mine = apply(
        m, world.creator, world.campaign, CREATOR, "short_video", 80_000, (), MCN, now=world.tick()
    ).id
    theirs = apply(m, world.other_creator, world.campaign, OTHER_CREATOR, "short_video", 90_000,
                   now=world.tick()).id  # fmt: skip
    step = o.shortlist(m, world.brand, mine, world.tick())
    assert (step.from_state, step.to_state) == ("offered", "offered")
    assert [x.id for x in list_orders(m.db, ("brand", BRAND), shortlisted=True)[0]] == [mine]
    with pytest.raises(Forbidden, match="a creator cannot shortlist"):
        o.shortlist(m, world.other_creator, theirs, world.tick())
    with pytest.raises(OrderError, match="not an application"):
        o.shortlist(m, world.brand, world.offer(), world.tick())
    assert o.accept(m, world.brand, mine, world.tick()).to_state == "accepted"
    assert o.decline(m, world.brand, theirs, world.tick()).to_state == "declined"
    assert list_orders(m.db, ("brand", BRAND), shortlisted=True)[0] == []
    assert [e.action for e in order_events(m.db, mine)] == ["application", "shortlist", "accept"]
