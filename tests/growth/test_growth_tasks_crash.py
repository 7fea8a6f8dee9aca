"""kill -9 a `guanghe tasks run` subprocess (after it stored its completions, then in the middle of paying),
rerun it: the ledger and the warehouse hold each reward exactly once."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from datetime import date

import pytest
import tasks_platform as tp
from test_growth_tasks_pay import payable, stored

from guanghe.ledger import open_ledger
from guanghe.ledger.reconcile import reconcile
from guanghe.money.chart import Kind, account_id

THROUGH = "2023-05-31"


def platform(tmp_path) -> tuple[str, dict[int, int]]:
    """The hand-built platform plus 40 creators each publishing 2 food works in May: 40 + 4 rewards of 100."""
    extra = {"creators": [{**tp.DEFAULTS["creators"], "creator_id": 100 + i, "category": "food"} for i in range(40)],
             "works": [{**tp.DEFAULTS["works"], "work_id": 1000 + 2 * i + k, "creator_id": 100 + i, "kind": "image",
                        "category": "food", "published_at": tp._ts(10 + i % 20, 1 + k), "title": None}
                       for i in range(40) for k in range(2)]}  # fmt: skip
    tp.task_file(tmp_path / "t", "food", 'kind = "publish_count"\ncount = 2\ncategory = "food"')
    want = {c: 100 for c in range(100, 140)} | {1: 100, 2: 100, 3: 100, 4: 100}
    return tp.write(tmp_path / "w.duckdb", extra), want


def start(tmp_path, wh_url: str, ledger_url: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "GUANGHE_TIMEZONE": "UTC"}
    cmd = [sys.executable, "-m", "guanghe", "--log-level", "DEBUG", "tasks", "run", "--through", THROUGH,
           "--tasks", str(tmp_path / "t"), "--warehouse", wh_url, "--ledger", ledger_url, "--batch", "2", "--json"]  # fmt: skip
    return subprocess.Popen(cmd, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=env)


def kill_when(p: subprocess.Popen, marker: str, times: int, rng: random.Random) -> None:
    """SIGKILL the run once ``marker`` has appeared ``times`` times on its log, plus a random instant."""
    assert p.stderr is not None
    seen = 0
    while seen < times:
        line = p.stderr.readline()
        assert line, f"the run ended before {marker!r} x{times}"
        seen += marker in line
    time.sleep(rng.uniform(0.0, 0.02))
    os.kill(p.pid, signal.SIGKILL)
    assert p.wait(timeout=60) == -signal.SIGKILL, "the run finished before it was killed"


@pytest.mark.slow
def test_kill_9_during_tasks_run_then_rerun_pays_each_reward_once(tmp_path):
    wh_url, want = platform(tmp_path)
    ledger_url = f"sqlite:///{tmp_path / 'ledger.sqlite3'}"
    rng = random.Random(7)
    # 1: killed right after storing completions (before or while paying); 2: killed mid-way through paying
    for marker, times in (("stored", 1), ("paid", 20)):
        kill_when(start(tmp_path, wh_url, ledger_url), marker, times, rng)
        done, rewards, _ = stored(wh_url)
        assert len(done) == len(rewards) == len(want)  # stored whole, in one transaction
    with open_ledger(ledger_url) as ledger:
        assert reconcile(ledger).ok  # every batch whole or absent
        assert 0 < sum(payable(ledger, want).values()) < sum(want.values())  # paid in part
    p = start(tmp_path, wh_url, ledger_url)
    _, err = p.communicate(timeout=120)
    assert p.returncode == 0, err
    done, rewards, income = stored(wh_url)
    assert sorted(r["creator_id"] for r in done) == sorted(r["creator_id"] for r in rewards) == sorted(want)
    assert sorted((r["creator_id"], r["amount_fen"]) for r in income) == sorted(want.items())
    with open_ledger(ledger_url) as ledger:
        assert payable(ledger, want) == want
        assert ledger.balance(account_id(Kind.TASK_BUDGET)).credits_posted == sum(want.values())
        assert reconcile(ledger).ok
    assert date.fromisoformat(THROUGH) == done[0]["run_through"]
