"""PySpark engine, read-only: ``spark:///path/to/dir`` reads ``dir/<table>/*.parquet`` through Ibis.

The directory is what :meth:`DuckDBWarehouse.export_parquet` writes. The session is local (``local[2]``),
in UTC, with few shuffle partitions; one session per process, shared by every SparkWarehouse.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import ibis

from guanghe.config import parse_url
from guanghe.data.schema import SYSTEM_TABLES, TABLES, Table
from guanghe.data.warehouse.base import Warehouse, WarehouseError, Writer, declared

SPARK_CONF = {
    "spark.master": "local[2]",
    "spark.app.name": "guanghe",
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.shuffle.partitions": "4",
    "spark.default.parallelism": "2",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.driver.memory": "4g",
    "spark.sql.adaptive.enabled": "true",
    "spark.sql.parquet.inferTimestampNTZ.enabled": "true",
}


def spark_session() -> Any:
    """The process's Spark session (created on first use)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as e:  # pragma: no cover - depends on the install
        raise WarehouseError("the spark:// warehouse needs PySpark: pip install 'guanghe[spark]'") from e
    builder = SparkSession.builder
    for k, v in SPARK_CONF.items():
        builder = builder.config(k, v)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


class SparkWarehouse(Warehouse):
    read_only = True

    def __init__(self, path: str) -> None:
        root = Path(path)
        self.url = f"spark:///{path}"
        self.path = root
        if not root.is_dir():
            raise WarehouseError(f"spark warehouse directory {str(root)!r} does not exist")
        missing = [t for t in TABLES if not any((root / t).glob("*.parquet"))]
        if missing:
            raise WarehouseError(
                f"spark warehouse {str(root)!r} lacks {', '.join(missing)}: expected <dir>/<table>/*.parquet "
                "(write it with DuckDBWarehouse.export_parquet)"
            )
        self.session = spark_session()
        self._con = ibis.pyspark.connect(self.session)
        self._views: set[str] = set()
        for name in (*TABLES, *SYSTEM_TABLES):
            if self.has(name):
                self._view(name)
        from py4j.protocol import Py4JError
        from pyspark.errors import PySparkException

        self.engine_errors = (PySparkException, Py4JError)

    def _view(self, name: str) -> None:
        if name not in self._views:
            self.session.read.parquet(str(self.path / name)).createOrReplaceTempView(name)
            self._views.add(name)

    def has(self, table: str | Table) -> bool:
        """A table is stored when ``<dir>/<table>/`` holds Parquet files (``export_parquet`` writes every
        table of a DuckDB warehouse, the plan tables included)."""
        name = table.name if isinstance(table, Table) else table
        return any((self.path / name).glob("*.parquet"))

    def table(self, table: str | Table) -> ibis.Table:
        decl = declared(table)
        if self.has(decl):
            self._view(decl.name)
        return super().table(decl)

    @classmethod
    def from_url(cls, url: str, create: bool = False, read_only: bool = False) -> SparkWarehouse:
        """``spark:///rel/dir`` or ``spark:////abs/dir``: a folder of Parquet tables (always read-only)."""
        parsed = parse_url(url, ("spark",), "warehouse")
        if parsed.path is None:
            raise WarehouseError(
                f"spark warehouse URL {url!r} needs a directory: spark:///path/to/parquet-dir"
            )
        if create:
            raise WarehouseError("the spark:// warehouse is read-only: ingest into a DuckDB warehouse")
        return cls(parsed.path)

    @property
    def con(self) -> ibis.BaseBackend:
        return self._con

    @contextmanager
    def writer(self) -> Iterator[Writer]:
        raise WarehouseError(
            "the spark:// warehouse is read-only: ingest into a DuckDB warehouse and export it "
            "(DuckDBWarehouse.export_parquet) to the directory Spark reads"
        )
        yield  # pragma: no cover - unreachable, makes this a generator

    def close(self) -> None:
        """Drop this warehouse's views; the shared session stays up for the process."""
        for name in self._views:
            self.session.catalog.dropTempView(name)
        self._views.clear()
