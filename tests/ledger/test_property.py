"""Random operation sequences (retries, partial posts, voids, expiries, linked chains with a failing member)
against the naive model in ledger_model.py: results, balances and pending states must agree,
on both stores."""

from __future__ import annotations

import os
from dataclasses import asdict

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ledger_clock import FakeClock
from ledger_model import Model

from guanghe.ledger import CNY, POST_FULL, Account, Transfer
from guanghe.ledger.reconcile import reconcile

LIMITS = {1: 0, 2: 2, 3: 2, 4: 4}  # platform, two creators (debits <= credits), funding (credits <= debits)
ids = st.integers(1, 24)
accounts = st.sampled_from([1, 2, 3, 4, 9])  # 9 does not exist
linked = st.booleans()

plain = st.builds(
    lambda i, dr, cr, amount, ud, pending, timeout, link: Transfer(
        i,
        dr,
        cr,
        amount,
        user_data=ud,
        ledger=CNY,
        code=1,
        flags=(2 if pending else 0) | link,
        timeout=timeout if pending else 0,
    ),
    ids,
    accounts,
    accounts,
    st.integers(0, 300),
    st.integers(0, 1),
    st.booleans(),
    st.sampled_from([0, 1, 3]),
    st.integers(0, 1),
)
resolve = st.builds(  # amount: 0 posts nothing (a void of 0 voids all), POST_FULL posts all
    lambda i, pid, amount, post, link: Transfer(
        i, pending_id=pid, amount=amount, flags=(4 if post else 8) | link
    ),
    ids,
    ids,
    st.sampled_from([0, 1, 50, 150, 400, POST_FULL, POST_FULL]),
    st.booleans(),
    st.integers(0, 1),
)
batch = st.lists(st.one_of(plain, plain, resolve), min_size=1, max_size=5)
op = st.one_of(
    st.tuples(st.just("batch"), batch),
    st.tuples(st.just("advance"), st.integers(0, 4)),
    st.tuples(st.just("retry"), st.integers(0, 50)),
)


def event(t: Transfer) -> dict:
    return asdict(t)


@settings(
    max_examples=int(os.environ.get("LEDGER_EXAMPLES", "30")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(ops=st.lists(op, min_size=1, max_size=12))
def test_store_agrees_with_model(make_store, ops):
    clock = FakeClock()
    with make_store(clock) as store:  # closed after each example (PostgreSQL connections are finite)
        check_against_model(store, clock, ops)


def check_against_model(store, clock, ops) -> None:
    store.create_accounts([Account(i, CNY, 1, flags=f) for i, f in LIMITS.items()])
    model = Model(dict(LIMITS))
    funding = [Transfer(100 + a, 4, a, 500, ledger=CNY, code=1) for a in (1, 2, 3)]
    past = [funding]
    for kind, arg in [("batch", funding), *ops]:
        if kind == "advance":
            clock.advance(arg)
            continue
        b = past[arg % len(past)] if kind == "retry" else arg
        want = model.batch(clock(), [event(t) for t in b])
        assert store.create_transfers(b) == want, b
        past.append(b)
        got = {
            a.id: [a.debits_pending, a.debits_posted, a.credits_pending, a.credits_posted]
            for a in store.accounts()
        }
        assert got == model.balances
    clock.advance(5)
    store.expire()
    model.batch(clock(), [])
    assert {
        a.id: [a.debits_pending, a.debits_posted, a.credits_pending, a.credits_posted]
        for a in store.accounts()
    } == model.balances
    for pid, status in model.status.items():
        assert store.history(pid)["pending"].status == status
    assert {t.id for t in store.lookup_transfers(range(1, 25))} == {i for i in model.transfers if i < 100}
    report = reconcile(store)
    assert report.ok, report.problems
