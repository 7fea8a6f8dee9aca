"""Bank-style concurrency: several processes move money at once; totals never change, every read balances."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from ledger_worker import BANK_ACCOUNTS

from guanghe.ledger import CNY, Account, Transfer
from guanghe.ledger.reconcile import reconcile

WORKER = str(Path(__file__).with_name("ledger_worker.py"))
FUNDS = 10_000


def test_concurrent_writers_never_change_totals(make_store):
    store = make_store()
    store.create_accounts([Account(100, CNY, 6)] + [Account(i, CNY, 1, flags=2) for i in BANK_ACCOUNTS])
    funding = [Transfer(10 + i, 100, i, FUNDS, ledger=CNY, code=1) for i in BANK_ACCOUNTS]
    assert store.create_transfers(funding) == ["ok"] * len(funding)
    total = FUNDS * len(BANK_ACCOUNTS)
    start = time.time() + 2.0  # every writer starts at this instant
    procs = [
        subprocess.Popen(
            [sys.executable, WORKER, "bank", store.url, str(seed), "30", str(start)],
            stdout=subprocess.PIPE,
            text=True,
        )
        for seed in (1, 2, 3)
    ]
    reads = 0
    while reads < 5 or any(p.poll() is None for p in procs):
        accounts = store.accounts()  # one snapshot
        bank = [a for a in accounts if a.id in BANK_ACCOUNTS]
        assert sum(a.credits_posted - a.debits_posted for a in bank) == total
        assert sum(a.debits_posted for a in accounts) == sum(a.credits_posted for a in accounts)
        assert sum(a.debits_pending for a in accounts) == sum(a.credits_pending for a in accounts)
        assert all(a.debits_posted + a.debits_pending <= a.credits_posted for a in bank)
        reads += 1
    ok = 0
    for p in procs:
        out, _ = p.communicate(timeout=120)
        assert p.returncode == 0
        ok += json.loads(out)["ok"]
    assert ok > 100
    report = reconcile(store)
    assert report.ok, report.problems
    assert report.transfers == ok + len(funding)
