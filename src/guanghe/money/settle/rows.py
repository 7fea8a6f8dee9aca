"""Statements, their lines and payouts as warehouse rows (``data.money_schema``), merged idempotently: a
rerun of a month finds its rows already there, and a row that differs from the stored one stops the run."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from guanghe.data.money_schema import MONEY_MONTHS, PAYOUTS, STATEMENT_LINES, STATEMENTS
from guanghe.data.warehouse import Warehouse
from guanghe.money.settle.compute import LC, MCN_INCOME, MCN_SHARE, WITHHOLDING, Statements
from guanghe.money.settle.errors import SettleError
from guanghe.money.settle.keys import MCN_BIT
from guanghe.money.settle.months import Month

_LINE = np.array([line for line, _ in LC], dtype=object)
_CHANNEL = np.array([ch for _, ch in LC], dtype=object)


def utc(ns: int) -> datetime:
    """A ledger timestamp as a naive UTC datetime (microseconds), as the warehouse stores times."""
    return datetime.fromtimestamp(ns // 1000 / 1e6, UTC).replace(tzinfo=None)


def payee_columns(keys: np.ndarray) -> tuple[pa.Array, pa.Array]:
    mcn = keys >= MCN_BIT
    return pa.array(np.where(mcn, "mcn", "creator")), pa.array((keys & ~MCN_BIT).astype(np.int64))


def _null0(values: np.ndarray) -> pa.Array:
    return pa.array(values, mask=values == 0, type=pa.int64())


def _months(index: np.ndarray) -> pa.Array:
    uniq, inv = np.unique(index, return_inverse=True)
    return pa.array(np.array([str(Month(int(i))) for i in uniq], dtype=object)[inv], pa.string())


def _days(days: np.ndarray) -> pa.Array:
    return pa.array(days.astype(np.int32)).cast(pa.date32())


def statement_rows(
    st: Statements, month: Month, cutoff: int, marked_at: int, payout_ids: np.ndarray
) -> pa.Table:
    kind, pid = payee_columns(st.payee)
    n = len(st)
    ids = np.full(n, None, dtype=object)
    ids[st.payout > 0] = payout_ids
    cols = {
        "month": pa.array([str(month)] * n, pa.string()),
        "payee_kind": kind,
        "payee_id": pid,
        "carried_forward_fen": st.carried,
        "earnings_fen": st.earnings,
        "fees_fen": st.fees,
        "clawbacks_fen": st.clawbacks,
        "other_fen": st.other,
        "net_income_fen": st.net_income,
        "mcn_share_fen": st.mcn_share,
        "mcn_income_fen": st.mcn_income,
        "withholding_fen": st.withholding,
        "available_fen": st.available,
        "payout_fen": st.payout,
        "payout_id": pa.array(ids, pa.string()),
        "carried_to_next_fen": st.available - st.payout,
        "held_fen": st.held,
        "postings": st.postings,
        "cutoff": np.full(n, cutoff, dtype=np.int64),
        "settled_at": pa.array([utc(marked_at)] * n, pa.timestamp("us")),
    }
    return pa.table(cols, schema=STATEMENTS.arrow_schema())


def line_rows(st: Statements, month: Month, programs: Mapping[int, str]) -> pa.Table:
    ln = st.lines
    kind, pid = payee_columns(ln.payee)
    line = pa.array(_LINE[ln.lc], pa.string())
    channel = pa.array(_CHANNEL[ln.lc], pa.string())
    uniq, inv = np.unique(ln.program, return_inverse=True)
    names = np.array([programs.get(int(c), f"#{c}") if c else None for c in uniq], dtype=object)
    program = pa.array(names[inv] if len(uniq) else np.array([], dtype=object), pa.string())
    earned = _months(ln.earned)
    contract = _null0(ln.contract)
    posting_id = pc.binary_join_element_wise(
        line, pc.fill_null(channel, "-"), pc.fill_null(program, "-"), earned, "/"
    )
    mcn_id = pc.binary_join_element_wise(line, pc.cast(pc.fill_null(contract, 0), pa.string()), "/")
    is_mcn = pa.array(np.isin(ln.lc, [MCN_SHARE, MCN_INCOME]))
    line_id = pc.if_else(is_mcn, mcn_id, pc.if_else(pa.array(ln.lc == WITHHOLDING), line, posting_id))
    cols = {
        "month": pa.array([str(month)] * len(ln.payee), pa.string()),
        "payee_kind": kind,
        "payee_id": pid,
        "line_id": line_id,
        "line": line,
        "channel": channel,
        "program": program,
        "earned_month": earned,
        "late": pa.array(ln.earned < month.index),
        "contract_id": contract,
        "counterparty_id": _null0(ln.counterparty),
        "amount_fen": ln.amount,
        "postings": ln.postings,
        "first_day": _days(ln.first_day),
        "last_day": _days(ln.last_day),
    }
    return pa.table(cols, schema=STATEMENT_LINES.arrow_schema())


def payout_rows(st: Statements, month: Month, marked_at: int, payout_ids: np.ndarray) -> pa.Table:
    pick = st.payout > 0
    kind, pid = payee_columns(st.payee[pick])
    n = int(pick.sum())
    cols = {
        "payout_id": pa.array(payout_ids, pa.string()),
        "payee_kind": kind,
        "payee_id": pid,
        "month": pa.array([str(month)] * n, pa.string()),
        "amount_fen": st.payout[pick],
        "withholding_fen": st.withholding[pick],
        "status": pa.array(["in_payout"] * n, pa.string()),
        "updated_at": pa.array([utc(marked_at)] * n, pa.timestamp("us")),
        "bank_ref": pa.nulls(n, pa.string()),
        "reason": pa.nulls(n, pa.string()),
    }
    return pa.table(cols, schema=PAYOUTS.arrow_schema())


def month_row(result: object, marked_at: int) -> pa.Table:
    """The month's totals (``money_months``) from a ``SettleResult``: every column but ``settled_at`` is one
    of its fields."""
    cols = {c: [getattr(result, c)] for c in MONEY_MONTHS.names if c != "settled_at"}
    cols["settled_at"] = [utc(marked_at)]
    return pa.Table.from_pydict(cols, schema=MONEY_MONTHS.arrow_schema())


def merge_all(wh: Warehouse, tables: dict[str, pa.Table]) -> dict[str, int]:
    """Merge each table's rows in one atomic write; returns the rows inserted per table."""
    inserted = {}
    with wh.writer() as w:
        for name, rows in tables.items():
            res = w.merge(name, rows)
            if res.conflicts.num_rows:
                first = res.conflicts.slice(0, 1).to_pylist()[0]
                diff = first.pop("_diff", "")
                raise SettleError(
                    f"{name}: {res.conflicts.num_rows} stored row(s) differ from the recomputed ones (first: "
                    f"{first}, columns {diff}): the ledger or the inputs changed since they were written"
                )
            inserted[name] = res.inserted
    return inserted
