"""Income comes from the ledger: every POSTED creator-side transfer whose code has an income ``line`` is one
row of the warehouse ``income`` table (``data.money_schema.INCOME``), merged idempotently by its id.

A row: income_id = the transfer id as 32 hex digits; creator_id = the entity of the creator's payable;
channel and line from the code (``money.codes``); amount_fen signed by the code's creator_sign (earnings +,
fees -, fee refunds +, clawbacks -); occurred_at = the UTC instant at which the transfer's business day (from
``user_data``) starts in the platform's zone; program = the name of user_data's program code (null for 0);
source_ref = "<source table>/<event key>".

``export_income`` reads the postings with ``LedgerStore.scan_transfers`` page by page (timestamp order);
``accrue`` builds the same rows from the transfers the ledger just confirmed (see ``money.accrue``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa

from guanghe.data.money_schema import INCOME
from guanghe.data.warehouse import Warehouse
from guanghe.ledger import LedgerStore, Transfer
from guanghe.money.chart import Kind, parse_account
from guanghe.money.codes import BY_VALUE
from guanghe.money.days import day_start_utc
from guanghe.money.ids import day_number, parse_user_data

log = logging.getLogger(__name__)
PAGE = 100_000


@dataclass
class IncomeExport:
    """What a merge into ``income`` did: rows new, rows already there (identical), rows that differ."""

    rows: int = 0
    inserted: int = 0
    present: int = 0
    conflicts: int = 0
    scanned: int = 0  # ledger transfers read (export_income)
    conflict_ids: tuple[str, ...] = ()

    def add(self, other: IncomeExport) -> None:
        self.rows += other.rows
        self.inserted += other.inserted
        self.present += other.present
        self.conflicts += other.conflicts
        self.scanned += other.scanned
        self.conflict_ids += other.conflict_ids


def income_table(ids: Sequence[int], creators: np.ndarray, channels: Sequence[str], amounts: np.ndarray,
                 days: np.ndarray, refs: Sequence[str], programs: Sequence[str | None], lines: Sequence[str],
                 zone: ZoneInfo) -> pa.Table:  # fmt: skip
    """The ``income`` rows (schema ``INCOME``) of transfers given as columns."""
    return pa.Table.from_pydict({
        "income_id": pa.array([f"{i:032x}" for i in ids], pa.string()),
        "creator_id": pa.array(np.asarray(creators, np.int64)),
        "channel": pa.array(channels, pa.string()),
        "amount_fen": pa.array(np.asarray(amounts, np.int64)),
        "occurred_at": pa.array(day_start_utc(np.asarray(days, np.int32), zone), pa.timestamp("us")),
        "source_ref": pa.array(refs, pa.string()),
        "program": pa.array(programs, pa.string()),
        "line": pa.array(lines, pa.string()),
    }, schema=INCOME.arrow_schema())  # fmt: skip


def rows_from_transfers(transfers: Iterable[Transfer], zone: ZoneInfo, names: dict[int, str]) -> pa.Table:
    """Income rows of the posted creator-side transfers among ``transfers`` (others are left out).
    ``names``: program code -> program name (``chart.check_program_codes``)."""
    ids, creators, channels, amounts, days, refs, programs, lines = [], [], [], [], [], [], [], []
    for t in transfers:
        code = BY_VALUE.get(t.code)
        if code is None or code.line is None or not t.is_posted:
            continue
        side = t.credit_account_id if code.creator_sign > 0 else t.debit_account_id
        kind, creator, _ = parse_account(side)
        if kind is not Kind.CREATOR_PAYABLE:
            continue
        ref = parse_user_data(t.user_data)
        ids.append(t.id)
        creators.append(creator)
        channels.append(code.channel)
        amounts.append(code.creator_sign * t.amount)
        days.append(day_number(ref.day))
        refs.append(ref.source_ref)
        programs.append(names.get(ref.program_code, f"#{ref.program_code}") if ref.program_code else None)
        lines.append(code.line)
    return income_table(ids, np.array(creators, np.int64), channels, np.array(amounts, np.int64),
                        np.array(days, np.int32), refs, programs, lines, zone)  # fmt: skip


def merge_income(wh: Warehouse, rows: pa.Table) -> IncomeExport:
    """Merge rows into ``income`` in one warehouse transaction: new ids inserted, identical rows skipped, a
    row that differs from the stored one (e.g. another time zone) reported and left as it is."""
    out = IncomeExport(rows=rows.num_rows)
    if not rows.num_rows:
        return out
    with wh.writer() as w:
        r = w.merge(INCOME.name, rows)
    ids = tuple(r.conflicts.column("income_id").to_pylist()) if r.conflicts.num_rows else ()
    out.inserted, out.present, out.conflicts, out.conflict_ids = r.inserted, r.duplicates, len(ids), ids
    return out


def export_income(
    ledger: LedgerStore,
    wh: Warehouse,
    zone: ZoneInfo,
    names: dict[int, str],
    after: int = 0,
    page: int = PAGE,
    progress: Callable[[int], None] | None = None,
) -> IncomeExport:
    """Every posted creator-side transfer with a timestamp after ``after`` into ``income`` (idempotent: a
    second export inserts nothing). The scan's end is fixed first (the newest timestamp now), so transfers
    written meanwhile wait for the next export."""
    until = ledger.last_timestamp()
    total, parts = IncomeExport(), []
    while after < until:
        batch = ledger.scan_transfers(after, page, until)
        if not batch:
            break
        after = batch[-1].timestamp
        total.scanned += len(batch)
        parts.append(rows_from_transfers(batch, zone, names))
        if progress is not None:
            progress(len(batch))
    rows = pa.concat_tables(parts) if parts else INCOME.arrow_schema().empty_table()
    merged = merge_income(wh, rows)
    merged.scanned = total.scanned
    log.info("income export: %d transfers scanned, %d income rows, %d new, %d present, %d conflicts",
             merged.scanned, merged.rows, merged.inserted, merged.present, merged.conflicts)  # fmt: skip
    return merged
