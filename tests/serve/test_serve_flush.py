"""Delivered impressions reach work_boost and work_daily once, however often a batch is retried."""

from __future__ import annotations

import subprocess
import sys

import duckdb
from serve_helpers import DAY, url_of

from guanghe.data.warehouse.duckdb import DuckDBWarehouse
from guanghe.serve.flush import WarehouseSink, write_batch


def rows(path: str, sql: str) -> list[tuple]:
    con = duckdb.connect(path, read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_batches_add_up_and_retries_count_once(tmp_path) -> None:
    path = str(tmp_path / "wh.duckdb")
    wh = DuckDBWarehouse(path)  # an existing organic row for work 1 that day
    wh.raw.execute("INSERT INTO work_daily VALUES (1, ?, 500, 0, 40, 20, 3, 1, 0, 2)", [DAY])
    wh.close()
    d = DAY.isoformat()
    assert write_batch(url_of(path), "w-1", {(d, 1, 9, "a"): 5, (d, 1, 9, "b"): 2, (d, 2, 9, "a"): 1})
    assert not write_batch(
        url_of(path), "w-1", {(d, 1, 9, "a"): 5, (d, 1, 9, "b"): 2, (d, 2, 9, "a"): 1}
    )  # retry: skipped
    assert write_batch(url_of(path), "w-2", {(d, 1, 9, "a"): 3})
    assert rows(path, "SELECT work_id, program, impressions FROM work_boost ORDER BY 1, 2") == [
        (1, "a", 8), (1, "b", 2), (2, "a", 1)]  # fmt: skip
    assert rows(path, "SELECT work_id, organic_impressions, boosted_impressions, plays FROM work_daily ORDER BY 1") == [
        (1, 500, 10, 40), (2, 0, 1, 0)]  # fmt: skip


def test_a_locked_warehouse_keeps_the_batch_for_later(tmp_path) -> None:
    path = str(tmp_path / "wh.duckdb")
    DuckDBWarehouse(path).close()
    sink = WarehouseSink(url_of(path))
    sink.add({(DAY.isoformat(), 7, 9, "a"): 4})
    hold = (
        "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('held', flush=True); time.sleep(60)"
    )
    holder = subprocess.Popen([sys.executable, "-c", hold, path], stdout=subprocess.PIPE, text=True)
    try:  # another process holds the file (as guanghe allocate would)
        assert holder.stdout.readline().strip() == "held"
        assert not sink.write() and len(sink.pending) == 1 and sink.errors == 1
    finally:
        holder.kill()
        holder.wait()
    assert sink.write() and sink.pending == [] and sink.written == 4
    assert rows(path, "SELECT sum(impressions) FROM work_boost") == [(4,)]


def test_the_metric_catalog_sees_the_flushed_support_traffic(tmp_path) -> None:
    from guanghe.metrics.compute import evaluate
    from guanghe.metrics.period import Period

    path = str(tmp_path / "wh.duckdb")
    wh = DuckDBWarehouse(path)
    wh.raw.execute("INSERT INTO creators VALUES (5, DATE '2020-01-01', 'east', 'food', NULL, false, false)")
    wh.raw.execute(
        "INSERT INTO works VALUES (1, 5, TIMESTAMP '2023-06-30 10:00', 'short_video', 'food', 30, NULL, NULL)"
    )
    wh.close()
    d = DAY.isoformat()
    assert write_batch(url_of(path), "w-1", {(d, 1, 5, "a"): 5, (d, 1, 5, "b"): 2})
    wh = DuckDBWarehouse(path)
    try:
        day = Period(DAY, DAY, "range")
        assert evaluate("support_impressions", wh.tables(), day) == 7
        assert evaluate("creators_supported", wh.tables(), day) == 1
    finally:
        wh.close()


def test_the_delivery_tables_are_the_declared_ones_and_older_files_still_take_batches(tmp_path) -> None:
    from guanghe.serve.flush import DELIVERIES, FLUSHES, read_deliveries

    path = str(tmp_path / "wh.duckdb")
    DuckDBWarehouse(path).close()
    d = DAY.isoformat()
    assert write_batch(url_of(path), "w-1", {(d, 1, 9, "a"): 5, (d, 2, 9, "a"): 1, (d, 3, 8, "b"): 2})
    for t in (FLUSHES, DELIVERIES):  # what is stored is what serve.flush declares, column for column
        assert [r[0] for r in rows(path, f"SELECT column_name FROM duckdb_columns() WHERE table_name = '{t.name}'"
                                   " ORDER BY column_index")] == t.names  # fmt: skip
    assert read_deliveries(url_of(path), d) == {("w", (9, "a")): 6, ("w", (8, "b")): 2}
    old = str(tmp_path / "old.duckdb")  # a warehouse whose delivery tables an earlier release created
    con = duckdb.connect(old)
    con.execute("CREATE TABLE serve_flushes (batch_id VARCHAR PRIMARY KEY, rows BIGINT, impressions BIGINT, "
                "written_at TIMESTAMP)")  # fmt: skip
    con.execute("CREATE TABLE serve_deliveries (batch_id VARCHAR, worker VARCHAR, date DATE, creator_id BIGINT, "
                "program VARCHAR, impressions BIGINT)")  # fmt: skip
    con.close()
    DuckDBWarehouse(old).close()
    assert write_batch(url_of(old), "w-1", {(d, 1, 9, "a"): 5}) and not write_batch(
        url_of(old), "w-1", {(d, 1, 9, "a"): 5}
    )
    assert rows(old, "SELECT batch_id, rows, impressions FROM serve_flushes") == [("w-1", 1, 5)]
    assert read_deliveries(url_of(old), d) == {("w", (9, "a")): 5}
