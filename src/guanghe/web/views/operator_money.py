"""Money and ingestion as an operator sees them, read from the warehouse: accrual (the ``income`` rows
``guanghe money accrue`` exported from the ledger, per month and channel, and how far they reach), the
settled months (``money_months``) with their payout batches' statuses (``payouts``: a payout's newest row
is its status), the ledger's reconciliation (``ledger.reconcile``, run on demand), and the ingestion
quarantine (``quarantine`` and ``loads``, filtered and paginated)."""

from __future__ import annotations

from dataclasses import dataclass

from guanghe.data.money_schema import INCOME
from guanghe.data.schema import LOADS, QUARANTINE
from guanghe.data.warehouse import Warehouse
from guanghe.ledger import open_ledger
from guanghe.ledger.reconcile import Report, reconcile
from guanghe.metrics.report.money import STATUSES, MoneyReport, money_report

PAGE = 50


@dataclass(frozen=True)
class Accrual:
    months: list[str]
    channels: dict[str, list[int]]  # channel -> fen per month
    rows: int
    first: object  # first and last business day accrued (occurred_at)
    last: object


def accrual(wh: Warehouse) -> Accrual | None:
    """The income rows by month and channel: what the accrual runs have posted so far (None: never run)."""
    if not wh.has(INCOME):
        return None
    t = wh.table(INCOME)
    head = wh.fetch(
        t.aggregate(n=t.count(), first=t.occurred_at.min(), last=t.occurred_at.max())
    ).to_pylist()[0]
    if not head["n"]:
        return None
    rows = wh.fetch(t.group_by([t.occurred_at.strftime("%Y-%m").name("month"), "channel"])
                    .aggregate(fen=t.amount_fen.sum())).to_pylist()  # fmt: skip
    months = sorted({r["month"] for r in rows})
    got = {(r["month"], r["channel"]): int(r["fen"]) for r in rows}
    channels = sorted({r["channel"] for r in rows})
    return Accrual(months, {c: [got.get((m, c), 0) for m in months] for c in channels}, int(head["n"]),
                   head["first"], head["last"])  # fmt: skip


def settled(wh: Warehouse) -> MoneyReport | None:
    return money_report(wh)


def payout_batches(report: MoneyReport | None) -> list[dict]:
    """Per settled month: payouts in each status (count, fen), newest month first."""
    if report is None:
        return []
    out = []
    for m in reversed(report.months):
        st = report.status.get(m["month"], {})
        out.append({"month": m["month"], **{s: st.get(s, (0, 0)) for s in STATUSES}})
    return out


def run_reconcile(ledger_url: str) -> Report:
    """Replay the ledger and check its invariants (read only)."""
    with open_ledger(ledger_url) as store:
        return reconcile(store)


@dataclass(frozen=True)
class QuarantinePage:
    rows: list[dict]
    total: int
    page: int
    pages: int
    tables: list[str]  # filter choices
    files: list[str]
    by_table: dict[str, int]  # quarantined rows per table (all, unfiltered)
    loads: list[dict]  # the newest loads (runs), with their files' counts


def quarantine(wh: Warehouse, table: str | None, file: str | None, reason: str | None,
               page: int = 1) -> QuarantinePage:  # fmt: skip
    """Quarantined rows filtered by table, file (exact) and reason (a substring), PAGE per page."""
    loads = _loads(wh)
    if not wh.has(QUARANTINE):
        return QuarantinePage([], 0, 1, 1, [], [], {}, loads)
    q = wh.table(QUARANTINE)
    counts = wh.fetch(q.group_by("table_name").aggregate(n=q.count())).to_pylist()
    by_table = {r["table_name"]: int(r["n"]) for r in sorted(counts, key=lambda r: r["table_name"])}
    files = sorted(wh.fetch(q.select("file").distinct()).column("file").to_pylist())
    f = q
    if table:
        f = f.filter(f.table_name == table)
    if file:
        f = f.filter(f.file == file)
    if reason:
        f = f.filter(f.reason.contains(reason))
    total = int(wh.fetch(f.aggregate(n=f.count())).column("n")[0].as_py())
    pages = max(1, -(-total // PAGE))
    page = min(max(page, 1), pages)
    rows = wh.fetch(f.order_by(["table_name", "file", "row_number", "field"]).limit(PAGE, offset=(page - 1) * PAGE)
                    .select("load_id", "table_name", "file", "row_number", "field", "reason", "raw")).to_pylist()  # fmt: skip
    return QuarantinePage(rows, total, page, pages, list(by_table), files, by_table, loads)


def _loads(wh: Warehouse, limit: int = 20) -> list[dict]:
    if not wh.has(LOADS):
        return []
    t = wh.table(LOADS)
    agg = t.group_by("load_id").aggregate(loaded_at=t.loaded_at.max(), files=t.count(), read=t.rows_read.sum(),
                                          loaded=t.rows_loaded.sum(), duplicate=t.rows_duplicate.sum(),
                                          quarantined=t.rows_quarantined.sum())  # fmt: skip
    return wh.fetch(agg.order_by(agg.loaded_at.desc()).limit(limit)).to_pylist()
