"""Crash test: kill -9 a writer in the middle of its batches, restart, retry the same batches with the same
ids. Every batch is applied entirely or not at all, nothing twice, and the final state is the clean one."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

from ledger_model import Model
from ledger_worker import CRASH_SOURCE, CRASH_TARGETS, crash_batches

from guanghe.ledger import CNY, Account
from guanghe.ledger.reconcile import reconcile

WORKER = str(Path(__file__).with_name("ledger_worker.py"))
SEED, BATCHES = 11, 10


def kill_after(url: str, committed: int, rng: random.Random) -> int:
    """Start a writer over all batches; SIGKILL it after ``committed`` batches plus a random instant."""
    p = subprocess.Popen(
        [sys.executable, WORKER, "crash", url, str(SEED), str(BATCHES)], stdout=subprocess.PIPE, text=True
    )
    seen = -1
    assert p.stdout is not None
    while seen < committed - 1:
        line = p.stdout.readline()
        assert line, "writer exited early"
        seen = int(line)
    time.sleep(rng.uniform(0.0, 0.05))  # somewhere inside the next batch
    os.kill(p.pid, signal.SIGKILL)
    assert p.wait(timeout=30) == -signal.SIGKILL, "the writer finished before it was killed"
    return seen


def test_kill_9_then_retry_applies_each_batch_once(make_store):
    store = make_store()
    accounts = [CRASH_SOURCE, *CRASH_TARGETS]
    assert store.create_accounts([Account(i, CNY, 1) for i in accounts]) == ["ok"] * len(accounts)
    batches = crash_batches(SEED, BATCHES, 1_500)
    rng = random.Random(5)
    for committed in (2, 5):
        kill_after(store.url, committed, rng)
        stored = {t.id for t in store.lookup_transfers(t.id for b in batches for t in b)}
        applied = [sum(t.id in stored for t in b) for b in batches]
        assert all(n in (0, len(b)) for n, b in zip(applied, batches, strict=True)), (
            applied
        )  # nothing half-applied
        assert sum(1 for n in applied if n) >= committed
        report = reconcile(store)
        assert report.ok, report.problems
    for b in batches:  # the restarted client retries everything with the same ids
        before = {t.id for t in store.lookup_transfers(t.id for t in b)}
        want = ["exists" if t.id in before else "ok" for t in b]
        assert store.create_transfers(b) == want
    model = Model(dict.fromkeys(accounts, 0))
    for b in batches:
        assert set(model.batch(0, [asdict(t) for t in b])) == {"ok"}
    got = {
        a.id: [a.debits_pending, a.debits_posted, a.credits_pending, a.credits_posted]
        for a in store.accounts()
    }
    assert got == model.balances
    report = reconcile(store)
    assert report.ok, report.problems
    assert report.transfers == sum(map(len, batches))
