"""Any rerun, overlap or retry applies nothing twice: accrue twice, overlapping --through ranges, a batch that
failed (before or after it committed), an event changed after its money moved."""

from __future__ import annotations

import shutil

import pytest
from money_checks import MIXED_THROUGH, check_conservation, day, income, mixed_platform, run, state

from guanghe.data.warehouse import open_warehouse
from guanghe.ledger.reconcile import reconcile

ZONE = "Asia/Shanghai"


@pytest.fixture
def mixed(tmp_path) -> str:
    return mixed_platform(tmp_path / "mixed.duckdb")


def copy(url: str, name: str) -> str:
    src = url.removeprefix("duckdb:///")
    dst = src.replace("mixed.duckdb", f"{name}.duckdb")
    shutil.copy(src, dst)
    return f"duckdb:///{dst}"


def reference(mixed: str, make_ledger, through=MIXED_THROUGH):
    wh, ledger = copy(mixed, "reference"), make_ledger()
    report = run(wh, ledger, through, ZONE)
    assert report.ok
    return state(ledger), income(wh, ZONE), report


def test_accrue_twice_applies_nothing_twice(mixed, make_ledger):
    ledger = make_ledger()
    first = run(mixed, ledger, MIXED_THROUGH, ZONE)
    assert first.ok and first.events > 2_900 and all(c.new for c in first.channels.values())
    before, rows = state(ledger), income(mixed, ZONE)
    second = run(mixed, ledger, MIXED_THROUGH, ZONE)
    assert second.ok and [c.new for c in second.channels.values()] == [0] * 6
    assert [c.present for c in second.channels.values()] == [c.new for c in first.channels.values()]
    assert second.income.inserted == 0 and second.income.present == first.income.inserted == len(rows)
    assert state(ledger) == before and income(mixed, ZONE) == rows
    check_conservation(ledger, mixed, ZONE)


def test_overlapping_through_ranges_end_where_one_run_ends(mixed, make_ledger):
    want, rows, _ = reference(mixed, make_ledger)
    ledger = make_ledger()
    for through in (
        day("2022-09-30"),
        day("2023-01-15"),
        day("2022-11-01"),
        MIXED_THROUGH,
        day("2023-03-01"),
    ):
        report = run(mixed, ledger, through, ZONE)
        assert report.ok
        check_conservation(ledger, mixed, ZONE)
    assert state(ledger) == want and income(mixed, ZONE) == rows


class Failing:
    """A real ledger whose ``k``-th create_transfers fails: before it runs (the batch is lost) or after it
    committed (the answer is lost), the way a dropped connection or a crashed client looks."""

    def __init__(self, store, k: int, after: bool) -> None:
        self.store, self.k, self.after, self.calls = store, k, after, 0

    def create_transfers(self, transfers):
        self.calls += 1
        if self.calls == self.k and not self.after:
            raise ConnectionError("connection lost before the batch")
        results = self.store.create_transfers(transfers)
        if self.calls == self.k:
            raise ConnectionError("connection lost after the commit")
        return results

    def __getattr__(self, name):
        return getattr(self.store, name)


@pytest.mark.parametrize("after", [False, True], ids=["before-commit", "after-commit"])
def test_retry_of_a_failed_batch(mixed, make_ledger, after):
    want, rows, _ = reference(mixed, make_ledger)
    ledger = make_ledger()
    with pytest.raises(ConnectionError):
        run(mixed, Failing(ledger, 4, after), MIXED_THROUGH, ZONE, batch=500)
    assert reconcile(ledger).ok and 0 < len(state(ledger)[0]) < len(want[0])
    assert income(mixed, ZONE) == []  # the income export comes after the transfers
    report = run(mixed, ledger, MIXED_THROUGH, ZONE, batch=700)  # another batching: the same ids
    assert report.ok and sum(c.present for c in report.channels.values()) >= 500 * (3 if after else 2)
    assert state(ledger) == want and income(mixed, ZONE) == rows
    check_conservation(ledger, mixed, ZONE)


def test_an_event_changed_after_its_money_moved_is_reported_and_changes_nothing(mixed, make_ledger):
    ledger = make_ledger()
    assert run(mixed, ledger, MIXED_THROUGH, ZONE).ok
    before, rows = state(ledger), income(mixed, ZONE)
    wh = open_warehouse(mixed)
    try:  # a system re-exported order 1 with another amount, and task reward 1 with another reward
        wh.raw.execute("UPDATE ecommerce_orders SET amount_fen = amount_fen + 10000 WHERE order_id = 1")
        wh.raw.execute("UPDATE task_rewards SET reward_fen = reward_fen + 1 WHERE reward_id = 1")
    finally:
        wh.close()
    again = run(mixed, ledger, MIXED_THROUGH, ZONE)
    assert not again.ok
    refused = {(p.channel, p.code, p.source_ref, p.result) for p in again.problems}
    assert ("affiliate", "affiliate", "ecommerce_orders/1", "exists_with_different_amount") in refused
    # the reward's day was funded with the old reward: the funding, first in the day's chain, differs
    assert ("task", "task_funding", "funding/0", "exists_with_different_amount") in refused
    assert state(ledger) == before and income(mixed, ZONE) == rows
    check_conservation(ledger, mixed, ZONE)
