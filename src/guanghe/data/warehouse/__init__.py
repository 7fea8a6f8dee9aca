"""Warehouse engines behind one base class, chosen by a URL (``GUANGHE_WAREHOUSE``).

>>> type(open_warehouse("duckdb://")).__name__
'DuckDBWarehouse'
"""

from __future__ import annotations

from importlib import import_module

from guanghe.config import SettingError, parse_url
from guanghe.data.warehouse.base import MergeResult, Warehouse, WarehouseError, Writer

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
    try:
        scheme = parse_url(url, tuple(ENGINES), "warehouse").scheme
    except SettingError as e:
        raise WarehouseError(str(e)) from e
    module, cls = ENGINES[scheme].split(":")
    return getattr(import_module(module), cls).from_url(url, create=create, read_only=read_only)


__all__ = ["ENGINES", "MergeResult", "Warehouse", "WarehouseError", "Writer", "open_warehouse"]
