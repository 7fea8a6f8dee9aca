"""PySpark engine: ``spark:///path/to/dir[?master=…]``, a folder of Parquet tables read through Ibis on Spark.

The folder's state is one manifest (``manifest.py``): readers see the tables it lists, a writer stages new
files and swaps the manifest in one ``os.replace`` (``parquet_writer.py``). A folder
``DuckDBWarehouse.export_parquet`` wrote (no manifest, ``<table>/*.parquet``) reads as it is; its first
write adds the manifest. One Spark session per process, shared by every SparkWarehouse; its master is the
URL's ``?master=`` (``local[N]``, ``spark://host:7077``, ``yarn``), else the one ``spark-submit`` was given,
else ``local[2]``.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import ibis
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds

from guanghe.config import SettingError, StoreURL, parse_url, spark_master
from guanghe.data.schema import TABLES, Table
from guanghe.data.warehouse import manifest
from guanghe.data.warehouse.base import (
    Capabilities,
    Warehouse,
    WarehouseError,
    WarehouseMissing,
    Writer,
    declared,
)
from guanghe.data.warehouse.parquet_writer import ParquetWriter, file_schema

SPARK_CONF = {  # defaults: a setting given to spark-submit (--conf, --driver-memory) is kept
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
DEFAULT_MASTER = "local[2]"


def spark_session(master: str | None = None) -> Any:
    """The process's Spark session (created on first use). ``master`` None: spark-submit's, else local[2];
    a session already running on another master is an error (one session per process)."""
    try:
        from pyspark import SparkConf
        from pyspark.sql import SparkSession
    except ImportError as e:  # pragma: no cover - depends on the install
        raise WarehouseError("the spark:// warehouse needs PySpark: pip install 'guanghe[spark]'") from e
    active = SparkSession.getActiveSession()
    if active is None:
        conf = SparkConf()  # holds what spark-submit was given
        for k, v in SPARK_CONF.items():
            if not conf.contains(k):
                conf.set(k, v)
        if master is not None or not conf.contains("spark.master"):
            conf.set("spark.master", master or DEFAULT_MASTER)
        active = SparkSession.builder.config(conf=conf).getOrCreate()
        active.sparkContext.setLogLevel("ERROR")
    running = active.sparkContext.master
    if master is not None and running != master:
        raise WarehouseError(
            f"this process's Spark session runs on {running}; a warehouse on master {master} needs its own process"
        )
    return active


class SparkWarehouse(Warehouse):
    capabilities = Capabilities(
        atomic_commit=True, concurrent_writers=False, key_enforcement=True, in_memory=False, distributed=True
    )

    def __init__(self, path: str, read_only: bool = False, master: str | None = None) -> None:
        root = Path(path)
        self.url = f"spark:///{path}"
        self.path, self.read_only = root, read_only
        if not root.is_dir():
            raise WarehouseMissing(
                f"no warehouse at {root.resolve()} (spark:// names a folder of Parquet tables)"
            )
        state = manifest.current(root)
        missing = [t for t in TABLES if t not in state.tables]
        if state.version == 0 and missing:
            raise WarehouseError(
                f"spark warehouse {str(root)!r} lacks {', '.join(missing)}: expected a {manifest.MANIFEST} or "
                "<dir>/<table>/*.parquet for every data table (open it with create=True to start an empty one)"
            )
        self.master = master
        self._con: ibis.BaseBackend | None = None  # the session starts on the first read (a write needs none)
        self._writing: ParquetWriter | None = None

    @classmethod
    def from_url(cls, url: str, create: bool = False, read_only: bool = False) -> SparkWarehouse:
        """``spark:///rel/dir`` or ``spark:////abs/dir`` (``?master=`` optional); ``create`` starts an empty
        store in a missing or empty folder (its parent must exist); a read never creates one."""
        try:
            parsed = parse_url(url, ("spark",), "warehouse")
        except SettingError as e:
            raise WarehouseError(str(e)) from e
        try:
            master = spark_master(parsed)
        except SettingError as e:
            raise WarehouseError(f"warehouse {url!r}: {e}") from e
        if parsed.path is None:
            raise WarehouseError(f"spark warehouse URL {url!r} needs a directory: spark:///path/to/dir")
        if create and read_only:
            raise WarehouseError(f"{url}: a warehouse opened read-only cannot be created")
        if create:
            _create(parsed)
        return cls(parsed.path, read_only=read_only, master=master)

    @classmethod
    def stamp(cls, url: str) -> tuple[int, int] | None:
        """(size, mtime_ns) of the folder's manifest: every commit replaces it. None without one (an
        ``export_parquet`` folder not yet written through this engine: its files may change in place)."""
        try:
            path = parse_url(url, ("spark",), "warehouse").path
        except SettingError:
            return None
        if path is None:
            return None
        try:
            st = os.stat(Path(path) / manifest.MANIFEST)
        except OSError:
            return None
        return (st.st_size, st.st_mtime_ns)

    @property
    def con(self) -> ibis.BaseBackend:
        if self._con is None:
            self.session = spark_session(self.master)
            self._con = ibis.pyspark.connect(self.session)
            from py4j.protocol import Py4JError
            from pyspark.errors import PySparkException

            self.engine_errors = (PySparkException, Py4JError)
        return self._con

    def _files(self) -> dict[str, list[str]]:
        """The tables as this warehouse sees them: an open writer's pending state (it reads its own
        writes, as a transaction does), else the latest commit."""
        if self._writing is not None:
            return self._writing.tables
        return manifest.current(self.path).tables

    def has(self, table: str | Table) -> bool:
        name = table.name if isinstance(table, Table) else table
        return name in self._files()

    def _view(self, name: str, files: list[str]) -> ibis.Table:
        """A temporary view of exactly these files, named by them (files never change once written, so a
        view's name always means the same rows, whichever warehouse object registered it)."""
        paths = [str((self.path / f).resolve()) for f in files]
        view = f"{name}_{hashlib.sha1('|'.join(paths).encode()).hexdigest()[:16]}"
        con = self.con
        if not self.session.catalog.tableExists(view):
            self.session.read.parquet(*paths).createOrReplaceTempView(view)
        return con.table(view)

    def table(self, table: str | Table) -> ibis.Table:
        decl = declared(table)
        files = self._files().get(decl.name)
        if files is None:
            raise WarehouseError(f"no table {decl.name!r} in {self.url}")
        return self.with_declared_columns(decl, self._view(decl.name, files))

    def tables(self) -> dict[str, ibis.Table]:
        return {name: self.table(name) for name in TABLES}

    def keys(self, table: str, column: str) -> pa.Array:
        """Distinct values of a column, read from the table's files on this process (PyArrow): a reference
        check of a load (it sees the open writer's rows) needs no Spark job."""
        decl = declared(table)
        files = self._files().get(decl.name)
        if files is None:
            raise WarehouseError(f"no table {decl.name!r} in {self.url}")
        schema = pa.schema([file_schema(decl).field(column)])
        got = ds.dataset([str(self.path / f) for f in files], schema=schema, format="parquet").to_table()
        return pc.unique(got.column(column).combine_chunks())

    def fetch(self, expr: ibis.Table) -> pa.Table:
        try:
            return super().fetch(expr)
        except FileNotFoundError as e:  # a file removed under the reader (a vacuum): the engine's error
            raise WarehouseError(f"cannot read {self.url}: {e}") from e

    @contextmanager
    def writer(self) -> Iterator[Writer]:
        """One transaction: operations stage Parquet files; the manifest swap at the end publishes them all
        (a conflicting commit by another writer meanwhile fails this one whole)."""
        if self.read_only:
            raise WarehouseError(f"{self.url} was opened read-only: it cannot be written")
        if self._writing is not None:
            raise WarehouseError(f"{self.url}: a writer is already open on this warehouse")
        try:
            w = ParquetWriter(self.path, manifest.current(self.path))
        except (OSError, pa.ArrowException) as e:
            raise WarehouseError(f"cannot write {self.url}: {e}") from e
        self._writing = w
        try:
            yield w
            w.commit()
        except (OSError, pa.ArrowException) as e:
            w.rollback()
            raise WarehouseError(f"write to {self.url} failed: {str(e).splitlines()[0]}") from e
        except BaseException:
            w.rollback()
            raise
        finally:
            self._writing = None

    def close(self) -> None:
        """Nothing to release: views are named by their files and the session stays up for the process."""


def _create(url: StoreURL) -> None:
    """An empty store: the folder (its parent must exist) and a manifest with every data and system table."""
    root = Path(url.file())
    if not root.exists():
        if not root.parent.resolve().is_dir():
            raise WarehouseError(
                f"cannot create warehouse at {url.describe()}: folder {root.parent.resolve()} does not exist"
            )
        root.mkdir()
    if (root / manifest.MANIFEST).exists() or manifest.legacy_manifest(root).tables:
        return
    w = ParquetWriter(root, manifest.Manifest(0))
    try:
        w.commit()
    except BaseException:
        w.rollback()
        raise
