"""Withholding on a month's income (劳务报酬 labour remuneration), in integer fen, rounded down.

taxable = income - fixed_deduction (income <= low_income) or floor(income x (10^4 - deduction_bps) / 10^4);
tax = floor(taxable x rate_bps / 10^4) - quick_deduction of the bracket the taxable amount falls in (bounds
inclusive); no income, no tax, never negative.

>>> from guanghe.money.settle.rules import load_settlement
>>> w = load_settlement().withholding
>>> [withhold(w, x) for x in (80_000, 100_000, 400_000, 500_000, 3_000_000, 10_000_000)]
[0, 4000, 64000, 80000, 520000, 2500000]
"""

from __future__ import annotations

import numpy as np

from guanghe.money.settle.rules import Withholding


def withhold(w: Withholding, income: int) -> int:
    """Tax withheld on one payee's month income (fen)."""
    return int(withhold_many(w, np.array([income], dtype=np.int64))[0])


def withhold_many(w: Withholding, income: np.ndarray) -> np.ndarray:
    """Tax withheld on many payees' month incomes at once (int64 fen)."""
    income = np.asarray(income, dtype=np.int64)
    if w.rule != "labour_remuneration" or not len(income):
        return np.zeros(len(income), dtype=np.int64)
    low = income <= w.low_income_fen
    taxable = np.where(low, income - w.fixed_deduction_fen, income * (10_000 - w.deduction_bps) // 10_000)
    taxable = np.maximum(taxable, 0)
    rate = np.zeros(len(income), dtype=np.int64)
    quick = np.zeros(len(income), dtype=np.int64)
    placed = np.zeros(len(income), dtype=bool)
    for b in w.brackets:
        here = ~placed if b.up_to_fen is None else ~placed & (taxable <= b.up_to_fen)
        rate[here], quick[here] = b.rate_bps, b.quick_deduction_fen
        placed |= here
    tax = taxable * rate // 10_000 - quick
    return np.where(income > 0, np.maximum(tax, 0), 0)
