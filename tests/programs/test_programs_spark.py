"""Parity: creator features and eligibility counts on DuckDB and on PySpark (the fixture exported to Parquet)."""

from __future__ import annotations

import pytest
from programs_platform import AS_OF, VALID

from guanghe.data.warehouse import open_warehouse
from guanghe.programs import check_programs, creator_features, parse_program

pytest.importorskip("pyspark")
pytestmark = pytest.mark.spark


def test_features_and_eligibility_identical_on_spark(platform, features, feature_rows, tmp_path) -> None:
    out = platform.export_parquet(tmp_path / "export")
    wh = open_warehouse(f"spark:///{out}")
    try:
        spark = creator_features(wh.tables(), AS_OF)
        rows = {r["creator_id"]: r for r in spark.to_pyarrow().to_pylist()}
        assert rows == feature_rows
        prog = parse_program(VALID)
        assert check_programs(spark, [prog])[0].eligible == check_programs(features, [prog])[0].eligible
    finally:
        wh.close()
