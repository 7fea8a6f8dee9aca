"""A small synthetic platform for the web tests (shared by every tests/web module, the operator console's
too): synth (few creators, few agencies so each has several) → ingest → accrue on a ledger → allocate →
settle the last month; then an application database with the demo cast (``guanghe.web.demo``), one login
per role with a known password. Built once per session (``conftest.web_platform``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from guanghe.allocate.run import allocate_and_store
from guanghe.data.ingest import ingest
from guanghe.data.warehouse import open_warehouse
from guanghe.ledger import open_ledger
from guanghe.money.accrue import accrue
from guanghe.money.chart import check_program_codes
from guanghe.money.rules import CHANNELS_DIR
from guanghe.money.rules_load import load_rules
from guanghe.money.settle.months import Month
from guanghe.money.settle.rules import load_settlement
from guanghe.money.settle.settle import settle_month
from guanghe.programs import PROGRAMS_DIR
from guanghe.synth import SynthConfig, generate

UTC = ZoneInfo("UTC")
CONFIG = SynthConfig(creators=240, months=12, seed=11, mcn_agencies=6)
PASSWORD = "web-test-password"


@dataclass(frozen=True)
class PlatformFiles:
    root: Path
    warehouse: str  # duckdb URL (closed: apps open it read-only)
    ledger_file: Path  # the settled ledger: copy it before writing to it (tests that fund orders)
    month: Month  # the settled month


def build_platform(root: Path, config: SynthConfig = CONFIG) -> PlatformFiles:
    generate(config, root / "synth")
    db, ledger_file = root / "wh.duckdb", root / "ledger.sqlite3"
    wh = open_warehouse(f"duckdb:///{db}", create=True)
    try:
        ingest([root / "synth" / "data"], wh)
        rules, names = load_rules(CHANNELS_DIR, PROGRAMS_DIR)
        month = Month.of(config.end)
        with open_ledger(f"sqlite:///{ledger_file}", create=True) as ledger:
            accrue(
                wh, ledger, rules, names, config.end, UTC
            )  # the programs weigh income: the ledger's export
            allocate_and_store(wh, PROGRAMS_DIR, zone=UTC)
            settle_month(ledger, wh, load_settlement(), month, datetime.now(UTC).date(),
                         check_program_codes(names), None, opening=True)  # fmt: skip
    finally:
        wh.close()
    return PlatformFiles(root, f"duckdb:///{db}", ledger_file, month)
