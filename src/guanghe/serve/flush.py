"""Delivered boosted impressions into the warehouse: ``work_boost`` (per work, day, program) and
``work_daily.boosted_impressions`` (per work and day), so the metric catalog sees the support traffic, and
``serve_deliveries`` (per worker, day, creator, program): what the counters are rebuilt from when Redis
comes back empty (``read_deliveries``).

Each drained batch of counts gets an id (``worker-sequence``) when it is drained and keeps it until a write
commits. One warehouse transaction (``Warehouse.writer()``) records the id in ``serve_flushes``
(``append``: the engine enforces the key, so the id is new or the whole write is skipped) and ADDS the
batch's counts to the two tables (``accumulate``); a retry after an unknown outcome (a crash between COMMIT
and its acknowledgement, the warehouse locked by ``guanghe allocate``) never counts twice. The warehouse (a
URL, any engine that writes) is opened for each write and closed again (DuckDB admits one writer process);
reads open it read-only.

The two tables this room owns are declared here (``FLUSHES``, ``DELIVERIES``), as ``allocate.store``
declares the plan's; nothing here writes SQL.
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, date, datetime

import pyarrow as pa

from guanghe.data.schema import Column, Table
from guanghe.data.warehouse import Warehouse, WarehouseError, WarehouseMissing, open_warehouse

log = logging.getLogger(__name__)

STR, I64, DATE, TS = pa.string(), pa.int64(), pa.date32(), pa.timestamp("us")
FLUSHES = Table(
    "serve_flushes",
    "One row per batch of delivered impressions written to the warehouse: a batch id is recorded once.",
    (
        Column("batch_id", STR, "Batch id: worker-sequence, kept by the worker until its write commits."),
        Column("rows", I64, "Rows (work, day, program) the batch added to work_boost."),
        Column("impressions", I64, "Boosted impressions in the batch."),
        Column("written_at", TS, "When the batch was written (UTC)."),
    ),
    ("batch_id",),
    key_index=True,  # the dedupe of retried batches: append() reports whether the id was new
)
DELIVERIES = Table(
    "serve_deliveries",
    "Boosted impressions delivered per (batch, worker, day, creator, program): what the counters are "
    "rebuilt from when Redis comes back empty.",
    (
        Column("batch_id", STR, "Batch that recorded them (serve_flushes)."),
        Column("worker", STR, "The counters' worker id that delivered them."),
        Column("date", DATE, "Delivery day (the platform's day)."),
        Column("creator_id", I64, "Creator.", references="creators.creator_id"),
        Column("program", STR, "Program name."),
        Column("impressions", I64, "Boosted impressions delivered.", minimum=0),
    ),
    ("batch_id", "date", "creator_id", "program"),
)
TABLES = {t.name: t for t in (FLUSHES, DELIVERIES)}
# (day, work, creator, program) -> boosted impressions
Counts = dict[tuple[str, int, int, str], int]
# work_daily columns a new row gets (a work with boosted but no organic activity that day)
_NEW_DAY = {c: 0 for c in ("organic_impressions", "plays", "completed_plays", "likes", "comments", "shares",
                           "follows_gained")}  # fmt: skip


class WarehouseSink:
    """Batches of delivered impressions waiting for the warehouse; ``worker`` is the counters' worker id (the
    rebuild of the counters tells a live worker's deliveries from those of workers gone by it)."""

    def __init__(self, url: str, worker: str | None = None) -> None:
        self.url, self.worker = url, worker or uuid.uuid4().hex[:12]
        self.pending: list[tuple[str, Counts]] = []
        self._seq, self.written, self.errors, self.last_error = 0, 0, 0, ""

    def add(self, counts: Counts) -> None:
        """Queue boosted impressions per (day, work, creator, program) under a new batch id."""
        counts = {k: v for k, v in counts.items() if v > 0}
        if counts:
            self._seq += 1
            self.pending.append((f"{self.worker}-{self._seq}", counts))

    def write(self) -> bool:
        """Write the queued batches; False (they stay queued) if the warehouse is busy."""
        while self.pending:
            batch_id, counts = self.pending[0]
            try:
                fresh = write_batch(self.url, batch_id, counts, self.worker)
            except WarehouseError as e:
                self.errors, self.last_error = self.errors + 1, str(e).splitlines()[0]
                log.warning("flush of batch %s deferred (warehouse busy): %s", batch_id, self.last_error)
                return False
            n = sum(counts.values())
            self.written += n
            self.pending.pop(0)
            log.info("flushed batch %s: %d impressions over %d rows%s", batch_id, n, len(counts),
                     "" if fresh else " (already written)")  # fmt: skip
        return True


def write_batch(url: str, batch_id: str, counts: Counts, worker: str | None = None) -> bool:
    """Add one batch to the warehouse at ``url``; False if the batch id was written before."""
    worker = worker or batch_id.rsplit("-", 1)[0]
    works: dict[tuple[str, int, str], int] = {}
    per: dict[tuple[str, int, str], int] = {}
    for (d, wk, c, p), n in counts.items():
        works[(d, wk, p)] = works.get((d, wk, p), 0) + n
        per[(d, c, p)] = per.get((d, c, p), 0) + n
    flushed = pa.table({
        "batch_id": pa.array([batch_id], STR), "rows": pa.array([len(works)], I64),
        "impressions": pa.array([sum(counts.values())], I64),
        "written_at": pa.array([datetime.now(UTC).replace(tzinfo=None)], TS),
    })  # fmt: skip
    with open_warehouse(url, create=True) as wh, wh.writer() as w:
        w.ensure(FLUSHES)
        w.ensure(DELIVERIES)
        if not w.append(FLUSHES, flushed):  # recorded before: this is a retry of a committed write
            return False
        days = {d: date.fromisoformat(d) for d, _, _ in works}
        w.insert(DELIVERIES, pa.table({
            "batch_id": pa.array([batch_id] * len(per), STR), "worker": pa.array([worker] * len(per), STR),
            "date": pa.array([days[d] for d, _, _ in per], DATE), "creator_id": pa.array([c for _, c, _ in per], I64),
            "program": pa.array([p for _, _, p in per], STR), "impressions": pa.array(list(per.values()), I64),
        }))  # fmt: skip
        key = {
            "work_id": pa.array([wk for _, wk, _ in works], I64),
            "date": pa.array([days[d] for d, _, _ in works], DATE),
        }
        amounts = pa.array(list(works.values()), I64)
        boost = pa.table({**key, "program": pa.array([p for _, _, p in works], STR), "impressions": amounts})
        w.accumulate("work_boost", boost, add=("impressions",))
        # (a work's programs that day are summed by accumulate: one work_daily row per work and day)
        daily = pa.table({**key, "boosted_impressions": amounts})
        w.accumulate("work_daily", daily, add=("boosted_impressions",), defaults=_NEW_DAY)
    return True


def read_deliveries(url: str, day: str) -> dict[tuple[str, tuple[int, str]], int] | None:
    """Impressions delivered on ``day`` per (worker, (creator, program)), as flushed to the warehouse at
    ``url``; ``{}`` when nothing was (no warehouse, no table), ``None`` when it cannot be read now (a writer
    holds it)."""
    try:
        with open_warehouse(url, read_only=True) as wh:
            return _deliveries(wh, date.fromisoformat(day))
    except WarehouseMissing:
        return {}
    except WarehouseError as e:
        log.warning("cannot read the delivered impressions of %s yet: %s", day, str(e).splitlines()[0])
        return None


def _deliveries(wh: Warehouse, day: date) -> dict[tuple[str, tuple[int, str]], int]:
    if not wh.has(DELIVERIES):
        return {}
    t = wh.table(DELIVERIES)
    got = wh.fetch(t.filter(t.date == day).group_by(["worker", "creator_id", "program"]).aggregate(
        n=t.impressions.sum()))  # fmt: skip
    cols = [got.column(c).to_pylist() for c in ("worker", "creator_id", "program", "n")]
    return {(w, (c, p)): n for w, c, p, n in zip(*cols, strict=True)}
