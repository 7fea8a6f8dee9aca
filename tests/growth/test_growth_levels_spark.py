"""Parity: the levels query gives the same rows on DuckDB and on PySpark (the warehouse exported to Parquet)."""

from __future__ import annotations

from pathlib import Path

import pytest
from growth_levels_platform import D1, D2, D3, synth_warehouse

from guanghe.data.warehouse import open_warehouse
from guanghe.growth.level_load import LEVELS_FILE, load_levels
from guanghe.growth.level_run import run_levels
from guanghe.growth.levels import compute_levels

pytest.importorskip("pyspark")
pytestmark = pytest.mark.spark


def _rows(wh, rules, day) -> list[dict]:
    return wh.fetch(compute_levels(wh.tables(), rules, day).order_by("creator_id")).to_pylist()


@pytest.mark.slow
def test_levels_identical_on_spark(tmp_path: Path) -> None:
    """3,000 synthetic creators, the shipped levels: runs on D1 and D2 are stored on DuckDB; D3 (which reads
    that history: promotions and demotions) is computed on both engines, row for row."""
    rules, duck = load_levels(LEVELS_FILE), synth_warehouse(tmp_path)
    try:
        run_levels(duck, rules, D1)
        run_levels(duck, rules, D2)
        expected = _rows(duck, rules, D3)
        counts = run_levels(duck, rules, D3, store=False).counts
        out = duck.export_parquet(tmp_path / "export")
    finally:
        duck.close()
    spark = open_warehouse(f"spark:///{out}")
    try:
        assert _rows(spark, rules, D3) == expected
        assert run_levels(spark, rules, D3, store=False).counts == counts
        reasons = [r["reason"] for r in expected if r["reason"]]
        assert any(x.startswith("entry") for x in reasons) and any(x.startswith("keep") for x in reasons)
    finally:
        spark.close()
