"""Fixtures: the hand-made platform in fixtures/platform/*.csv loaded into a DuckDB warehouse file."""

from __future__ import annotations

from datetime import date

import pytest
from metrics_platform import FIXTURES, load_dir

from guanghe.data.warehouse.duckdb import DuckDBWarehouse


@pytest.fixture(scope="session")
def platform_wh(tmp_path_factory: pytest.TempPathFactory) -> DuckDBWarehouse:
    wh = DuckDBWarehouse(str(tmp_path_factory.mktemp("metrics") / "platform.duckdb"))
    return load_dir(wh, FIXTURES / "platform")


@pytest.fixture(scope="session")
def tables(platform_wh: DuckDBWarehouse):
    return platform_wh.tables()


@pytest.fixture(scope="session")
def platform_until(tmp_path_factory: pytest.TempPathFactory):
    """A fresh DuckDB file (its path) holding fixtures/platform cut at a day: ``platform_until(date)``."""

    def make(until: date) -> str:
        path = str(tmp_path_factory.mktemp("cut") / f"platform-{until}.duckdb")
        load_dir(DuckDBWarehouse(path), FIXTURES / "platform", until).close()
        return path

    return make
