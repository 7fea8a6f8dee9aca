"""Monthly settlement and payouts: statements per creator and MCN agency, MCN shares, withholding, carried
balances, payouts to the bank and its results, balances by state, receipts and the accountants' journal.

Reads and writes the ledger (postings in, settlement transfers out) and the warehouse (MCN contracts in,
statements and payouts out); see docs/money.md ("Settlement", "Payouts", "Balances and statements").
"""

from __future__ import annotations

from guanghe.money.settle.balance import balance
from guanghe.money.settle.bank import write_batch
from guanghe.money.settle.confirm import ConfirmError, confirm
from guanghe.money.settle.errors import SettleError
from guanghe.money.settle.journal import write_journal
from guanghe.money.settle.months import Month, MonthError
from guanghe.money.settle.receipt import receipt
from guanghe.money.settle.rules import RULES_FILE, SettlementRules, SettlementRulesError, load_settlement
from guanghe.money.settle.settle import SettleResult, settle_month
from guanghe.money.settle.statement import read_statement

__all__ = [
    "RULES_FILE",
    "ConfirmError",
    "Month",
    "MonthError",
    "SettleError",
    "SettleResult",
    "SettlementRules",
    "SettlementRulesError",
    "balance",
    "confirm",
    "load_settlement",
    "read_statement",
    "receipt",
    "settle_month",
    "write_batch",
    "write_journal",
]
