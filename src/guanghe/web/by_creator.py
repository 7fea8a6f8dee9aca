"""Rows of an Arrow table grouped by ``creator_id``: sorted once, one creator's rows sliced in O(log n) — how
the web's snapshot holds every creator's page sections (``web.snapshot``)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa


class ByCreator:
    """``rows(creator)``: that creator's rows as dicts (the table's columns, in the table's order)."""

    def __init__(self, table: pa.Table, then: tuple[str, ...] = (), key: str = "creator_id") -> None:
        """``then``: columns ordering one creator's rows (after ``key``, the creator's column)."""
        if key not in table.column_names:
            raise ValueError(f"ByCreator needs a {key} column, got {table.column_names}")
        if table.num_rows:
            table = table.sort_by([(c, "ascending") for c in (key, *then)])
        self.table = table
        col = table.column(key)
        self.ids = col.to_numpy() if col.num_chunks else np.zeros(0, np.int64)

    def rows(self, creator_id: int) -> list[dict]:
        lo = int(np.searchsorted(self.ids, creator_id, side="left"))
        hi = int(np.searchsorted(self.ids, creator_id, side="right"))
        return self.table.slice(lo, hi - lo).to_pylist() if hi > lo else []

    def __len__(self) -> int:
        return self.table.num_rows
