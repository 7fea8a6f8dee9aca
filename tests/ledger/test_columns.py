"""Bulk reads as columns (scan_columns, open_pending, balances_as_of, lookup_pending), on both stores: the
same answers as the row-by-row reads and hand-computed balances."""

from __future__ import annotations

import numpy as np
import pytest

from guanghe.ledger import CNY, POST_FULL, Account, LedgerError, LedgerStore, Transfer
from guanghe.ledger.columns import sort_key, u128, u128_array

PEND, POST, VOID = 2, 4, 8
BIG = 7 << 112  # account ids above 2^63 (stored as 16-byte values), beside small ones
A, B, C = 1, BIG | 2, BIG | (5 << 48) | 3


def T(id: int, dr: int, cr: int, amount: int, code: int = 1, **kw) -> Transfer:
    return Transfer(id, dr, cr, amount, ledger=CNY, code=code, **kw)


def fill(store: LedgerStore) -> list[Transfer]:
    assert store.create_accounts([Account(A, CNY, 1), Account(B, CNY, 20), Account(C, CNY, 21)]) == ["ok"] * 3
    ud = (19_000 << 104) | (3 << 80) | 77
    batches = [
        [T(10, A, B, 100, code=101, user_data=ud), T(2**126 + 11, A, C, 50, code=102)],
        [T(12, A, B, 30, code=201, flags=PEND), T(13, B, C, 7, code=202, flags=PEND)],
        [Transfer(14, pending_id=12, amount=POST_FULL, flags=POST), Transfer(15, pending_id=13, flags=VOID)],
        [T(16, A, C, 9, code=201, flags=PEND), T(17, B, A, 4, code=101)],
    ]
    for b in batches:
        assert store.create_transfers(b) == ["ok"] * len(b)
    return store.scan_transfers(0, 1000)


def test_columns_match_rows_and_filter(make_store) -> None:
    store = make_store()
    rows = fill(store)
    cols = store.scan_columns()
    assert len(cols) == len(rows) == 8
    for i, t in enumerate(rows):
        got = (
            u128(cols.id, i),
            u128(cols.debit_account_id, i),
            u128(cols.credit_account_id, i),
            int(cols.amount[i]),
            u128(cols.pending_id, i),
            u128(cols.user_data, i),
            int(cols.ledger[i]),
            int(cols.code[i]),
            int(cols.flags[i]),
            int(cols.timeout[i]),
            int(cols.ts[i]),
        )
        assert got == (
            t.id,
            t.debit_account_id,
            t.credit_account_id,
            t.amount,
            t.pending_id,
            t.user_data,
            t.ledger,
            t.code,
            t.flags,
            t.timeout,
            t.timestamp,
        )
    assert u128(cols.id, 1) == 2**126 + 11 and u128(cols.user_data, 0) >> 104 == 19_000
    cut = rows[3].timestamp
    assert [u128(cols.id, i) for i in range(len(cols))] == [t.id for t in rows]
    part = store.scan_columns(rows[0].timestamp, cut)
    assert [int(x) for x in part.ts] == [t.timestamp for t in rows[1:4]]
    only = store.scan_columns(codes=[201, 999])
    assert [u128(only.id, i) for i in range(len(only))] == [12, 14, 16]  # the post carries the hold's code
    assert len(store.scan_columns(codes=[])) == 0 and len(store.scan_columns(rows[-1].timestamp)) == 0
    assert len(only.take(only.amount > 10)) == 2
    with pytest.raises(LedgerError, match="after"):
        store.scan_columns(-1)


def test_open_pending_now_and_as_of(make_store) -> None:
    store = make_store()
    rows = fill(store)
    ts = {t.id: t.timestamp for t in rows}
    ids = lambda c: [u128(c.id, i) for i in range(len(c))]  # noqa: E731
    assert ids(store.open_pending()) == [16]
    assert ids(store.open_pending(ts[13])) == [12, 13]  # both holds open right after the second batch
    assert ids(store.open_pending(ts[14])) == [13]  # 12 posted at 14; 13 voided one tick later
    assert ids(store.open_pending(ts[13], codes=[202])) == [13]
    assert ids(store.open_pending(ts[10])) == []
    states = {p.id: p.status for p in store.lookup_pending([16, 12, 13, 10])}
    assert states == {12: "posted", 13: "voided", 16: "pending"}


def balances(cols, account: int) -> tuple[int, int, int, int]:
    i = int(np.searchsorted(sort_key(cols.id), sort_key(u128_array([account]))[0]))
    assert u128(cols.id, i) == account
    return (
        int(cols.debits_pending[i]),
        int(cols.debits_posted[i]),
        int(cols.credits_pending[i]),
        int(cols.credits_posted[i]),
    )


def test_balances_as_of_hand_computed(make_store) -> None:
    store = make_store()
    rows = fill(store)
    ts = {t.id: t.timestamp for t in rows}
    now = store.balances_as_of()
    assert [u128(now.id, i) for i in range(len(now))] == [A, B, C]
    for a in store.accounts():
        assert balances(now, a.id) == (a.debits_pending, a.debits_posted, a.credits_pending, a.credits_posted)
    # after batch 2: B credited 100 posted + 30 pending, debited 7 pending; C credited 50 + 7 pending
    at = store.balances_as_of(ts[13])
    assert balances(at, B) == (7, 0, 30, 100)
    assert balances(at, C) == (0, 0, 7, 50)
    assert balances(at, A) == (30, 150, 0, 0)
    # after the post of 12 (the void of 13 comes one tick later)
    at = store.balances_as_of(ts[14])
    assert balances(at, B) == (7, 0, 0, 130) and balances(at, A) == (0, 180, 0, 0)
    assert balances(store.balances_as_of(ts[10]), B) == (0, 0, 0, 100)
    assert balances(store.balances_as_of(0), B) == (0, 0, 0, 0)
    for a in store.accounts():  # as of the newest transfer = now
        assert balances(store.balances_as_of(rows[-1].timestamp), a.id) == balances(now, a.id)
    only = store.balances_as_of(ts[13], codes=[20, 21])
    assert [u128(only.id, i) for i in range(len(only))] == [B, C]
    assert len(store.balances_as_of(codes=[99])) == 0


def test_many_rows_cross_the_parse_blocks(make_store) -> None:
    """60,000 transfers: more than one 8 MiB block of PostgreSQL's binary COPY stream; every row read back in
    order, nothing lost or doubled at a block edge."""
    store = make_store()
    store.create_accounts([Account(A, CNY, 1), Account(B, CNY, 20)])
    n = 60_000
    for start in range(0, n, 8_000):
        batch = [T(BIG | 10**6 + i, A, B, i + 1, user_data=i) for i in range(start, min(n, start + 8_000))]
        assert set(store.create_transfers(batch)) == {"ok"}
    cols = store.scan_columns()
    assert len(cols) == n and cols.amount.tolist() == list(range(1, n + 1))
    assert (cols.id[:, 1] == (np.arange(n, dtype=np.uint64) + 10**6)).all() and (
        cols.id[:, 0] == 7 << 48
    ).all()
    assert (cols.user_data[:, 1] == np.arange(n, dtype=np.uint64)).all() and (np.diff(cols.ts) > 0).all()
