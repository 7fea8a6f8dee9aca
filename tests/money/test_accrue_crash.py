"""kill -9 during accrue, then rerun: nothing applied twice, nothing lost (SQLite and PostgreSQL)."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from money_checks import MIXED_THROUGH, check_conservation, income, mixed_platform, run, state
from test_accrue_idempotency import copy, reference

from guanghe.ledger.reconcile import reconcile

WORKER = str(Path(__file__).with_name("accrue_worker.py"))
ZONE = "Asia/Shanghai"


def kill_after(wh: str, ledger_url: str, batches: int, rng: random.Random) -> int:
    """Start accrue in a process; SIGKILL it after ``batches`` committed batches plus a random instant."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    p = subprocess.Popen([sys.executable, WORKER, wh, ledger_url, MIXED_THROUGH.isoformat(), ZONE, "300"],
                         stdout=subprocess.PIPE, text=True, env=env)  # fmt: skip
    assert p.stdout is not None
    for seen in range(batches):
        line = p.stdout.readline()
        assert line and not line.startswith("done"), f"accrue ended after {seen} batches"
    time.sleep(rng.uniform(0.0, 0.05))  # somewhere inside the next batch
    os.kill(p.pid, signal.SIGKILL)
    assert p.wait(timeout=60) == -signal.SIGKILL, "accrue finished before it was killed"
    return batches


def test_kill_9_during_accrue_then_rerun(tmp_path, make_ledger_url, make_ledger):
    mixed = mixed_platform(tmp_path / "mixed.duckdb")
    want, rows, report = reference(mixed, make_ledger)
    assert sum(c.new for c in report.channels.values()) > 3_000  # more than ten batches of 300
    url, rng = make_ledger_url(), random.Random(3)
    wh = copy(mixed, "crashed")
    for batches in (2, 6):
        kill_after(wh, url, batches, rng)
        ledger = make_ledger(url)
        assert reconcile(ledger).ok  # every batch whole or absent, balances equal the transfers
        assert 0 < len(state(ledger)[0]) < len(want[0])
        assert income(wh, ZONE) == []  # the export comes last: nothing half-written there either
        ledger.close()
    ledger = make_ledger(url)
    again = run(wh, ledger, MIXED_THROUGH, ZONE)
    assert again.ok and sum(c.present for c in again.channels.values()) >= 6 * 300
    assert state(ledger) == want and income(wh, ZONE) == rows  # nothing twice, nothing lost
    check_conservation(ledger, wh, ZONE)
