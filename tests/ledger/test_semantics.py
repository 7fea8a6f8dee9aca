"""Transfer semantics with hand-computed answers, on both stores."""

from __future__ import annotations

import pytest
from ledger_clock import SEC

from guanghe.ledger import CNY, POST_FULL, Account, LedgerError, LedgerStore, Transfer
from guanghe.ledger.reconcile import reconcile
from guanghe.ledger.types import ID_MAX

PEND, POST, VOID, LINK = 2, 4, 8, 1


def T(id: int, dr: int = 0, cr: int = 0, amount: int = 0, **kw) -> Transfer:
    kw.setdefault("ledger", CNY if not kw.get("pending_id") else 0)
    kw.setdefault("code", 1 if not kw.get("pending_id") else 0)
    return Transfer(id, dr, cr, amount, **kw)


def bal(store, *ids: int) -> list[tuple[int, int, int, int]]:
    got = {a.id: a for a in store.lookup_accounts(ids)}
    return [
        (got[i].debits_pending, got[i].debits_posted, got[i].credits_pending, got[i].credits_posted)
        for i in ids
    ]


def fund(store, account: int, amount: int, id: int = 900) -> None:
    assert store.create_transfers([T(id, 4, account, amount)]) == ["ok"]


def test_accounts_create_exists_and_refusals(store):
    res = store.create_accounts(
        [
            Account(1, CNY, 4),
            Account(1, CNY, 4, flags=2),
            Account(1, CNY, 3),
            Account(1, 840, 4),
            Account(1, CNY, 4, user_data=7),
            Account(0, CNY, 1),
            Account(ID_MAX, CNY, 1),
            Account(6, CNY, 1, flags=6),
            Account(7, 0, 1),
            Account(8, CNY, 0),
            Account(9, CNY, 1, flags=1),
            Account(10, CNY, 1, credits_posted=5),
            Account(11, CNY, 1, timestamp=3),
            Account(12, CNY, 1),
            Account(12, CNY, 1),
        ]
    )
    assert res == [
        "exists",
        "exists_with_different_flags",
        "exists_with_different_code",
        "exists_with_different_ledger",
        "exists_with_different_user_data",
        "id_must_not_be_zero",
        "id_must_not_be_int_max",
        "flags_are_mutually_exclusive",
        "ledger_must_not_be_zero",
        "code_must_not_be_zero",
        "reserved_flag",
        "credits_posted_must_be_zero",
        "timestamp_must_be_zero",
        "ok",
        "exists",
    ]
    assert [a.id for a in store.accounts()] == [1, 2, 3, 4, 5, 12]
    assert [a.id for a in store.accounts(ledger=840)] == [5]


def test_each_refusal_has_its_code_and_changes_nothing(store):
    fund(store, 2, 100)
    before = store.accounts()
    batch = [
        (T(0, 1, 2, 5), "id_must_not_be_zero"),
        (T(ID_MAX, 1, 2, 5), "id_must_not_be_int_max"),
        (T(10, 1, 2, 5, timestamp=1), "timestamp_must_be_zero"),
        (T(11, 1, 2, 5, flags=64), "reserved_flag"),
        (T(12, 1, 2, 5, flags=PEND | POST), "flags_are_mutually_exclusive"),
        (T(13, 0, 2, 5), "debit_account_id_must_not_be_zero"),
        (T(14, 1, 0, 5), "credit_account_id_must_not_be_zero"),
        (T(15, 2, 2, 5), "accounts_must_be_different"),
        (T(16, 1, 2, 5, pending_id=3, ledger=CNY, code=1), "pending_id_must_be_zero"),
        (T(17, 1, 2, 5, timeout=9), "timeout_reserved_for_pending_transfer"),
        (T(18, ID_MAX, 2, 5), "debit_account_id_must_not_be_int_max"),
        (T(19, 1, 2, -5), "amount_must_not_be_negative"),
        (T(20, 1, 2, 5, ledger=0), "ledger_must_not_be_zero"),
        (T(21, 1, 2, 5, code=0), "code_must_not_be_zero"),
        (T(22, 77, 2, 5), "debit_account_not_found"),
        (T(23, 1, 77, 5), "credit_account_not_found"),
        (T(24, 1, 5, 5), "accounts_must_have_the_same_ledger"),
        (T(25, 1, 2, 5, ledger=840), "ledger_must_match"),
        (T(26, 2, 1, 101), "exceeds_credits"),
        (T(27, 1, 4, 101), "exceeds_debits"),
        (T(28, 1, 2, 2**63), "overflows_amount"),
        (T(29, flags=POST, pending_id=0), "pending_id_must_not_be_zero"),
        (T(30, flags=POST, pending_id=30), "pending_id_must_be_different"),
        (T(31, flags=POST, pending_id=555), "pending_transfer_not_found"),
        (T(32, flags=POST, pending_id=900), "pending_transfer_not_pending"),
        (T(33, flags=VOID, pending_id=900, timeout=1), "timeout_reserved_for_pending_transfer"),
    ]
    assert store.create_transfers([t for t, _ in batch]) == [code for _, code in batch]
    assert store.accounts() == before
    assert reconcile(store).ok


def test_plain_transfer_and_limits(store):
    fund(store, 2, 1_000)  # funding account 4 may only credit up to its debits: it is the source
    assert bal(store, 4, 2) == [(0, 1_000, 0, 0), (0, 0, 0, 1_000)]
    assert store.create_transfers([T(1, 2, 1, 600), T(2, 2, 3, 401), T(3, 2, 3, 400)]) == [
        "ok",
        "exceeds_credits",
        "ok",
    ]
    assert bal(store, 1, 2, 3) == [(0, 0, 0, 600), (0, 1_000, 0, 1_000), (0, 0, 0, 400)]


def test_idempotency_exists_and_exists_with_different(store):
    fund(store, 2, 1_000)
    t = T(7, 2, 1, 250, user_data=42)
    assert store.create_transfers([t]) == ["ok"]
    snapshot = store.accounts()
    variants = [
        (t, "exists"),
        (T(7, 2, 1, 251, user_data=42), "exists_with_different_amount"),
        (T(7, 3, 1, 250, user_data=42), "exists_with_different_debit_account_id"),
        (T(7, 2, 3, 250, user_data=42), "exists_with_different_credit_account_id"),
        (T(7, 2, 1, 250, user_data=43), "exists_with_different_user_data"),
        (T(7, 2, 1, 250, user_data=42, code=9), "exists_with_different_code"),
        (T(7, 2, 1, 250, user_data=42, flags=PEND), "exists_with_different_flags"),
    ]
    assert store.create_transfers([v for v, _ in variants]) == [code for _, code in variants]
    assert store.accounts() == snapshot
    assert len(store.statement(1)) == 1


def test_two_phase_post_less_void_and_resolve_once(store):
    fund(store, 2, 1_000)
    assert store.create_transfers([T(1, 2, 1, 300, flags=PEND), T(2, 2, 1, 200, flags=PEND)]) == ["ok", "ok"]
    assert bal(store, 2, 1) == [(500, 0, 0, 1_000), (0, 0, 500, 0)]
    assert store.create_transfers([T(3, 2, 1, 701)]) == ["exceeds_credits"]  # reserved funds are held
    res = store.create_transfers(
        [
            T(10, pending_id=1, amount=301, flags=POST),  # more than reserved
            T(11, pending_id=1, amount=120, flags=POST),  # less: 180 returns
            T(12, pending_id=1, flags=POST),
            T(13, pending_id=1, flags=VOID),
            T(14, pending_id=2, amount=5, flags=VOID),
            T(15, pending_id=2, flags=VOID),
            T(16, pending_id=2, flags=POST),
            T(17, 3, 1, 1, pending_id=2, flags=POST),
            T(11, pending_id=1, amount=120, flags=POST),  # retry of the post
            T(11, pending_id=1, amount=121, flags=POST),
        ]
    )
    assert res == [
        "exceeds_pending_transfer_amount",
        "ok",
        "pending_transfer_already_posted",
        "pending_transfer_already_posted",
        "pending_transfer_has_different_amount",
        "ok",
        "pending_transfer_already_voided",
        "pending_transfer_has_different_debit_account_id",
        "exists",
        "exists_with_different_amount",
    ]
    assert bal(store, 2, 1) == [(0, 120, 0, 1_000), (0, 0, 0, 120)]
    h = store.history(1)
    assert (h["pending"].status, h["pending"].resolved_by, [t.id for t in h["resolutions"]]) == (
        "posted",
        11,
        [11],
    )
    assert store.history(2)["pending"].status == "voided"
    assert store.history(404) is None
    assert reconcile(store).ok


def test_pending_expires_after_timeout(store, clock):
    fund(store, 2, 100)
    assert (
        store.create_transfers([T(1, 2, 1, 60, flags=PEND, timeout=30), T(2, 2, 3, 40, flags=PEND)])
        == ["ok"] * 2
    )
    created = store.lookup_transfers([1])[0].timestamp
    clock.advance(29)
    store.expire()
    assert bal(store, 2) == [(100, 0, 0, 100)]
    clock.now = created + 30 * SEC  # the timeout counts from the pending transfer's own timestamp
    assert store.create_transfers([T(3, pending_id=1, flags=POST), T(4, 2, 1, 61)]) == [
        "pending_transfer_expired",
        "exceeds_credits",
    ]
    assert bal(store, 2, 1) == [(40, 0, 0, 100), (0, 0, 0, 0)]
    p = store.history(1)["pending"]
    assert (p.status, p.resolved_by, p.expires_at) == ("expired", 0, created + 30 * SEC)
    assert store.balance(1, as_of=p.resolved_at - 1).credits_pending == 60
    assert store.balance(1, as_of=p.resolved_at).credits_pending == 0
    assert reconcile(store).ok


def test_linked_chain_all_or_nothing(store):
    fund(store, 2, 1_000)
    split = [T(1, 2, 3, 900, flags=LINK), T(2, 2, 1, 100)]  # brand pays creator + platform fee in one step
    assert store.create_transfers(split) == ["ok", "ok"]
    before = store.accounts()
    res = store.create_transfers(
        [
            T(3, 3, 1, 100, flags=LINK),
            T(4, 3, 2, 10, flags=PEND | LINK),
            T(5, 3, 1, 900),
            T(6, 3, 1, 1),
            T(7, 3, 1, 1, flags=LINK),
            T(8, 1, 3, 1, flags=LINK),
        ]
    )
    assert res == [
        "linked_event_failed",
        "linked_event_failed",
        "exceeds_credits",
        "ok",
        "linked_event_failed",
        "linked_event_chain_open",
    ]
    assert bal(store, 3) == [(0, before[2].debits_posted + 1, 0, 900)]
    assert store.lookup_transfers([3, 4, 5, 7, 8]) == []
    assert store.create_transfers(split) == ["exists", "exists"]  # a retried chain changes nothing
    assert reconcile(store).ok


def test_pending_and_post_in_one_batch_and_failed_ids_can_be_retried(store):
    fund(store, 2, 50)
    res = store.create_transfers(
        [T(1, 2, 1, 50, flags=PEND), T(2, pending_id=1, amount=20, flags=POST), T(3, 2, 1, 31)]
    )
    assert res == ["ok", "ok", "exceeds_credits"]
    fund(store, 2, 1, id=901)
    assert store.create_transfers([T(3, 2, 1, 31)]) == ["ok"]  # a refused transfer was not stored
    assert bal(store, 2) == [(0, 51, 0, 51)]


def test_balances_as_of_and_statement(store, clock):
    fund(store, 2, 1_000)
    clock.advance(10)
    assert store.create_transfers([T(1, 2, 1, 100), T(2, 2, 3, 50, flags=PEND)]) == ["ok", "ok"]
    t1, t2 = (t.timestamp for t in store.lookup_transfers([1, 2]))
    clock.advance(10)
    assert store.create_transfers(
        [T(3, 3, 2, 30, flags=0), T(4, pending_id=2, amount=POST_FULL, flags=POST)]
    ) == [
        "exceeds_credits",
        "ok",
    ]
    t4 = store.lookup_transfers([4])[0].timestamp
    b = store.balance(2, as_of=t1 - 1)
    assert (b.debits_pending, b.debits_posted, b.credits_pending, b.credits_posted) == (0, 0, 0, 1_000)
    b = store.balance(2, as_of=t2)
    assert (b.debits_pending, b.debits_posted, b.credits_posted) == (50, 100, 1_000)
    b = store.balance(2, as_of=t4)
    assert (b.debits_pending, b.debits_posted) == (0, 150)
    now = store.balance(2)
    assert (now.debits_pending, now.debits_posted, now.credits_posted) == (0, 150, 1_000)
    assert store.balance(99) is None
    rows = [(t.id, running) for t, running in store.statement(2)]
    assert rows == [(900, 1_000), (1, 900), (2, 900), (4, 850)]
    assert [(t.id, r) for t, r in store.statement(2, since=t2)] == [(2, 900), (4, 850)]
    assert len(store.statement(2, limit=2)) == 2


def test_reconcile_detects_tampering(store):
    fund(store, 2, 1_000)
    assert store.create_transfers([T(1, 2, 1, 10)]) == ["ok"]
    assert reconcile(store).ok
    with store._write() as con:  # a bug or a hand edit moves money without a transfer
        store._q(con, "UPDATE accounts SET credits_posted = credits_posted + 5 WHERE code = 4 RETURNING id")
    report = reconcile(store)
    assert not report.ok
    assert any("stored balances" in p for p in report.problems)
    assert any("posted debits" in p for p in report.problems)


@pytest.mark.parametrize("bad", ["mysql://x", "nope"])
def test_unknown_url(bad):
    from guanghe.ledger import LedgerError, open_ledger

    with pytest.raises(LedgerError, match="unknown ledger URL"):
        open_ledger(bad)


def test_full_128_bit_ids_round_trip_in_numeric_order(store):
    big = [2**63 - 1, 2**63, 2**64 + 5, 2**127 + 3, ID_MAX - 1]
    assert store.create_accounts([Account(i, CNY, 1) for i in reversed(big)]) == ["ok"] * 5
    assert [a.id for a in store.accounts() if a.id > 5] == big
    batch = [T(i, big[0], i, 7, user_data=ID_MAX - 2) for i in big[1:]]
    assert store.create_transfers(batch) == ["ok"] * 4
    assert store.lookup_transfers(big[1:]) == [
        Transfer(t.id, t.debit_account_id, t.credit_account_id, 7, 0, ID_MAX - 2, CNY, 1, 0, 0, x.timestamp)
        for t, x in zip(batch, store.lookup_transfers(big[1:]), strict=True)
    ]
    assert [t.id for t, _ in store.statement(big[0])] == big[1:]
    assert store.balance(big[0]).debits_posted == 28
    assert reconcile(store).ok


@pytest.mark.parametrize(
    ("field", "value"), [("code", -1), ("ledger", 2**32), ("user_data", 2**128), ("amount", 1.5), ("id", "7")]
)
def test_out_of_range_fields_refuse_the_whole_batch(store, field, value):
    from guanghe.ledger import LedgerError

    fund(store, 2, 10)
    fields = {"id": 2, "debit_account_id": 2, "credit_account_id": 1, "amount": 5, "ledger": CNY, "code": 1}
    bad = Transfer(**{**fields, field: value})
    with pytest.raises(LedgerError, match=f"transfer #1 .*{field} = "):
        store.create_transfers([T(1, 2, 1, 5), bad])
    assert store.lookup_transfers([1, 2]) == []


def test_out_of_range_account_fields_refuse_the_batch(store):
    from guanghe.ledger import LedgerError

    with pytest.raises(LedgerError, match=r"account #1 \(id 8\): code = -3"):
        store.create_accounts([Account(7, CNY, 1), Account(8, CNY, -3)])
    assert store.lookup_accounts([7, 8]) == []


def test_a_pending_transfer_due_inside_the_batch_cannot_be_posted(store, clock):
    fund(store, 2, 100)
    assert store.create_transfers([T(1, 2, 1, 60, flags=PEND, timeout=1)]) == ["ok"]
    due = store.lookup_transfers([1])[0].timestamp + SEC
    clock.now = due - 2  # the batch starts 2 ns before the expiry: its third event is stamped `due`
    res = store.create_transfers(
        [T(2, 2, 3, 1), T(3, 2, 3, 1), T(4, pending_id=1, amount=POST_FULL, flags=POST)]
    )
    assert res == ["ok", "ok", "pending_transfer_expired"]  # TigerBeetle: expires_at <= the event's timestamp
    assert [t.timestamp for t in store.lookup_transfers([2, 3])] == [due - 2, due - 1]
    assert bal(store, 1) == [(0, 0, 60, 0)]  # still held until the next batch's expiry releases it
    store.expire()
    assert bal(store, 1) == [(0, 0, 0, 0)]
    assert reconcile(store).ok


def test_zero_amounts_follow_current_tigerbeetle(store):
    fund(store, 2, 100)
    res = store.create_transfers(
        [
            T(1, 2, 1, 0),  # a zero transfer is a transfer
            T(2, 2, 1, 40, flags=PEND),
            T(3, pending_id=2, amount=0, flags=POST),  # posts nothing: the whole hold returns
            T(4, 2, 1, 30, flags=PEND),
            T(5, pending_id=4, amount=POST_FULL, flags=POST),  # posts all of it
            T(6, 2, 1, 20, flags=PEND),
            T(7, pending_id=6, amount=21, flags=VOID),  # a void of more than was held
            T(8, pending_id=6, amount=0, flags=VOID),  # a void of 0 voids it all
        ]
    )
    assert res == ["ok", "ok", "ok", "ok", "ok", "ok", "exceeds_pending_transfer_amount", "ok"]
    assert [t.amount for t in store.lookup_transfers([1, 3, 5, 8])] == [0, 0, 30, 20]
    assert bal(store, 2, 1) == [(0, 30, 0, 100), (0, 0, 0, 30)]
    assert store.history(2)["pending"].status == "posted"
    assert reconcile(store).ok


def test_reads_with_ids_out_of_range(store):
    from guanghe.ledger import LedgerError

    fund(store, 2, 10)
    assert store.lookup_transfers([-1, 2**128, 900]) == store.lookup_transfers([900])
    assert store.lookup_accounts([-1, 2**128]) == []
    for read, args in [("history", (2**128,)), ("balance", (-1,)), ("statement", (-1,))]:
        with pytest.raises(LedgerError, match="id = "):
            getattr(store, read)(*args)
    with pytest.raises(LedgerError, match="limit = -1"):
        store.statement(2, limit=-1)
    assert store.statement(2, limit=0) == []


def test_scan_transfers_pages_through_the_ledger_in_time_order(store: LedgerStore) -> None:
    store.create_accounts([Account(1, CNY, 1), Account(2, CNY, 1)])
    assert store.scan_transfers() == [] and store.last_timestamp() == 0
    for batch in range(5):
        store.create_transfers(
            [Transfer(100 + batch * 10 + i, 1, 2, 1 + i, ledger=CNY, code=1) for i in range(7)]
        )
    seen, after = [], 0
    while page := store.scan_transfers(after, limit=4):
        assert len(page) <= 4 and all(t.timestamp > after for t in page)
        seen += page
        after = page[-1].timestamp
    assert [t.id for t in seen] == sorted(100 + b * 10 + i for b in range(5) for i in range(7))
    assert [t.timestamp for t in seen] == sorted(
        t.timestamp for t in seen
    ) and after == store.last_timestamp()
    cut = seen[10].timestamp
    assert [t.id for t in store.scan_transfers(0, 1000, until=cut)] == [t.id for t in seen[:11]]
    with pytest.raises(LedgerError, match="limit"):
        store.scan_transfers(0, 0)
    with pytest.raises(LedgerError, match="after"):
        store.scan_transfers(-1)
