"""The demo's use case: a synthetic platform through every room, on the embedded defaults.

synth → ingest → growth (trust badges, growth-rights levels: features the allocator reads) → allocate →
accrue (every channel on the ledger, income exported back) → the task center (completions, rewards paid
through the ledger) → settle the last month (it opens the books: every earlier posting is in its statements;
MCN shares, withholding, payouts) → the ledger's reconciliation → headline metrics → the HTML report.
Everything lives in one folder, rebuilt on every run.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from guanghe.allocate.run import Allocation, allocate_and_store
from guanghe.data.ingest import ingest
from guanghe.data.ingest.report import IngestReport
from guanghe.data.warehouse import open_warehouse
from guanghe.growth.cycle import GrowthRun, run_growth
from guanghe.growth.tasks import TASKS_DIR, load_tasks
from guanghe.growth.tasks.run import TasksReport, run_tasks
from guanghe.ledger import open_ledger
from guanghe.ledger.reconcile import Report as Reconciliation
from guanghe.ledger.reconcile import reconcile
from guanghe.metrics.headline import HeadlineRow, headline
from guanghe.metrics.report import money_report, plan_tables, write_report
from guanghe.money.accrue import AccrueReport, accrue
from guanghe.money.chart import check_program_codes
from guanghe.money.rules import CHANNELS_DIR
from guanghe.money.rules_load import load_rules
from guanghe.money.settle.months import Month
from guanghe.money.settle.rules import load_settlement
from guanghe.money.settle.settle import SettleResult, settle_month
from guanghe.programs import PROGRAMS_DIR, load_programs
from guanghe.synth import SynthConfig, generate

STEPS = ("synth", "ingest", "growth", "accrue", "allocate", "tasks", "settle", "metrics", "report")
OnStep = Callable[[str, int, int | None, str], None]  # (step, done, total, detail)


@dataclass
class DemoResult:
    out: Path
    ingested: IngestReport
    allocation: Allocation
    accrued: AccrueReport
    settled: SettleResult
    month: Month
    reconciled: Reconciliation
    headline: list[HeadlineRow]
    report: Path
    growth: GrowthRun
    tasks: TasksReport
    seconds: dict[str, float] = field(default_factory=dict)


def run_demo(config: SynthConfig, out: Path, zone: ZoneInfo, on_step: OnStep | None = None) -> DemoResult:
    """Build the demo platform in ``out`` (its synth/, guanghe.duckdb, ledger.sqlite3, report.html)."""
    say = on_step or (lambda step, done, total, detail: None)
    data, db, ledger_file, html = (
        out / "synth",
        out / "guanghe.duckdb",
        out / "ledger.sqlite3",
        out / "report.html",
    )
    shutil.rmtree(data, ignore_errors=True)  # the demo's own folder: rebuilt on every run
    for stale in (db, ledger_file):
        for f in (stale, stale.with_name(stale.name + ".wal"), stale.with_name(stale.name + "-wal"),
                  stale.with_name(stale.name + "-shm")):  # fmt: skip
            f.unlink(missing_ok=True)
    seconds: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(step: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        seconds[step], clock = now - clock, now

    generate(config, data, on_month=lambda month, total: say("synth", month.index + 1, total, month.label))
    lap("synth")
    wh = open_warehouse(f"duckdb:///{db}", create=True)
    try:
        ingested = ingest(
            [data / "data"], wh, on_file=lambda f, done, total: say("ingest", done, total, f.table)
        )
        lap("ingest")
        say("growth", 0, None, "trust badges, growth-rights levels")
        grown = run_growth(wh, config.end, zone)
        lap("growth")
        rules, names = load_rules(CHANNELS_DIR, PROGRAMS_DIR)
        with open_ledger(f"sqlite:///{ledger_file}", create=True) as ledger:
            # accrue first: the programs weigh income, read from the ledger's income export
            accrued = accrue(wh, ledger, rules, names, config.end, zone,
                             progress=lambda channel, done, total: say("accrue", done, total, channel))  # fmt: skip
            lap("accrue")
            say("allocate", 0, None, "features, curves, certified solve")
            allocation = allocate_and_store(wh, PROGRAMS_DIR, zone=zone)
            lap("allocate")
            say("tasks", 0, None, "task center: completions and rewards")
            tasks = run_tasks(wh, ledger, load_tasks(TASKS_DIR, names), rules, load_programs(PROGRAMS_DIR),
                              config.end, zone)  # fmt: skip
            lap("tasks")
            month = Month.of(config.end)
            settled = settle_month(ledger, wh, load_settlement(), month, datetime.now(zone).date(),
                                   check_program_codes(names),
                                   lambda step, done, total: say("settle", done, total or None, step),
                                   opening=True)  # fmt: skip
            lap("settle")
            reconciled = reconcile(ledger)
            lap("reconcile")
    finally:
        wh.close()
    say("metrics", 0, None, "headline figures")
    with open_warehouse(f"duckdb:///{db}", read_only=True) as wh:  # the figures read what was committed
        tables = wh.tables()
        rows = headline(tables, zone)
        lap("metrics")
        say("report", 0, None, str(html))
        write_report(tables, html, plan=plan_tables(wh), zone=zone, money=money_report(wh))
        lap("report")
    return DemoResult(
        out, ingested, allocation, accrued, settled, month, reconciled, rows, html, grown, tasks, seconds
    )
