"""Delivered boosted impressions into the warehouse: ``work_boost`` (per work, day, program) and
``work_daily.boosted_impressions`` (per work and day), so the metric catalog sees the support traffic.

Each drained batch of counts gets an id (``worker-sequence``) when it is drained and keeps it until a write
commits. One DuckDB transaction records the id in ``serve_flushes`` and ADDS the batch's counts to the two
tables; a batch id already recorded is skipped, so a retry after an unknown outcome (a crash between COMMIT
and its acknowledgement, the warehouse locked by ``guanghe allocate``) never counts twice. The file is
opened for each write and closed again (DuckDB admits one writer process).
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import duckdb
import pyarrow as pa

from guanghe.data.warehouse.base import WarehouseError

FLUSHES_DDL = (
    'CREATE TABLE IF NOT EXISTS "serve_flushes" (batch_id VARCHAR PRIMARY KEY, rows BIGINT, '
    "impressions BIGINT, written_at TIMESTAMP)"
)


class WarehouseSink:
    def __init__(self, path: str) -> None:
        self.path, self.worker = path, uuid.uuid4().hex[:12]
        self.pending: list[tuple[str, dict[tuple[str, int, str], int]]] = []
        self._seq, self.written, self.errors, self.last_error = 0, 0, 0, ""

    def add(self, counts: dict[tuple[str, int, str], int]) -> None:
        """Queue boosted impressions per (day, work, program) under a new batch id."""
        counts = {k: v for k, v in counts.items() if v > 0}
        if counts:
            self._seq += 1
            self.pending.append((f"{self.worker}-{self._seq}", counts))

    def write(self) -> bool:
        """Write the queued batches; False (they stay queued) if the warehouse is busy."""
        while self.pending:
            batch_id, counts = self.pending[0]
            try:
                write_batch(self.path, batch_id, counts)
            except (duckdb.Error, WarehouseError) as e:
                self.errors, self.last_error = self.errors + 1, str(e).splitlines()[0]
                return False
            self.written += sum(counts.values())
            self.pending.pop(0)
        return True


def write_batch(path: str, batch_id: str, counts: dict[tuple[str, int, str], int]) -> bool:
    """Add one batch to the warehouse; False if the batch id was written before."""
    rows = pa.table({
        "work_id": pa.array([w for _, w, _ in counts], pa.int64()),
        "date": pa.array([date.fromisoformat(d) for d, _, _ in counts], pa.date32()),
        "program": pa.array([p for _, _, p in counts], pa.string()),
        "impressions": pa.array(list(counts.values()), pa.int64()),
    })  # fmt: skip
    from guanghe.data.warehouse.duckdb import DuckDBWarehouse  # creates the data tables if missing

    wh = DuckDBWarehouse(path)
    con = wh.raw
    try:
        con.execute(FLUSHES_DDL)
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
