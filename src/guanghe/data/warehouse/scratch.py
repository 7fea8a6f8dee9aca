"""A scratch in-memory DuckDB (one per thread, made once) for vectorised work on Arrow tables: ingestion's
parsing and key checks of the incoming files (``data.ingest``), whatever engine the warehouse is. It lives
beside the engines because no module outside ``data/warehouse/`` opens DuckDB; it never sees the warehouse."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import duckdb
import pyarrow as pa

ScratchError = duckdb.Error  # what a scratch query raises (callers never import duckdb)
_local = threading.local()


@contextmanager
def scratch(**tables: pa.Table) -> Iterator[duckdb.DuckDBPyConnection]:
    """The thread's scratch connection (time zone UTC) with ``tables`` registered under their names."""
    con = getattr(_local, "con", None)
    if con is None:
        con = _local.con = duckdb.connect()
        con.execute("SET TimeZone = 'UTC'")
    for name, table in tables.items():
        con.register(name, table)
    try:
        yield con
    finally:
        for name in tables:
            con.unregister(name)
