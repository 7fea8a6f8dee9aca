"""A generated platform's output as DuckDB views, for the synth tests."""

from __future__ import annotations

from pathlib import Path

import duckdb

from guanghe.data.schema import TABLES
from guanghe.synth.writer import OUTPUT_TABLES


def views(c: duckdb.DuckDBPyConnection, out: Path) -> duckdb.DuckDBPyConnection:
    """Every output table as a view over its Parquet files (an empty table of its schema without files), and
    ``truth`` over truth/earnings.parquet."""
    for name in OUTPUT_TABLES:
        if any((out / "data" / name).glob("*.parquet")):
            c.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{out}/data/{name}/*.parquet')")
        else:
            c.register(name, TABLES[name].arrow_schema().empty_table())
    c.execute(f"CREATE VIEW truth AS SELECT * FROM read_parquet('{out}/truth/earnings.parquet')")
    return c
