"""A writer process for the crash test: ``accrue_worker.py WAREHOUSE_URL LEDGER_URL THROUGH ZONE BATCH`` runs
accrue with small batches and prints one line per committed batch (so the test knows when to kill it)."""

from __future__ import annotations

import sys
from datetime import date
from zoneinfo import ZoneInfo

from guanghe.data.warehouse import open_warehouse
from guanghe.ledger import open_ledger
from guanghe.money.accrue import accrue
from guanghe.money.rules import CHANNELS_DIR
from guanghe.money.rules_load import load_rules
from guanghe.programs import PROGRAMS_DIR


def main() -> None:
    wh_url, ledger_url, through, zone, batch = sys.argv[1:6]
    rules, names = load_rules(CHANNELS_DIR, PROGRAMS_DIR)
    wh = open_warehouse(wh_url)
    with open_ledger(ledger_url, create=True) as ledger:
        accrue(wh, ledger, rules, names, date.fromisoformat(through), ZoneInfo(zone), int(batch),
               progress=lambda channel, done, total: print(channel, done, total, flush=True))  # fmt: skip
    wh.close()
    print("done", flush=True)


if __name__ == "__main__":
    main()
