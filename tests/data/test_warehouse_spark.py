"""A folder ``DuckDBWarehouse.export_parquet`` wrote (no manifest) reads the same on PySpark through
``has``/``table``/``fetch`` (a window and a semi-join); opened read-only it refuses writes, opened to write its
first commit adds the manifest and keeps the exported rows. The rest of the contract runs on Spark in
test_warehouse_contract.py."""

from __future__ import annotations

import ibis
import pyarrow as pa
import pytest
from test_warehouse_contract import SCORES, scores

from guanghe.data.warehouse import WarehouseError, open_warehouse

pytest.importorskip("pyspark")
pytestmark = pytest.mark.spark


def best_of(wh, creators: list[int]) -> list[dict]:
    t = wh.table(SCORES)
    best = t.mutate(k=ibis.row_number().over(group_by=t.creator_id, order_by=ibis.desc(t.score)))
    wanted = ibis.memtable(pa.table({"creator_id": pa.array(creators, pa.int64())}))
    top = best.filter(best.k == 0).semi_join(wanted, "creator_id").order_by("creator_id")
    return wh.fetch(top.select("plan_id", "creator_id", "score")).to_pylist()


def test_a_declared_table_reads_the_same_on_spark(tmp_path) -> None:
    duck = open_warehouse(f"duckdb:///{tmp_path}/wh.duckdb", create=True)
    with duck.writer() as w:
        w.ensure(SCORES)
        w.insert(SCORES, scores("p1", {1: 5, 2: 7, 3: 1}))
        w.insert(SCORES, scores("p2", {1: 9, 3: 0}))
    out = duck.export_parquet(tmp_path / "export")
    spark = open_warehouse(f"spark:///{out}", read_only=True)
    try:
        assert spark.read_only and spark.has(SCORES) and not spark.has("allocation_plan")
        expected = [
            {"plan_id": "p2", "creator_id": 1, "score": 9},
            {"plan_id": "p1", "creator_id": 3, "score": 1},
        ]
        assert best_of(duck, [1, 3]) == expected
        assert best_of(spark, [1, 3]) == expected
        with pytest.raises(WarehouseError, match="read-only"), spark.writer():
            pass
    finally:
        spark.close()
        duck.close()
    assert not (out / "_manifest.json").exists()
    with open_warehouse(f"spark:///{out}") as spark:
        with spark.writer() as w:
            assert w.delete(SCORES, plan_id="p2", creator_id=3) == 1
        assert (out / "_manifest.json").exists()
        assert best_of(spark, [1, 3]) == [
            {"plan_id": "p2", "creator_id": 1, "score": 9},
            {"plan_id": "p1", "creator_id": 3, "score": 1},
        ]
        assert spark.count("works") == 0 and spark.has("loads")
