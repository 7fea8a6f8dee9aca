"""The bank batch of a settled month (``guanghe money payouts``): every payout of the month still in
payout on the ledger (neither paid nor failed), one CSV line each. Read from the ledger, so a payout
confirmed since is never sent again.

Columns: payout_id (the ledger id, 32 hex digits: the bank returns it in its result file), payee_kind,
payee_id, amount_fen, amount (yuan, 2 decimals), currency (CNY), value_date (the rules' payout day of the
next month), statement_ref (month/payee_kind/payee_id), remark. The payees' bank accounts are not in Guanghe:
finance joins them on (payee_kind, payee_id) from the platform's payee registry.
"""

from __future__ import annotations

import csv
import logging
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from guanghe.ledger import LedgerStore
from guanghe.ledger.columns import u128
from guanghe.money.ids import day_number
from guanghe.money.settle.errors import SettleError
from guanghe.money.settle.keys import MCN_BIT, days, payee_keys, split_key
from guanghe.money.settle.markers import settled_months
from guanghe.money.settle.months import Month, day_of
from guanghe.money.settle.rules import SettlementRules
from guanghe.money.settle.transfers import PAYOUT

log = logging.getLogger(__name__)
COLUMNS = (
    "payout_id",
    "payee_kind",
    "payee_id",
    "amount_fen",
    "amount",
    "currency",
    "value_date",
    "statement_ref",
    "remark",
)


@dataclass
class Batch:
    month: str
    value_date: str
    payouts: int
    amount_fen: int
    creators: int
    mcns: int
    file: str = ""

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def open_payouts(ledger: LedgerStore, month: Month) -> list[tuple[int, int, int]]:
    """(payout id, payee key, amount) of the month's payouts still in payout, in payee order."""
    if month not in settled_months(ledger):
        raise SettleError(f"{month} is not settled: run `guanghe money settle --month {month}` first")
    cols = ledger.open_pending(codes=[PAYOUT])
    pick = np.flatnonzero(days(cols.user_data) == day_number(month.last))
    _, keys = payee_keys(cols.debit_account_id[pick])
    rows = [(u128(cols.id, int(i)), int(k), int(cols.amount[i])) for i, k in zip(pick, keys, strict=True)]
    return sorted(rows, key=lambda r: (r[1] >= int(MCN_BIT), r[1]))


def write_batch(ledger: LedgerStore, month: Month, rules: SettlementRules, out: Path) -> Batch:
    rows = open_payouts(ledger, month)
    value = day_of(month.next, rules.payout_day).isoformat()
    remark = f"{rules.title or 'settlement'} {month}"
    tmp = out.with_name(f".{out.name}.tmp")
    with tmp.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(COLUMNS)
        for pid, key, amount in rows:
            kind, entity = split_key(key)
            w.writerow(
                (
                    f"{pid:032x}",
                    kind,
                    entity,
                    amount,
                    f"{amount // 100}.{amount % 100:02d}",
                    "CNY",
                    value,
                    f"{month}/{kind}/{entity}",
                    remark,
                )
            )
    os.replace(tmp, out)
    mcns = sum(1 for _, k, _ in rows if k >= int(MCN_BIT))
    log.info("bank batch %s: %d payouts, %d fen -> %s", month, len(rows), sum(r[2] for r in rows), out)
    return Batch(str(month), value, len(rows), sum(r[2] for r in rows), len(rows) - mcns, mcns, str(out))
