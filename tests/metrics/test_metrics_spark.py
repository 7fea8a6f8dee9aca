"""Parity: the full catalog on DuckDB and on PySpark (the DuckDB warehouse exported to Parquet)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from guanghe.data.warehouse import WarehouseError, open_warehouse
from guanghe.metrics import compute, data_range

pytest.importorskip("pyspark")
pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def spark_wh(platform_wh, tmp_path_factory):
    out = platform_wh.export_parquet(tmp_path_factory.mktemp("export"))
    wh = open_warehouse(f"spark:///{out}", read_only=True)
    yield wh
    wh.close()


@pytest.mark.parametrize(
    ("period", "zone"),
    [("2023-H1", "UTC"), ("last-12m", "UTC"), ("2023-07", "Asia/Shanghai"), ("2023-H1", "Asia/Shanghai")],
)
def test_full_catalog_identical_on_duckdb_and_spark(platform_wh, spark_wh, period: str, zone: str) -> None:
    z = ZoneInfo(zone)
    duck = [v.to_dict() for v in compute(platform_wh.tables(), period, zone=z)]
    spark = [v.to_dict() for v in compute(spark_wh.tables(), period, zone=z)]
    assert spark == duck
    assert len(duck) > 20 and any(v["value"] for v in duck)
    if zone != "UTC":  # the zone moved the fixture's boundary rows (c4's 23:59:59Z work is July there)
        utc = [v.to_dict() for v in compute(platform_wh.tables(), period)]
        assert [v["value"] for v in utc] != [v["value"] for v in duck]


def test_data_range_and_read_only(platform_wh, spark_wh) -> None:
    assert data_range(spark_wh.tables()) == data_range(platform_wh.tables())
    sh = ZoneInfo("Asia/Shanghai")
    assert data_range(spark_wh.tables(), sh) == data_range(platform_wh.tables(), sh)
    with pytest.raises(WarehouseError, match="read-only"), spark_wh.writer():
        pass


def test_missing_directory_is_a_clear_error(tmp_path) -> None:
    with pytest.raises(WarehouseError, match="lacks creators"):
        open_warehouse(f"spark:///{tmp_path}")
    with pytest.raises(WarehouseError, match="no warehouse at"):
        open_warehouse(f"spark:///{tmp_path}/nope")
