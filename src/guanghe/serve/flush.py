"""Delivered boosted impressions into the warehouse: ``work_boost`` (per work, day, program) and
``work_daily.boosted_impressions`` (per work and day), so the metric catalog sees the support traffic, and
``serve_deliveries`` (per worker, day, creator, program): what the counters are rebuilt from when Redis
comes back empty (``read_deliveries``).

Each drained batch of counts gets an id (``worker-sequence``) when it is drained and keeps it until a write
commits. One DuckDB transaction records the id in ``serve_flushes`` and ADDS the batch's counts to the two
tables; a batch id already recorded is skipped, so a retry after an unknown outcome (a crash between COMMIT
and its acknowledgement, the warehouse locked by ``guanghe allocate``) never counts twice. The file is
opened for each write and closed again (DuckDB admits one writer process).
"""

from __future__ import annotations

import logging
import os
import uuid
from datetime import UTC, date, datetime

import duckdb
import pyarrow as pa

from guanghe.data.warehouse.base import WarehouseError

log = logging.getLogger(__name__)

FLUSHES_DDL = (
    'CREATE TABLE IF NOT EXISTS "serve_flushes" (batch_id VARCHAR PRIMARY KEY, rows BIGINT, '
    "impressions BIGINT, written_at TIMESTAMP)"
)
DELIVERIES_DDL = (
    'CREATE TABLE IF NOT EXISTS "serve_deliveries" (batch_id VARCHAR, worker VARCHAR, date DATE, '
    "creator_id BIGINT, program VARCHAR, impressions BIGINT)"
)
# (day, work, creator, program) -> boosted impressions
Counts = dict[tuple[str, int, int, str], int]


class WarehouseSink:
    """Batches of delivered impressions waiting for the warehouse; ``worker`` is the counters' worker id (the
    rebuild of the counters tells a live worker's deliveries from those of workers gone by it)."""

    def __init__(self, path: str, worker: str | None = None) -> None:
        self.path, self.worker = path, worker or uuid.uuid4().hex[:12]
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
                fresh = write_batch(self.path, batch_id, counts, self.worker)
            except (duckdb.Error, WarehouseError) as e:
                self.errors, self.last_error = self.errors + 1, str(e).splitlines()[0]
                log.warning("flush of batch %s deferred (warehouse busy): %s", batch_id, self.last_error)
                return False
            n = sum(counts.values())
            self.written += n
            self.pending.pop(0)
            log.info("flushed batch %s: %d impressions over %d rows%s", batch_id, n, len(counts),
                     "" if fresh else " (already written)")  # fmt: skip
        return True


def write_batch(path: str, batch_id: str, counts: Counts, worker: str | None = None) -> bool:
    """Add one batch to the warehouse; False if the batch id was written before."""
    worker = worker or batch_id.rsplit("-", 1)[0]
    works: dict[tuple[str, int, str], int] = {}
    per: dict[tuple[str, int, str], int] = {}
    for (d, w, c, p), n in counts.items():
        works[(d, w, p)] = works.get((d, w, p), 0) + n
        per[(d, c, p)] = per.get((d, c, p), 0) + n
    rows = pa.table({
        "work_id": pa.array([w for _, w, _ in works], pa.int64()),
        "date": pa.array([date.fromisoformat(d) for d, _, _ in works], pa.date32()),
        "program": pa.array([p for _, _, p in works], pa.string()),
        "impressions": pa.array(list(works.values()), pa.int64()),
    })  # fmt: skip
    creators = pa.table({
        "batch_id": pa.array([batch_id] * len(per), pa.string()),
        "worker": pa.array([worker] * len(per), pa.string()),
        "date": pa.array([date.fromisoformat(d) for d, _, _ in per], pa.date32()),
        "creator_id": pa.array([c for _, c, _ in per], pa.int64()),
        "program": pa.array([p for _, _, p in per], pa.string()),
        "impressions": pa.array(list(per.values()), pa.int64()),
    })  # fmt: skip
    from guanghe.data.warehouse.duckdb import DuckDBWarehouse  # creates the data tables if missing

    wh = DuckDBWarehouse(path)
    con = wh.raw
    try:
        con.execute(FLUSHES_DDL)
        con.execute(DELIVERIES_DDL)
        con.execute("BEGIN TRANSACTION")
        try:
            if con.execute("SELECT count(*) FROM serve_flushes WHERE batch_id = ?", [batch_id]).fetchall()[0][
                0
            ]:
                con.execute("ROLLBACK")
                return False
            con.execute(
                "INSERT INTO serve_flushes VALUES (?, ?, ?, ?)",
                [batch_id, rows.num_rows, sum(counts.values()), datetime.now(UTC).replace(tzinfo=None)],
            )
            con.register("_creators", creators)
            con.execute("INSERT INTO serve_deliveries SELECT * FROM _creators")
            con.unregister("_creators")
            con.register("_delta", rows)
            con.execute(
                "CREATE TEMP TABLE _boost AS SELECT d.work_id, d.date, d.program, "
                "coalesce(b.impressions, 0) + d.impressions AS impressions FROM _delta d "
                "LEFT JOIN work_boost b USING (work_id, date, program)"
            )
            con.execute(
                "DELETE FROM work_boost b USING _delta d "
                "WHERE b.work_id = d.work_id AND b.date = d.date AND b.program = d.program"
            )
            con.execute("INSERT INTO work_boost SELECT work_id, date, program, impressions FROM _boost")
            con.execute(
                "CREATE TEMP TABLE _day AS SELECT work_id, date, sum(impressions) AS n FROM _delta GROUP BY 1, 2"
            )
            con.execute(
                "UPDATE work_daily w SET boosted_impressions = w.boosted_impressions + d.n FROM _day d "
                "WHERE w.work_id = d.work_id AND w.date = d.date"
            )
            con.execute(
                "INSERT INTO work_daily (work_id, date, organic_impressions, boosted_impressions, plays, "
                "completed_plays, likes, comments, shares, follows_gained) "
                "SELECT d.work_id, d.date, 0, d.n, 0, 0, 0, 0, 0, 0 FROM _day d "
                "ANTI JOIN work_daily w ON w.work_id = d.work_id AND w.date = d.date"
            )
            con.execute("DROP TABLE _boost")
            con.execute("DROP TABLE _day")
            con.unregister("_delta")
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        return True
    finally:
        wh.close()


def read_deliveries(path: str, day: str) -> dict[tuple[str, tuple[int, str]], int] | None:
    """Impressions delivered on ``day`` per (worker, (creator, program)), as flushed to the warehouse; ``{}``
    when nothing was (no file, no table), ``None`` when the file cannot be read now (a writer holds it)."""
    if not os.path.exists(path):
        return {}
    try:
        con = duckdb.connect(path, read_only=True)
    except duckdb.Error as e:
        log.warning("cannot read the delivered impressions of %s yet: %s", day, str(e).splitlines()[0])
        return None
    try:
        found = con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'serve_deliveries'"
        ).fetchall()[0][0]
        if not found:
            return {}
        rows = con.execute(
            "SELECT worker, creator_id, program, sum(impressions) FROM serve_deliveries WHERE date = ? "
            "GROUP BY 1, 2, 3",
            [date.fromisoformat(day)],
        ).fetchall()
    finally:
        con.close()
    return {(str(w), (int(c), str(p))): int(n) for w, c, p, n in rows}
