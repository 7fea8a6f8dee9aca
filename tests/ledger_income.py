"""The ledger's income export for a test warehouse: ``guanghe money accrue`` through a day on a fresh SQLite
ledger, as the demo does before it allocates (the example programs weigh income, read from that export)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from guanghe.data.warehouse import Warehouse
from guanghe.ledger import open_ledger
from guanghe.money.accrue import accrue
from guanghe.money.rules import CHANNELS_DIR
from guanghe.money.rules_load import load_rules
from guanghe.programs import PROGRAMS_DIR


def accrue_income(wh: Warehouse, ledger_file: Path, through: date, zone: ZoneInfo = ZoneInfo("UTC")) -> None:
    rules, names = load_rules(CHANNELS_DIR, PROGRAMS_DIR)
    with open_ledger(f"sqlite:///{ledger_file}", create=True) as ledger:
        accrue(wh, ledger, rules, names, through, zone)
