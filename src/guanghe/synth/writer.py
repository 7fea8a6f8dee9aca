"""Parquet output: ``DIR/data/<table>/<YYYY-MM>.parquet`` with exactly the schema's Arrow types."""

from __future__ import annotations

from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from guanghe.data.growth_schema import LEVEL_INPUTS
from guanghe.data.money_schema import EVENT_TABLES
from guanghe.data.schema import TABLES
from guanghe.synth.arrow import dates, strings
from guanghe.synth.commerce import COMMERCE_TABLES
from guanghe.synth.config import PROGRAMS

# The tables the generator writes: the platform's activity, the money events and the storefronts (commerce).
# The others are written by later steps (`income` by `guanghe money accrue`, from the ledger).
OUTPUT_TABLES: tuple[str, ...] = (
    "creators", "works", "work_fingerprints", "work_daily", "work_boost", "creator_daily",
    *(t.name for t in EVENT_TABLES),
    *COMMERCE_TABLES,
    *(t.name for t in LEVEL_INPUTS),
)  # fmt: skip
_DICTIONARY = ["kind", "category", "program", "channel", "region", "touchpoint", "task_id", "outcome"]
_STATISTICS = ["date", "published_at", "work_id", "creator_id", "paid_at", "completed_at", "week_start",
               "start_date", "order_id"]  # fmt: skip


def to_table(name: str, rows: dict[str, np.ndarray]) -> pa.Table:
    """Column dict (dates as days since epoch, programs as codes) -> Arrow table of the named schema."""
    schema = TABLES[name].arrow_schema()
    cols = []
    for f in schema:
        v = rows[f.name]
        if f.name == "date":
            cols.append(dates(v))
        elif f.name == "program":
            cols.append(strings(PROGRAMS, v))
        else:
            cols.append(pa.array(v, f.type))
    return pa.Table.from_arrays(cols, schema=schema)


class Writer:
    """Writes tables in a background thread (Parquet encoding releases the GIL), so month m is encoded while
    month m + 1 is drawn; at most ``max_pending`` tables wait, which bounds memory. Use as a context manager.
    """

    def __init__(
        self, out_dir: Path, compression: str = "zstd", level: int | None = 1, max_pending: int = 6
    ) -> None:
        self.root = Path(out_dir)
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="guanghe-writer")
        self.pending: deque[Future] = deque()
        self.max_pending = max_pending
        self.compression, self.level = compression, level
        self.rows: dict[str, int] = dict.fromkeys(OUTPUT_TABLES, 0)
        # A rerun into the same folder must not leave files of an earlier window (or of the generator's
        # earlier versions, which wrote `income`) behind.
        for name in (*OUTPUT_TABLES, "income"):
            for old in (self.root / "data" / name).glob("*.parquet"):
                old.unlink()

    def __enter__(self) -> Writer:
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            while self.pending:
                self.pending.popleft().result()
        finally:
            self.pool.shutdown(wait=True)

    def write(self, name: str, part: str, table: pa.Table) -> None:
        """Write ``data/<name>/<part>.parquet``; a table without rows writes no file."""
        if table.schema != TABLES[name].arrow_schema():
            raise ValueError(f"{name}/{part}: generated schema differs from schema.TABLES[{name!r}]")
        if not table.num_rows:
            return
        while len(self.pending) >= self.max_pending:
            self.pending.popleft().result()
        self.pending.append(self.pool.submit(self._write, name, part, table))
        self.rows[name] += table.num_rows

    def _write(self, name: str, part: str, table: pa.Table) -> None:
        folder = self.root / "data" / name
        folder.mkdir(parents=True, exist_ok=True)
        level = self.level if self.compression == "zstd" else None
        pq.write_table(
            table, folder / f"{part}.parquet", compression=self.compression, compression_level=level,
            use_dictionary=[c for c in _DICTIONARY if c in table.column_names],
            write_statistics=[c for c in _STATISTICS if c in table.column_names],
        )  # fmt: skip
