"""A stored statement (``guanghe money statement ID --month M``): its header and lines from the warehouse."""

from __future__ import annotations

from typing import Any

from guanghe.data.warehouse import Warehouse
from guanghe.money.settle.errors import SettleError
from guanghe.money.settle.months import Month


def read_statement(wh: Warehouse, month: Month, kind: str, payee: int) -> dict[str, Any]:
    """{"statement": header row, "lines": [line rows in line order]}; SettleError when there is none."""
    s = wh.table("money_statements")
    head = s.filter((s.month == str(month)) & (s.payee_kind == kind) & (s.payee_id == payee)).to_pyarrow()
    if not head.num_rows:
        settled = s.filter(s.month == str(month)).count().execute()
        why = (
            "no statement for this payee (no money settled for it that month)"
            if settled
            else f"{month} is not settled in this warehouse: run `guanghe money settle --month {month}`"
        )
        raise SettleError(f"{kind} {payee}, {month}: {why}")
    ln = wh.table("money_statement_lines")
    lines = ln.filter((ln.month == str(month)) & (ln.payee_kind == kind) & (ln.payee_id == payee))
    rows = sorted(lines.to_pyarrow().to_pylist(), key=_line_order)
    return {"statement": head.to_pylist()[0], "lines": rows}


_ORDER = {
    "earning": 0,
    "fee": 1,
    "clawback": 2,
    "other": 3,
    "mcn_income": 4,
    "mcn_share": 5,
    "withholding": 6,
}


def _line_order(row: dict[str, Any]) -> tuple:
    return (
        _ORDER[row["line"]],
        row["earned_month"],
        row["channel"] or "",
        row["program"] or "",
        row["line_id"],
    )
