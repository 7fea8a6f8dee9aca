"""Parity: both badges computed on PySpark equal DuckDB's on the hand-made storefronts (exported to Parquet)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from badges_platform import AS_OF, build

from guanghe.data.warehouse import open_warehouse
from guanghe.growth.badge_compute import merchant_badges, price_badges
from guanghe.growth.badge_rules import load_badge_rules

pytest.importorskip("pyspark")
pytestmark = [pytest.mark.spark, pytest.mark.slow]
RULES = load_badge_rules()


def _rows(wh, zone: ZoneInfo) -> tuple[list[dict], list[dict]]:
    t = wh.tables()
    p = wh.fetch(price_badges(t, AS_OF, RULES.price).order_by("product_id")).to_pylist()
    m = wh.fetch(merchant_badges(t, AS_OF, RULES.merchant, zone).order_by("merchant_id")).to_pylist()
    return p, m


def test_badges_identical_on_spark(tmp_path) -> None:
    duck = build(tmp_path / "shop.duckdb")
    out = duck.export_parquet(tmp_path / "export")
    spark = open_warehouse(f"spark:///{out}")
    try:
        zone = ZoneInfo("Asia/Shanghai")  # (UTC is the same expression with other instants)
        expected = _rows(duck, zone)
        assert len(expected[0]) == 15 and len(expected[1]) == 7
        assert _rows(spark, zone) == expected
    finally:
        spark.close()
        duck.close()
