"""The hand-made platform in fixtures/platform/*.csv: reading, cutting at a day, loading into a warehouse."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from guanghe.data.schema import TABLES
from guanghe.data.warehouse.duckdb import DuckDBWarehouse

FIXTURES = Path(__file__).parent / "fixtures"


def read_table(path: Path, table: str) -> pa.Table:
    schema = TABLES[table].arrow_schema()
    opts = pcsv.ConvertOptions(column_types=schema, include_columns=schema.names, strings_can_be_null=True)
    data = pcsv.read_csv(path, convert_options=opts).cast(schema)
    return data


# The column that dates each table's rows, for cutting a fixture at a day (the data "ends" that day).
WHEN = {
    "works": "published_at", "income": "occurred_at", "work_boost": "date", "work_daily": "date",
    "creator_daily": "date", "brand_orders": "completed_at",
}  # fmt: skip


def cut(data: pa.Table, table: str, until: date) -> pa.Table:
    """Rows of ``data`` dated on or before ``until`` (a UTC day for timestamps)."""
    col = WHEN.get(table)
    if col is None:
        return data
    bound: date | datetime = until
    if pa.types.is_timestamp(data.schema.field(col).type):
        bound = datetime.combine(until + timedelta(days=1), time())
        return data.filter(pc.less(data[col], pa.scalar(bound, data.schema.field(col).type)))
    return data.filter(pc.less_equal(data[col], pa.scalar(bound, pa.date32())))


def load_dir(wh: DuckDBWarehouse, directory: Path, until: date | None = None) -> DuckDBWarehouse:
    """Insert every <table>.csv of ``directory`` through the raw connection (ingestion is tested apart);
    with ``until``, only the rows dated up to that day, as if the platform's export ended then."""
    for t in sorted(TABLES.values(), key=lambda t: t.load_order):
        f = directory / f"{t.name}.csv"
        if f.exists():
            data = read_table(f, t.name)
            wh.raw.register("_fixture", data if until is None else cut(data, t.name, until))
            wh.raw.execute(f'INSERT INTO "{t.name}" SELECT * FROM _fixture')
            wh.raw.unregister("_fixture")
    return wh
