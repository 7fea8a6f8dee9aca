"""Rewards paid exactly once through the ledger (SQLite and PostgreSQL): runs through a day, overlapping and
repeated runs, the platform's own task rewards on the same days, balances to the fen."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import tasks_platform as tp

from guanghe.data.growth_schema import TASK_COMPLETIONS
from guanghe.data.warehouse import open_warehouse
from guanghe.growth.tasks import load_tasks
from guanghe.growth.tasks.detect import reward_id
from guanghe.growth.tasks.run import run_tasks
from guanghe.ledger import open_ledger
from guanghe.ledger.reconcile import reconcile
from guanghe.money.accrue import accrue
from guanghe.money.chart import Kind, account_id, creator_payable
from guanghe.money.rules import CHANNELS_DIR
from guanghe.money.rules_load import load_rules
from guanghe.programs import PROGRAMS_DIR, load_programs
from servers import fresh_store_urls, postgres_available

UTC = ZoneInfo("UTC")
RULES, NAMES = load_rules(CHANNELS_DIR, PROGRAMS_DIR)
PROGRAMS = load_programs(PROGRAMS_DIR)


@pytest.fixture(params=["sqlite", "postgres"])
def ledger_url(request, tmp_path) -> Iterator[str]:
    if request.param == "postgres":
        postgres_available()
    with fresh_store_urls(request.param, tmp_path, "gt") as make:
        yield make()


def tasks(folder):
    tp.task_file(folder, "food", 'kind = "publish_count"\ncount = 2\ncategory = "food"', first=2,
                 audience='categories = ["food"]')  # fmt: skip
    tp.task_file(folder, "live", 'kind = "first_live"', reward=700)
    return load_tasks(folder)


def payable(ledger, creators=range(1, 7)) -> dict[int, int]:
    """Posted balance of each creator's payable account that moved."""
    ids = {creator_payable(c): c for c in creators}
    return {ids[a.id]: a.balance for a in ledger.accounts() if a.id in ids and a.balance}


def run(wh_url, ledger_url, found, through):
    with open_warehouse(wh_url) as wh, open_ledger(ledger_url, create=True) as ledger:
        return run_tasks(wh, ledger, found, RULES, PROGRAMS, through, UTC)


def stored(wh_url):
    with open_warehouse(wh_url) as wh:
        done = wh.fetch(wh.table(TASK_COMPLETIONS)).to_pylist()
        rewards = wh.fetch(wh.table("task_rewards")).to_pylist()
        income = wh.fetch(wh.table("income").filter(lambda t: t.channel == "task")).to_pylist()
    return done, rewards, income


def test_overlapping_and_repeated_runs_pay_each_reward_once(tmp_path, ledger_url):
    wh_url, found = tp.write(tmp_path / "w.duckdb"), tasks(tmp_path / "t")
    first = run(wh_url, ledger_url, found, date(2023, 5, 2))
    assert [(o.task_id, o.new, o.rewarded) for o in first.tasks] == [("food", 1, 1), ("live", 0, 0)]
    assert first.accrual.channels["task"].new == 2  # the reward and its own funding
    second = run(wh_url, ledger_url, found, date(2023, 5, 31))
    assert [(o.task_id, o.stored, o.new, o.rewarded, o.reward_fen) for o in second.tasks] == [
        ("food", 1, 2, 1, 100),  # creator 1 takes the last of the 2 slots, creator 2 completes unrewarded
        ("live", 0, 2, 2, 1400),
    ]
    for through in (date(2023, 5, 31), date(2023, 5, 15)):  # a rerun, and an earlier overlapping day
        again = run(wh_url, ledger_url, found, through)
        assert sum(o.new for o in again.tasks) == 0 and again.ok
        assert again.accrual.channels["task"].new == 0
    with open_ledger(ledger_url) as ledger:
        assert payable(ledger) == {3: 100 + 700, 1: 100, 6: 700}
        assert ledger.balance(account_id(Kind.TASK_BUDGET)).credits_posted == 1600  # funded, never overspent
        assert reconcile(ledger).ok
    done, rewards, income = stored(wh_url)
    assert sorted((r["task_id"], r["creator_id"], r["reward_fen"]) for r in done) == [
        ("food", 1, 100), ("food", 2, 0), ("food", 3, 100), ("live", 3, 700), ("live", 6, 700)]  # fmt: skip
    assert sorted(r["reward_id"] for r in rewards) == sorted(
        reward_id(t, c, 1) for t, c in (("food", 1), ("food", 3), ("live", 3), ("live", 6))
    )
    assert sorted((r["creator_id"], r["amount_fen"]) for r in income) == [
        (1, 100),
        (3, 100),
        (3, 700),
        (6, 700),
    ]


def test_platform_rewards_on_the_same_day_stay_payable(tmp_path, ledger_url):
    """The platform's own reward of 05-05 is accrued (its day funded) before the task center finds creator 3's
    first live on 05-05: the new reward has a funding of its own, nothing is refused."""
    platform = {"task_rewards": [{"reward_id": 1, "task_id": "2023-05-T01", "creator_id": 3,
                                  "completed_at": datetime(2023, 5, 5, 9), "reward_fen": 500}]}  # fmt: skip
    wh_url, found = tp.write(tmp_path / "w.duckdb", platform), tasks(tmp_path / "t")
    with open_warehouse(wh_url) as wh, open_ledger(ledger_url, create=True) as ledger:
        assert accrue(wh, ledger, RULES, NAMES, date(2023, 5, 31), UTC).ok
    report = run(wh_url, ledger_url, found, date(2023, 5, 31))
    assert report.ok and report.accrual.channels["task"].refused == 0
    assert report.accrual.channels["task"].present == 2  # the platform's reward and its day's funding
    with open_ledger(ledger_url) as ledger:
        assert payable(ledger) == {3: 500 + 100 + 700, 1: 100, 6: 700}
        assert reconcile(ledger).ok
