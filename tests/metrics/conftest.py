"""Fixtures: the hand-made platform in fixtures/platform/*.csv loaded into a DuckDB warehouse file."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pcsv
import pytest

from guanghe.data.schema import TABLES
from guanghe.data.warehouse.duckdb import DuckDBWarehouse

FIXTURES = Path(__file__).parent / "fixtures"


def read_table(path: Path, table: str) -> pa.Table:
    schema = TABLES[table].arrow_schema()
    opts = pcsv.ConvertOptions(column_types=schema, include_columns=schema.names, strings_can_be_null=True)
    data = pcsv.read_csv(path, convert_options=opts).cast(schema)
    return data


def load_dir(wh: DuckDBWarehouse, directory: Path) -> DuckDBWarehouse:
    """Insert every <table>.csv of ``directory`` through the raw connection (ingestion is tested apart)."""
    for t in sorted(TABLES.values(), key=lambda t: t.load_order):
        f = directory / f"{t.name}.csv"
        if f.exists():
            wh.raw.register("_fixture", read_table(f, t.name))
            wh.raw.execute(f'INSERT INTO "{t.name}" SELECT * FROM _fixture')
            wh.raw.unregister("_fixture")
    return wh


@pytest.fixture(scope="session")
def platform_wh(tmp_path_factory: pytest.TempPathFactory) -> DuckDBWarehouse:
    wh = DuckDBWarehouse(str(tmp_path_factory.mktemp("metrics") / "platform.duckdb"))
    return load_dir(wh, FIXTURES / "platform")


@pytest.fixture(scope="session")
def tables(platform_wh: DuckDBWarehouse):
    return platform_wh.tables()
