"""Warehouse engines behind one base class, chosen by a URL (``GUANGHE_WAREHOUSE``).

>>> type(open_warehouse("duckdb://")).__name__
'DuckDBWarehouse'
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING

from guanghe.config import SettingError, parse_url
from guanghe.data.warehouse.base import MergeResult, Warehouse, WarehouseError, WarehouseMissing, Writer

if TYPE_CHECKING:
    from guanghe.data.warehouse.duckdb import DuckDBWarehouse as ParquetViews

# scheme -> "module:Class"; add an engine by adding a line here and a module beside this one.
ENGINES: dict[str, str] = {
    "duckdb": "guanghe.data.warehouse.duckdb:DuckDBWarehouse",
    "spark": "guanghe.data.warehouse.spark:SparkWarehouse",
}


def open_warehouse(url: str, create: bool = False, read_only: bool = False) -> Warehouse:
    """Open the warehouse a URL names: ``duckdb:///path.duckdb``, ``duckdb://`` (memory), ``spark:///parquet-dir``.

    A read never creates a store: a missing file is an error unless ``create`` (ingestion, the demo).
    ``read_only`` is for readers that must not block a writer process (the service reading plans while
    ``guanghe allocate`` writes): it runs no DDL, takes no writer lock and refuses ``writer()``; open it per
    read and close it after (``with open_warehouse(url, read_only=True) as wh: ...``)."""
    return engine(url).from_url(url, create=create, read_only=read_only)


def engine(url: str) -> type[Warehouse]:
    """The engine class a warehouse URL names (WarehouseError for an unknown scheme or a malformed URL)."""
    try:
        scheme = parse_url(url, tuple(ENGINES), "warehouse").scheme
    except SettingError as e:
        raise WarehouseError(str(e)) from e
    module, cls = ENGINES[scheme].split(":")
    return getattr(import_module(module), cls)


def warehouse_stamp(url: str) -> Hashable | None:
    """The identity of the warehouse's committed state, without opening it (``Warehouse.stamp``): what the
    service's plan reload and the web's caches watch. None: the engine cannot tell (do not cache)."""
    return engine(url).stamp(url)


def over_parquet(directory: str | Path, views: Mapping[str, str] | None = None) -> ParquetViews:
    """An in-memory, read-only warehouse on the embedded engine (DuckDB) whose data tables are views of
    ``DIRECTORY/<table>/*.parquet``, with the engine-specific ``sql(text)`` accessor: ``synth.figures``'
    stand-alone calibration SQL over the generated files (see ``DuckDBWarehouse.over_parquet``)."""
    from guanghe.data.warehouse.duckdb import DuckDBWarehouse

    return DuckDBWarehouse.over_parquet(directory, views)


__all__ = ["ENGINES", "MergeResult", "Warehouse", "WarehouseError", "WarehouseMissing", "Writer", "engine",
           "open_warehouse", "over_parquet", "warehouse_stamp"]  # fmt: skip
