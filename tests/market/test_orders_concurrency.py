"""Two requests racing on one order, each thread with its own application-database and ledger connections,
released together by a barrier, on SQLite and PostgreSQL: exactly one wins, the other gets ``OrderError``
(its version is stale), and the ledger agrees with the state. Repeated 20 times per race."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime

import pytest
from order_world import BRAND, WORK, World

from guanghe.appdb import open_appdb
from guanghe.ledger import open_ledger
from guanghe.ledger.reconcile import reconcile
from guanghe.market import orders as o
from guanghe.market.errors import OrderError
from guanghe.market.escrow import brand_account, hold_id
from guanghe.market.offers import get_order
from guanghe.market.order_types import Market

ROUNDS = 20
Call = Callable[[Market, int, int, datetime], o.Step]


def race(world: World, order_id: int, now: datetime, calls: dict[str, Call]) -> dict[str, object]:
    """Run the calls at once (each on its own connections, with the version read before); name -> Step or
    the exception it raised."""
    version = get_order(world.m.db, order_id).version
    barrier = threading.Barrier(len(calls))
    out: dict[str, object] = {}

    def run(name: str, call: Call) -> None:
        with open_appdb(world.m.db.url) as db, open_ledger(world.m.ledger.url) as ledger:
            m = Market(db, ledger, world.m.fees)
            barrier.wait()
            try:
                out[name] = call(m, order_id, version, now)
            except Exception as e:  # recorded and checked by the test
                out[name] = e

    threads = [threading.Thread(target=run, args=item) for item in calls.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def one_winner(out: dict[str, object]) -> str:
    won = [n for n, r in out.items() if isinstance(r, o.Step)]
    lost = [r for r in out.values() if not isinstance(r, o.Step)]
    assert len(won) == 1 and len(lost) == 1, out
    assert isinstance(lost[0], OrderError) and "changed" in str(lost[0]), lost[0]
    return won[0]


def test_accept_and_cancel_an_offer(world: World) -> None:
    wins = set()
    for _ in range(ROUNDS):
        order_id = world.offer()
        now = world.tick()
        winner = one_winner(race(world, order_id, now, {
            "accept": lambda m, i, v, t: o.accept(m, world.creator, i, t, version=v),
            "cancel": lambda m, i, v, t: o.cancel(m, world.brand, i, t, version=v),
        }))  # fmt: skip
        order = get_order(world.m.db, order_id)
        assert order.state == {"accept": "accepted", "cancel": "cancelled"}[winner] and order.version == 2
        wins.add(winner)
    assert wins <= {"accept", "cancel"}


def test_cancel_and_deliver_a_funded_order(world: World) -> None:
    for _ in range(ROUNDS):
        order_id = world.drive("accept", "fund")
        now = world.tick()
        winner = one_winner(race(world, order_id, now, {
            "cancel": lambda m, i, v, t: o.cancel(m, world.brand, i, t, version=v),
            "deliver": lambda m, i, v, t: o.deliver(m, world.creator, i, WORK, world.owner, t, version=v),
        }))  # fmt: skip
        state = get_order(world.m.db, order_id).state
        hold = world.m.ledger.lookup_pending([hold_id(order_id)])[0].status
        assert (state, hold) == {"cancel": ("cancelled", "voided"), "deliver": ("delivered", "pending")}[
            winner
        ]
        if state == "delivered":
            world.do(order_id, "accept")
    assert reconcile(world.m.ledger).ok


@pytest.mark.parametrize("loser", ["cancel", "dispute"])
def test_accept_a_delivered_order_against_another_request(world: World, loser: str) -> None:
    """Cancel is refused after delivery anyway; a dispute races for real."""
    for _ in range(ROUNDS // 2):
        order_id = world.drive("accept", "fund", "deliver")
        now = world.tick()
        other: Call = (lambda m, i, v, t: o.cancel(m, world.creator, i, t, version=v)) if loser == "cancel" else (
            lambda m, i, v, t: o.dispute(m, world.creator, i, "x", t, version=v))  # fmt: skip
        out = race(world, order_id, now, {"accept": lambda m, i, v, t: o.accept(m, world.brand, i, t, version=v),
                                     loser: other})  # fmt: skip
        won = [n for n, r in out.items() if isinstance(r, o.Step)]
        assert len(won) == 1 and all(
            isinstance(r, OrderError) for r in out.values() if not isinstance(r, o.Step)
        )
        state = get_order(world.m.db, order_id).state
        hold = world.m.ledger.lookup_pending([hold_id(order_id)])[0].status
        assert (state, hold) == {"accept": ("completed", "posted"), "dispute": ("disputed", "pending")}[
            won[0]
        ]
        if state == "disputed":
            o.resolve(world.m, world.operator, order_id, 5_000, now=world.tick())
    [brand] = world.m.ledger.lookup_accounts([brand_account(BRAND)])
    assert brand.debits_pending == 0  # every hold posted or resolved
