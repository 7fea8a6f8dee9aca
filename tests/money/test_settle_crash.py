"""kill -9 during settlement, then rerun: the same statements and payouts as a settlement never interrupted,
nothing paid twice, nothing lost — on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pyarrow as pa
from settle_book import bulk_june, clean

from guanghe.data.warehouse import open_warehouse
from guanghe.ledger import open_ledger
from guanghe.ledger.columns import u128
from guanghe.money.settle import Month, load_settlement, settle_month
from guanghe.money.settle.markers import settled_months
from guanghe.money.settle.transfers import MCN_SHARE, PAYOUT, WITHHOLDING
from servers import PG_URL

pytest_plugins = ("settle_fixtures",)
WORKER = str(Path(__file__).with_name("settle_worker.py"))
CREATORS = 12_000
JUNE = Month.parse("2023-06")


def kill_at(ledger_url: str, wh_url: str, line: str, rng: random.Random) -> bool:
    """Run a settlement in a worker; SIGKILL it a random instant after it prints ``line``. False if it
    finished first."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(
            [str(Path(__file__).parents[2] / "src"), os.environ.get("PYTHONPATH", "")]
        ),
    }
    p = subprocess.Popen(
        [sys.executable, WORKER, ledger_url, wh_url, str(JUNE)], stdout=subprocess.PIPE, text=True, env=env
    )
    assert p.stdout is not None
    while (got := p.stdout.readline().strip()) != line:
        assert got and got != "finished", f"the worker ended before {line!r} ({got!r})"
    time.sleep(rng.uniform(0.0, 0.08))
    os.kill(p.pid, signal.SIGKILL)
    return p.wait(timeout=60) == -signal.SIGKILL


def table(url: str, name: str, drop: tuple[str, ...]) -> pa.Table:
    wh = open_warehouse(url)
    try:
        t = wh.table(name).to_pyarrow()
    finally:
        wh.close()
    t = t.drop_columns([c for c in drop if c in t.column_names])
    return t.sort_by([(c, "ascending") for c in t.column_names])


def test_kill_9_during_settlement_then_rerun(settle_ledger_url: str, settle_wh_url: str, tmp_path) -> None:
    # the reference: the same postings settled without interruption
    ref_wh_url = f"duckdb:///{tmp_path / 'ref.duckdb'}"
    ref_url = (
        settle_ledger_url.replace("ledger.sqlite3", "ref.sqlite3")
        if "sqlite" in settle_ledger_url
        else (settle_ledger_url.replace("?schema=", "?schema=r"))
    )
    rules = load_settlement()
    try:
        for url, wh_url in ((settle_ledger_url, settle_wh_url), (ref_url, ref_wh_url)):
            with open_ledger(url, create=True) as ledger:
                wh = open_warehouse(wh_url, create=True)
                bulk_june(ledger, wh, CREATORS)
                if url == ref_url:
                    settle_month(ledger, wh, rules, JUNE, Month.parse("2030-01").first, {})
                wh.close()
        rng = random.Random(9)
        killed = [
            kill_at(settle_ledger_url, settle_wh_url, line, rng) for line in ("ledger 0", "ledger 8000")
        ]
        with open_ledger(settle_ledger_url) as ledger:
            mark = settled_months(ledger)[JUNE]
            assert not mark.done and all(killed)  # both runs died inside the ledger step
            clean(ledger)
        assert kill_at(settle_ledger_url, settle_wh_url, "warehouse 0", rng)
        with open_ledger(settle_ledger_url) as ledger:
            assert settled_months(ledger)[JUNE].done
            wh = open_warehouse(settle_wh_url)
            result = settle_month(ledger, wh, rules, JUNE, Month.parse("2030-01").first, {})
            wh.close()
            assert result.rerun and result.transfers_written == 0
            clean(ledger)
            got = ledger.scan_columns(codes=[MCN_SHARE, WITHHOLDING, PAYOUT])
        with open_ledger(ref_url) as ref:
            want = ref.scan_columns(codes=[MCN_SHARE, WITHHOLDING, PAYOUT])
        key = lambda c: sorted((u128(c.id, i), int(c.amount[i]), int(c.flags[i])) for i in range(len(c)))  # noqa: E731
        assert key(got) == key(want) and len(want) > 8_000  # each settlement transfer once, none lost
        for name, drop in (
            ("money_statements", ("cutoff", "settled_at")),
            ("money_statement_lines", ()),
            ("payouts", ("updated_at",)),
        ):
            assert table(settle_wh_url, name, drop).equals(table(ref_wh_url, name, drop)), name
        assert table(ref_wh_url, "payouts", ()).num_rows == result.payouts > 0
    finally:
        if "schema=" in ref_url:
            with psycopg.connect(PG_URL, autocommit=True) as con:
                con.execute(f'DROP SCHEMA IF EXISTS "{ref_url.split("schema=")[1]}" CASCADE')
