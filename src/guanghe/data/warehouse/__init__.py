"""Warehouse engines behind one base class, chosen by a URL (``GUANGHE_WAREHOUSE``).

>>> type(open_warehouse("duckdb://")).__name__
'DuckDBWarehouse'
"""

from __future__ import annotations

from importlib import import_module

from guanghe.data.warehouse.base import Warehouse, WarehouseError

# scheme -> "module:Class"; add an engine by adding a line here and a module beside this one.
ENGINES: dict[str, str] = {
    "duckdb": "guanghe.data.warehouse.duckdb:DuckDBWarehouse",
    "spark": "guanghe.data.warehouse.spark:SparkWarehouse",
}


def open_warehouse(url: str) -> Warehouse:
    """Open the warehouse a URL names: ``duckdb:///path.duckdb``, ``duckdb://`` (memory), ``spark:///parquet-dir``."""
    scheme = url.split("://", 1)[0] if "://" in url else ""
    if scheme not in ENGINES:
        raise WarehouseError(
            f"unknown warehouse URL {url!r}: expected one of {', '.join(s + '://' for s in ENGINES)}"
        )
    module, cls = ENGINES[scheme].split(":")
    return getattr(import_module(module), cls).from_url(url)


__all__ = ["ENGINES", "Warehouse", "WarehouseError", "open_warehouse"]
