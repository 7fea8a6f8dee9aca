"""The warehouse contract beyond ingestion, one suite run on every engine (as Ibis runs one backend suite):
read-only opens, tables other rooms declare, and the writer's operations (ensure, insert, append, delete,
accumulate), on a real DuckDB file and a real Spark folder (local[2]); where the engines differ by a declared
capability (``Warehouse.capabilities``: in-memory stores, concurrent writers) the test asserts each engine's
declared behaviour; a test is skipped only for a capability an engine lacks and no behaviour stands in for
(today none: every engine runs every test). The DuckDB engine's own
accessors (file locks, ``over_parquet``, ``sql``) are tested at the end."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import duckdb
import ibis
import pyarrow as pa
import pytest

from guanghe.data.schema import Column, Table
from guanghe.data.warehouse import ENGINES, WarehouseError, open_warehouse
from guanghe.data.warehouse import engine as engine_of
from guanghe.data.warehouse.duckdb import DuckDBWarehouse

SRC = str(Path(__file__).resolve().parents[2] / "src")

I64, STR, DATE, TS = pa.int64(), pa.string(), pa.date32(), pa.timestamp("us")
# Declarations as another room would own them (allocate.store, serve.flush): the warehouse never names them.
SCORES = Table(
    "room_scores",
    "A room's own table: one score per (plan, creator).",
    (Column("plan_id", STR, "Plan."), Column("creator_id", I64, "Creator."), Column("score", I64, "Score.")),
    ("plan_id", "creator_id"),
)
BATCHES = Table(
    "room_batches",
    "Batch ids recorded once.",
    (Column("batch_id", STR, "Batch."), Column("n", I64, "Rows.")),
    ("batch_id",),
    key_index=True,
)
DAY = date(2023, 7, 1)


def scores(plan: str, rows: dict[int, int]) -> pa.Table:
    return pa.table(
        {"plan_id": [plan] * len(rows), "creator_id": list(rows), "score": list(rows.values())},
        schema=SCORES.arrow_schema(),
    )


def batch(*ids: str) -> pa.Table:
    return pa.table({"batch_id": list(ids), "n": [1] * len(ids)}, schema=BATCHES.arrow_schema())


def stored(path: str, sql: str) -> list[tuple]:
    con = duckdb.connect(path, read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def rows(url: str, table: str | Table, *columns: str) -> list[tuple]:
    """The stored rows (those columns, default all declared), sorted: read through the contract, any engine."""
    with open_warehouse(url, read_only=True) as wh:
        t = wh.table(table)
        got = wh.fetch(t.select(*(columns or t.columns))).to_pylist()
    return sorted(tuple(r.values()) for r in got)


def store_url(engine: str, tmp_path: Path) -> str:
    return f"duckdb:///{tmp_path}/wh.duckdb" if engine == "duckdb" else f"spark:///{tmp_path}/wh"


@pytest.fixture(params=sorted(ENGINES))
def engine(request) -> str:
    if request.param == "spark":
        pytest.importorskip("pyspark")
        request.applymarker(pytest.mark.spark)
    return request.param


@pytest.fixture
def url(engine: str, tmp_path) -> str:
    """A new, empty store of the engine."""
    u = store_url(engine, tmp_path)
    open_warehouse(u, create=True).close()
    return u


def needs(url: str, capability: str) -> None:
    """Skip unless the engine declares the capability (``base.Capabilities``)."""
    if not getattr(engine_of(url).capabilities, capability):
        pytest.skip(f"{url}: no {capability}")


@pytest.fixture
def path(tmp_path) -> str:
    p = str(tmp_path / "wh.duckdb")
    DuckDBWarehouse(p).close()
    return p


# -- read-only -----------------------------------------------------------------------------------------
def test_read_only_reads_and_refuses_to_write(url: str) -> None:
    with open_warehouse(url) as wh, wh.writer() as w:
        w.ensure(SCORES)
        w.insert(SCORES, scores("p", {1: 5}))
    with open_warehouse(url, read_only=True) as wh:
        assert wh.read_only and wh.has(SCORES) and not wh.has(BATCHES)
        assert wh.fetch(wh.table(SCORES)).to_pylist() == [{"plan_id": "p", "creator_id": 1, "score": 5}]
        with pytest.raises(WarehouseError, match="no table 'room_batches'"):
            wh.table(BATCHES)
        with pytest.raises(WarehouseError, match="read-only"), wh.writer():
            pass
    assert rows(url, SCORES) == [("p", 1, 5)]


def test_read_only_of_a_missing_store_or_memory_is_an_error(engine: str, tmp_path) -> None:
    missing = store_url(engine, tmp_path / "nope")
    for kwargs in ({"read_only": True}, {}):  # a read never creates a store
        with pytest.raises(WarehouseError, match="no warehouse at"):
            open_warehouse(missing, **kwargs)
    assert not (tmp_path / "nope").exists()
    if engine_of(missing).capabilities.in_memory:  # a read-only store in memory would hold nothing
        with pytest.raises(WarehouseError, match="in-memory"):
            open_warehouse(f"{engine}://", read_only=True)
    else:  # no in-memory store: a URL without a path is refused, never opened somewhere
        with pytest.raises(WarehouseError, match="needs a directory"):
            open_warehouse(f"{engine}://")


# -- tables other rooms declare --------------------------------------------------------------------------
def test_a_declared_table_is_read_with_ibis_and_names_are_checked(url: str) -> None:
    with open_warehouse(url) as wh:
        assert not wh.has(SCORES)
        with pytest.raises(WarehouseError, match="no table 'room_scores'"):
            wh.table(SCORES)
        with wh.writer() as w:
            w.ensure(SCORES)
            assert w.insert(SCORES, scores("p1", {1: 5, 2: 7, 3: 1})) == 3
            assert w.insert(SCORES, scores("p2", {1: 9})) == 1
        t = wh.table(SCORES)
        best = t.mutate(k=ibis.row_number().over(group_by=t.creator_id, order_by=ibis.desc(t.score)))
        wanted = ibis.memtable(pa.table({"creator_id": pa.array([1, 3], I64)}))
        got = wh.fetch(best.filter(best.k == 0).semi_join(wanted, "creator_id").order_by("creator_id"))
        assert got.select(["plan_id", "creator_id", "score"]).to_pylist() == [
            {"plan_id": "p2", "creator_id": 1, "score": 9},
            {"plan_id": "p1", "creator_id": 3, "score": 1},
        ]
        with pytest.raises(WarehouseError, match="unknown table 'room_scores'"):
            wh.table("room_scores")  # a name alone is only for data.schema's tables
        impostor = Table("works", "not the schema's", (Column("work_id", I64, "id"),), ("work_id",))
        with pytest.raises(WarehouseError, match=r"declared in guanghe\.data\.schema"):
            wh.table(impostor)
        wider = Table(SCORES.name, "", (*SCORES.columns, Column("extra", I64, "x")), SCORES.primary_key)
        with pytest.raises(WarehouseError, match="lacks the column"):
            wh.table(wider)
        with pytest.raises(WarehouseError, match="lacks the declared column"), wh.writer() as w:
            w.ensure(wider)


# -- writer operations -------------------------------------------------------------------------------------
def test_ensure_insert_delete_replace_a_plans_rows(url: str) -> None:
    with open_warehouse(url) as wh:
        with wh.writer() as w:
            w.ensure(SCORES)
            w.ensure(SCORES)  # (idempotent)
            w.insert(SCORES, scores("p1", {1: 5, 2: 7}))
            w.insert(SCORES, scores("p2", {1: 9}))
        with wh.writer() as w:  # replace p1: delete its rows, insert the new ones
            assert w.delete(SCORES, plan_id="p1") == 2
            assert w.delete(SCORES, plan_id="p1", creator_id=1) == 0
            w.insert(SCORES, scores("p1", {4: 4}))
            assert w.insert(SCORES, scores("p1", {})) == 0
            # the transaction reads its own writes
            assert wh.fetch(
                wh.table(SCORES).filter(ibis._.plan_id == "p1").select("creator_id")
            ).to_pylist() == [{"creator_id": 4}]
        for bad in ({}, {"nope": 1}):
            with pytest.raises(WarehouseError, match="column=value"), wh.writer() as w:
                w.delete(SCORES, **bad)
    assert rows(url, SCORES) == [("p1", 4, 4), ("p2", 1, 9)]


def test_a_failed_write_leaves_nothing(url: str) -> None:
    with open_warehouse(url) as wh:
        with wh.writer() as w:
            w.ensure(SCORES)
            w.insert(SCORES, scores("p1", {1: 5}))
        with pytest.raises(WarehouseError, match="lack the column"), wh.writer() as w:
            w.delete(SCORES, plan_id="p1")
            w.insert(SCORES, scores("p1", {2: 2}).drop(["score"]))
        with pytest.raises(RuntimeError, match="boom"), wh.writer() as w:
            w.ensure(BATCHES)
            w.append(BATCHES, batch("b1"))
            raise RuntimeError("boom")
        assert not wh.has(BATCHES)
    assert rows(url, SCORES) == [("p1", 1, 5)]


KILLED = """
import os, sys
import pyarrow as pa
sys.path[:0] = [sys.argv[2], sys.argv[3]]
from test_warehouse_contract import SCORES, scores
from guanghe.data.warehouse import open_warehouse
wh = open_warehouse(sys.argv[1])
with wh.writer() as w:
    w.delete(SCORES, plan_id="p1")
    w.insert(SCORES, scores("p1", {2: 2, 3: 3}))
    w.insert(SCORES, scores("p9", {9: 9}))
    print("written", flush=True)
    os._exit(9)  # killed before the commit
"""


def test_a_killed_writer_leaves_the_last_commit(url: str) -> None:
    needs(url, "atomic_commit")
    with open_warehouse(url) as wh, wh.writer() as w:
        w.ensure(SCORES)
        w.insert(SCORES, scores("p1", {1: 5}))
    here = str(Path(__file__).parent)
    done = subprocess.run(
        [sys.executable, "-c", KILLED, url, here, SRC], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 9 and done.stdout.strip() == "written", done.stderr[-2000:]
    assert rows(url, SCORES) == [("p1", 1, 5)]
    with open_warehouse(url) as wh, wh.writer() as w:  # and the store takes the next write
        w.insert(SCORES, scores("p2", {1: 1}))
    assert rows(url, SCORES) == [("p1", 1, 5), ("p2", 1, 1)]


def test_append_reports_new_keys_only(url: str) -> None:
    needs(url, "key_enforcement")
    with open_warehouse(url) as wh, wh.writer() as w:
        w.ensure(BATCHES)
        assert w.append(BATCHES, batch("b1")) == 1
        assert w.append(BATCHES, batch("b1")) == 0
        assert w.append(BATCHES, batch("b1", "b2", "b3")) == 2
        with pytest.raises(WarehouseError, match="key_index"):
            w.append(SCORES, scores("p", {1: 1}))
    assert rows(url, BATCHES, "batch_id") == [("b1",), ("b2",), ("b3",)]


def test_two_overlapping_writers_record_a_key_once(url: str) -> None:
    """Two transactions appending the same batch ids record each once, as the engine declares it: with
    concurrent writers (DuckDB) the later sees the key, and of two in flight the second to commit fails whole;
    without (Spark) the second of two overlapping transactions to commit fails whole and its rerun sees the
    key."""
    first, second = open_warehouse(url), open_warehouse(url)  # two connections, two transactions
    try:
        with first.writer() as w:
            w.ensure(BATCHES)
        if first.capabilities.concurrent_writers:
            with second.writer() as w2:  # the other committed first: this one sees the key, appends nothing
                with first.writer() as w1:
                    assert w1.append(BATCHES, batch("b1")) == 1
                assert w2.append(BATCHES, batch("b1")) == 0
            with pytest.raises(WarehouseError, match="b2"), second.writer() as w2:  # both in flight
                assert w2.append(BATCHES, batch("b2", "b4")) == 2
                with first.writer() as w1:
                    assert w1.append(BATCHES, batch("b2", "b3")) == 2
            want = [("b1",), ("b2",), ("b3",)]
        else:
            with pytest.raises(WarehouseError, match="another writer committed"), second.writer() as w2:
                assert w2.append(BATCHES, batch("b2", "b4")) == 2
                with first.writer() as w1:
                    assert w1.append(BATCHES, batch("b2", "b3")) == 2
            with second.writer() as w2:  # the rerun
                assert w2.append(BATCHES, batch("b2", "b4")) == 1
            want = [("b2",), ("b3",), ("b4",)]
    finally:
        first.close()
        second.close()
    assert rows(url, BATCHES, "batch_id") == want


def test_merge_inserts_new_keys_and_reports_duplicates_and_conflicts(url: str) -> None:
    def works(ids: list[int], kinds: list[str]) -> pa.Table:
        n = len(ids)
        return pa.table({
            "work_id": pa.array(ids, I64), "creator_id": pa.array([7] * n, I64),
            "published_at": pa.array([datetime(2023, 6, 1)] * n, TS), "kind": kinds, "category": ["food"] * n,
            "duration_s": pa.array([30] * n, pa.int32()), "title": [None] * n, "fingerprint": [None] * n,
            "_row": pa.array(range(1, n + 1), I64)})  # fmt: skip

    with open_warehouse(url) as wh:
        with wh.writer() as w:
            r = w.merge("works", works([1, 2], ["live", "image"]))
            assert (r.inserted, r.duplicates, r.conflicts.num_rows) == (2, 0, 0)
        with wh.writer() as w:
            r = w.merge("works", works([2, 1, 3], ["image", "video", "live"]))
        assert (r.inserted, r.duplicates) == (1, 1)
        assert r.conflicts.select(["work_id", "kind", "_row", "_diff"]).to_pylist() == [
            {"work_id": 1, "kind": "video", "_row": 2, "_diff": "kind"}
        ]
    assert rows(url, "works", "work_id", "kind") == [(1, "live"), (2, "image"), (3, "live")]


def test_accumulate_adds_to_stored_rows_and_inserts_new_ones(url: str) -> None:
    with open_warehouse(url) as wh:
        with wh.writer() as w:  # an organic row of work 1 that day, and work 2 on the day before
            w.merge("work_daily", pa.table({
                "work_id": [1, 2], "date": pa.array([DAY, date(2023, 6, 30)], DATE), "organic_impressions": [500, 80],
                "boosted_impressions": [3, 0], "plays": [40, 8], "completed_plays": [20, 4], "likes": [3, 0],
                "comments": [1, 0], "shares": [0, 0], "follows_gained": [2, 1]}))  # fmt: skip
        rows_in = pa.table({
            "work_id": pa.array([1, 2, 1, 3], I64), "date": pa.array([DAY] * 4, DATE),
            "boosted_impressions": pa.array([5, 4, 2, 1], I64)})  # fmt: skip
        zeros = {c: 0 for c in ("organic_impressions", "plays", "completed_plays", "likes", "comments", "shares",
                                "follows_gained")}  # fmt: skip
        with wh.writer() as w:
            w.accumulate("work_daily", rows_in, add=("boosted_impressions",), defaults=zeros)
        with wh.writer() as w:
            w.accumulate("work_daily", rows_in.slice(3), add=("boosted_impressions",), defaults=zeros)
        with pytest.raises(WarehouseError, match="need a default for plays"), wh.writer() as w:
            w.accumulate(
                "work_daily", rows_in, add=("boosted_impressions",), defaults={"organic_impressions": 0}
            )
        with pytest.raises(WarehouseError, match="non-key columns"), wh.writer() as w:
            w.accumulate("work_daily", rows_in, add=("work_id",), defaults=zeros)
        with pytest.raises(WarehouseError, match="lack the column"), wh.writer() as w:
            w.accumulate("work_boost", rows_in, add=("impressions",))
    got = rows(url, "work_daily", "work_id", "date", "organic_impressions", "boosted_impressions", "plays")
    assert got == [
        (1, DAY, 500, 10, 40),  # 3 stored + 5 + 2 (a key repeated in the rows is summed)
        (2, date(2023, 6, 30), 80, 0, 8),  # another day: untouched
        (2, DAY, 0, 4, 0),  # new keys: the defaults
        (3, DAY, 0, 2, 0),  # 1, then 1 more
    ]  # fmt: skip


# -- the DuckDB engine's own: file locks, a bare file, views of a Parquet folder, SQL text ----------------------
def test_duckdb_read_only_runs_no_ddl(tmp_path) -> None:
    p = str(tmp_path / "bare.duckdb")
    con = duckdb.connect(p)
    con.execute("CREATE TABLE room_scores (plan_id VARCHAR, creator_id BIGINT, score BIGINT)")
    con.execute("INSERT INTO room_scores VALUES ('p', 1, 5)")
    con.close()
    with open_warehouse(f"duckdb:///{p}", read_only=True) as wh:
        assert wh.read_only and wh.has(SCORES) and not wh.has("works")
    # nothing was created: a read-only open leaves the file as it found it
    assert stored(p, "SELECT table_name FROM duckdb_tables()") == [("room_scores",)]


def test_read_only_shares_the_file_and_a_writer_process_blocks_it(path: str) -> None:
    hold = "import duckdb, sys, time; c = duckdb.connect(sys.argv[1], read_only=True); print('held', flush=True); time.sleep(60)"
    reader = subprocess.Popen([sys.executable, "-c", hold, path], stdout=subprocess.PIPE, text=True)
    try:  # another process reads: a read-only open here still works (no writer lock taken)
        assert reader.stdout.readline().strip() == "held"
        with open_warehouse(f"duckdb:///{path}", read_only=True) as wh:
            assert wh.has("works") and wh.fetch(wh.table("works").count().as_table()).num_rows == 1
    finally:
        reader.kill()
        reader.wait()
    hold = hold.replace(", read_only=True", "")
    writer = subprocess.Popen([sys.executable, "-c", hold, path], stdout=subprocess.PIPE, text=True)
    try:  # a writer process holds the file: the read fails with the contract's error, not DuckDB's
        assert writer.stdout.readline().strip() == "held"
        with pytest.raises(WarehouseError, match="cannot open DuckDB warehouse"):
            open_warehouse(f"duckdb:///{path}", read_only=True)
    finally:
        writer.kill()
        writer.wait()


def test_a_parquet_folder_read_through_duckdb_sql(tmp_path) -> None:
    import pyarrow.parquet as pq

    (tmp_path / "works").mkdir()
    pq.write_table(pa.table({
        "work_id": pa.array([1, 2], I64), "creator_id": pa.array([7, 7], I64),
        "published_at": pa.array([datetime(2023, 6, 1), datetime(2023, 6, 2)], TS), "kind": ["live", "image"],
        "category": ["food", "food"], "duration_s": pa.array([30, 0], pa.int32()), "title": [None, None],
        "fingerprint": [None, None]}), tmp_path / "works" / "a.parquet")  # fmt: skip
    with DuckDBWarehouse.over_parquet(tmp_path) as wh:
        assert wh.sql("SELECT count(*) AS n, max(work_id) AS top FROM works").to_pylist() == [
            {"n": 2, "top": 2}
        ]
        assert wh.sql("SELECT count(*) AS n FROM income WHERE amount_fen > $m", {"m": 0}).to_pylist() == [
            {"n": 0}
        ]
        assert wh.fetch(wh.tables()["works"].filter(ibis._.kind == "live").select("work_id")).to_pylist() == [
            {"work_id": 1}
        ]
        with pytest.raises(WarehouseError, match="read-only"), wh.writer():
            pass
        with pytest.raises(WarehouseError, match="cannot read"):
            wh.sql("SELECT nope FROM works")
