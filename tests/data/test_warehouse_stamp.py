"""The warehouse stamp (``warehouse_stamp``): the identity of a warehouse's committed state, read without
opening it, that the service's plan reload and the web's caches watch. On DuckDB: the file's and its
write-ahead log's (size, mtime_ns); a read leaves it, a committed write changes it; in memory there is none."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pytest

from guanghe.data.warehouse import WarehouseError, WarehouseMissing, open_warehouse, warehouse_stamp
from guanghe.serve.flush import FLUSHES


def test_a_committed_write_changes_the_stamp_and_a_read_does_not(tmp_path: Path) -> None:
    url = f"duckdb:///{tmp_path / 'wh.duckdb'}"
    assert warehouse_stamp(url) == (None, None)  # no file yet: a stamp all the same (it changes on creation)
    open_warehouse(url, create=True).close()
    created = warehouse_stamp(url)
    assert created is not None and created[0] is not None
    with open_warehouse(url, read_only=True) as wh:
        assert wh.count("creators") == 0
    assert warehouse_stamp(url) == created
    row = pa.table({"batch_id": ["b1"], "rows": [1], "impressions": [2],
                    "written_at": pa.array([datetime(2026, 1, 1)], pa.timestamp("us"))})  # fmt: skip
    with open_warehouse(url) as wh, wh.writer() as w:
        w.ensure(FLUSHES)
        assert w.append(FLUSHES, row) == 1
    assert warehouse_stamp(url) != created


def test_no_stamp_in_memory_and_a_missing_warehouse_is_told_apart(tmp_path: Path) -> None:
    assert warehouse_stamp("duckdb://") is None  # nothing to watch: callers neither cache nor skip a reload
    with pytest.raises(WarehouseMissing, match="no warehouse at"):
        open_warehouse(f"duckdb:///{tmp_path / 'nope.duckdb'}", read_only=True)
    with pytest.raises(WarehouseError, match="unknown scheme 'mysql'"):
        warehouse_stamp("mysql://h/db")


def test_spark_stamp_is_its_manifest_and_a_missing_folder_is_told_apart(tmp_path: Path) -> None:
    url = f"spark:///{tmp_path / 'wh'}"
    assert warehouse_stamp(url) is None  # no store, no manifest: nothing to tell by
    with pytest.raises(WarehouseMissing, match="no warehouse at"):
        open_warehouse(url, read_only=True)
    open_warehouse(url, create=True).close()  # writes need no Spark session
    created = warehouse_stamp(url)
    assert created is not None
    row = pa.table({"batch_id": ["b1"], "rows": [1], "impressions": [2],
                    "written_at": pa.array([datetime(2026, 1, 1)], pa.timestamp("us"))})  # fmt: skip
    with open_warehouse(url) as wh, wh.writer() as w:
        w.ensure(FLUSHES)
        assert w.append(FLUSHES, row) == 1
    assert warehouse_stamp(url) not in (None, created)
