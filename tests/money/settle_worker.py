"""``python settle_worker.py LEDGER_URL WAREHOUSE_URL MONTH``: settle a month in a process of its own,
printing
``step done`` as each step starts and each ledger batch commits (the crash test kills it between lines)."""

from __future__ import annotations

import sys
from datetime import date

from guanghe.data.warehouse import open_warehouse
from guanghe.ledger import open_ledger
from guanghe.money.settle import Month, load_settlement, settle_month


def main() -> None:
    ledger_url, wh_url, month = sys.argv[1:4]
    ledger, wh = open_ledger(ledger_url), open_warehouse(wh_url)

    def progress(step: str, done: int, total: int) -> None:
        print(step, done, flush=True)

    settle_month(ledger, wh, load_settlement(), Month.parse(month), date(2030, 1, 1), {}, progress)
    print("finished", flush=True)


if __name__ == "__main__":
    main()
