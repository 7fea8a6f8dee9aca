"""The embedded default: Ibis over one DuckDB file (``duckdb:///guanghe.duckdb``)."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import duckdb
import ibis
import pyarrow as pa
import pyarrow.compute as pc

from guanghe.config import SettingError, StoreMissing, creatable_file, existing_file, parse_url
from guanghe.data.schema import SYSTEM_TABLES, TABLES, Table
from guanghe.data.warehouse.base import (
    Capabilities,
    MergeResult,
    Warehouse,
    WarehouseError,
    WarehouseMissing,
    Writer,
    accumulate_columns,
    declared,
    delete_filter,
    need_columns,
)
from guanghe.data.warehouse.manifest import MANIFEST

_SQL_TYPES = {
    "int64": "BIGINT", "int32": "INTEGER", "string": "VARCHAR", "date32[day]": "DATE",
    "timestamp[us]": "TIMESTAMP", "bool": "BOOLEAN", "double": "DOUBLE",
}  # fmt: skip


def ddl(table: Table) -> str:
    """CREATE TABLE for a table. Only tables declared with ``key_index`` (system tables, batch records)
    carry a PRIMARY KEY index (``append()`` relies on ON CONFLICT); data tables' keys are enforced by
    ``merge()`` (one anti-join per batch), 3x faster to load than an ART index on ~15 M work_daily keys."""
    cols = ", ".join(
        f'"{c.name}" {_SQL_TYPES[str(c.type)]}{" NOT NULL" if c.required else ""}' for c in table.columns
    )
    key = f", PRIMARY KEY ({', '.join(table.primary_key)})" if table.key_index else ""
    return f'CREATE TABLE IF NOT EXISTS "{table.name}" ({cols}{key})'


def _first_line(e: BaseException) -> str:
    return str(e).splitlines()[0] if str(e) else type(e).__name__


LOCK_WAIT_S = (
    30.0  # a writer waits this long for readers of the file (other processes, other threads) to close
)


def _locked(e: duckdb.Error) -> bool:
    """The file is held: by another process (DuckDB's file lock) or by this one with another configuration."""
    text = str(e)
    return "Could not set lock" in text or "different configuration than existing connections" in text


def _connect(path: str | None, read_only: bool) -> duckdb.DuckDBPyConnection:
    """A connection to the file; a writer that finds the file held by readers (pages, the web's snapshot
    build, a report) retries for up to ``LOCK_WAIT_S`` instead of failing at once; a reader never waits."""
    deadline, pause = time.monotonic() + LOCK_WAIT_S, 0.05
    while True:
        try:
            return duckdb.connect(path or ":memory:", read_only=read_only)
        except duckdb.Error as e:
            if read_only or path is None or not _locked(e) or time.monotonic() + pause > deadline:
                raise
            time.sleep(pause)
            pause = min(pause * 2, 1.0)


def _quote(path: str | Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


class DuckDBWarehouse(Warehouse):
    engine_errors = (duckdb.Error,)
    capabilities = Capabilities(
        atomic_commit=True, concurrent_writers=True, key_enforcement=True, in_memory=True, distributed=False
    )

    def __init__(self, path: str | None, read_only: bool = False) -> None:
        """Open (or create) the DuckDB file at ``path`` (``None``: in memory). URLs go through ``from_url``.

        ``read_only`` opens the file with DuckDB's ``read_only=True``: no DDL, a shared lock only (it fails
        while another process writes the file, and a writer fails while it is open), no ``writer()``."""
        self.url = f"duckdb:///{path}" if path else "duckdb://"
        self.path, self.read_only = path, read_only
        self._stored: set[str] | None = None  # the stored tables' names, kept while open read-only
        if read_only and path is None:
            raise WarehouseError(
                "an in-memory DuckDB warehouse cannot be opened read-only: it would be empty"
            )
        try:
            self._raw = _connect(path, read_only)
            if not read_only:
                for t in (*TABLES.values(), *SYSTEM_TABLES.values()):
                    self._raw.execute(ddl(t))
        except duckdb.Error as e:
            raise WarehouseError(f"cannot open DuckDB warehouse {path!r}: {_first_line(e)}") from e
        self._con = ibis.duckdb.from_connection(self._raw)

    @classmethod
    def from_url(cls, url: str, create: bool = False, read_only: bool = False) -> DuckDBWarehouse:
        """``duckdb:///rel``, ``duckdb:////abs`` or ``duckdb://`` (memory); only ``create`` makes a new file."""
        parsed = parse_url(url, ("duckdb",), "warehouse")
        if create and read_only:
            raise WarehouseError(f"{url}: a warehouse opened read-only cannot be created")
        if parsed.in_memory:
            return cls(None, read_only=read_only)
        check = creatable_file if create else existing_file
        try:
            path = check(parsed, "warehouse")
        except StoreMissing as e:
            raise (WarehouseError if create else WarehouseMissing)(str(e)) from e
        except SettingError as e:
            raise WarehouseError(str(e)) from e
        return cls(str(path), read_only=read_only)

    @classmethod
    def stamp(cls, url: str) -> tuple[tuple[int, int] | None, ...] | None:
        """(size, mtime_ns) of the file and of its ``.wal`` (None for one that does not exist): a committed
        write that is not yet checkpointed changes only the ``.wal``. None in memory."""
        path = parse_url(url, ("duckdb",), "warehouse").path
        if path is None:
            return None
        out: list[tuple[int, int] | None] = []
        for p in (path, path + ".wal"):
            try:
                st = os.stat(p)
                out.append((st.st_size, st.st_mtime_ns))
            except OSError:
                out.append(None)
        return tuple(out)

    @classmethod
    def over_parquet(cls, directory: str | Path, views: Mapping[str, str] | None = None) -> DuckDBWarehouse:
        """An in-memory warehouse whose data tables are views of ``DIRECTORY/<table>/*.parquet`` (the layout
        ``export_parquet`` and the synthetic platform write; a table without files stays empty). Read-only.
        ``views``: tables defined instead by a SELECT of the caller's (the synthetic platform's ``income`` is
        its truth's earnings, before `guanghe money accrue` has written any)."""
        wh = cls(None)
        root = Path(directory)
        for name in TABLES:
            if any((root / name).glob("*.parquet")):
                wh._raw.execute(f'DROP TABLE "{name}"')
                glob = _quote(f"{root / name}/*.parquet")
                wh._raw.execute(f'CREATE VIEW "{name}" AS SELECT * FROM read_parquet({glob})')
        for name, select in (views or {}).items():
            if name not in TABLES:
                raise WarehouseError(f"over_parquet: {name!r} is not a data table")
            wh._raw.execute(
                f'CREATE OR REPLACE VIEW "_{name}_view" AS {select}'
            )  # fails before dropping anything
            is_view = wh._raw.execute(
                "SELECT count(*) FROM duckdb_views() WHERE view_name = ?", [name]
            ).fetchone()
            wh._raw.execute(f'DROP {"VIEW" if is_view and is_view[0] else "TABLE"} "{name}"')
            wh._raw.execute(f'ALTER VIEW "_{name}_view" RENAME TO "{name}"')
        wh.url, wh.read_only = f"duckdb:// (views of {root})", True
        return wh

    @property
    def con(self) -> ibis.BaseBackend:
        return self._con

    @property
    def raw(self) -> duckdb.DuckDBPyConnection:
        """The DuckDB connection itself, for tests and benchmarks (the code base reads through ``table()``
        and writes through ``writer()``)."""
        return self._raw

    def sql(self, query: str, params: Mapping[str, Any] | list[Any] | None = None) -> pa.Table:
        """Run DuckDB SQL text and return its result. An engine-specific accessor for stand-alone
        computations over the caller's own data (``synth.figures``' calibration query); the platform's
        tables are read through ``table()`` and written through ``writer()``."""
        try:
            return self._raw.sql(query, params=params).to_arrow_table()
        except duckdb.Error as e:
            raise WarehouseError(f"cannot read {self.url}: {_first_line(e)}") from e

    def has(self, table: str | Table) -> bool:
        name = table.name if isinstance(table, Table) else table
        if self._stored is not None:  # read-only: nobody can change the file's tables while it is open
            return name in self._stored
        return name in self._table_names()

    def _table_names(self) -> set[str]:
        try:
            found = self._raw.execute(
                "SELECT table_name FROM duckdb_tables() WHERE NOT temporary"
                " UNION ALL SELECT view_name FROM duckdb_views() WHERE NOT internal AND NOT temporary"
            ).fetchall()
        except duckdb.Error as e:
            raise WarehouseError(f"cannot read {self.url}: {_first_line(e)}") from e
        names = {r[0] for r in found}
        if self.read_only:
            self._stored = names
        return names

    @contextmanager
    def writer(self) -> Iterator[Writer]:
        if self.read_only:
            raise WarehouseError(f"{self.url} was opened read-only: it cannot be written")
        try:
            self._raw.execute("BEGIN TRANSACTION")
        except duckdb.Error as e:
            raise WarehouseError(f"cannot write {self.url}: {_first_line(e)}") from e
        try:
            yield _DuckDBWriter(self._raw)
        except duckdb.Error as e:
            self._rollback()
            raise WarehouseError(f"write to {self.url} failed: {_first_line(e)}") from e
        except BaseException:
            self._rollback()
            raise
        try:
            self._raw.execute("COMMIT")
        except duckdb.Error as e:
            self._rollback()
            raise WarehouseError(f"write to {self.url} failed: {_first_line(e)}") from e

    def _rollback(self) -> None:
        with suppress(duckdb.Error):  # (a failed COMMIT already ended the transaction)
            self._raw.execute("ROLLBACK")

    def export_parquet(self, directory: str | Path) -> Path:
        """Write every stored table (the data and system tables, and tables other rooms declared, such as
        the plan) to ``DIRECTORY/<table>/data_0.parquet``: what ``spark:///DIRECTORY`` reads."""
        root = Path(directory)
        root.mkdir(parents=True, exist_ok=True)
        (root / MANIFEST).unlink(missing_ok=True)  # a Spark store's manifest would name files removed below
        stored = [r[0] for r in self._raw.execute(
            "SELECT table_name FROM duckdb_tables() WHERE NOT temporary ORDER BY 1").fetchall()]  # fmt: skip
        for name in stored:
            out = root / name
            out.mkdir(parents=True, exist_ok=True)
            for old in out.glob("*.parquet"):
                old.unlink()
            self._raw.execute(
                f'COPY "{name}" TO {_quote(out / "data_0.parquet")} (FORMAT parquet, COMPRESSION zstd)'
            )
        return root

    def close(self) -> None:
        self._raw.close()


def _key_ranges(rows: pa.Table, key: tuple[str, ...]) -> list[str]:
    """``t.k BETWEEN min AND max`` of the incoming integer/date keys: zone maps skip other row groups."""
    out = []
    for k in key:
        col = rows.column(k)
        if not (pa.types.is_integer(col.type) or pa.types.is_date32(col.type)) or not len(col):
            continue
        low, high = pc.min_max(col).values()
        if low.is_valid:
            cast = "DATE" if pa.types.is_date32(col.type) else "BIGINT"
            out.append(
                f"t.\"{k}\" BETWEEN CAST('{low.as_py()}' AS {cast}) AND CAST('{high.as_py()}' AS {cast})"
            )
    return out


class _DuckDBWriter(Writer):
    """Writes inside the warehouse's open transaction; keys are checked with one join per merge."""

    def __init__(self, raw: duckdb.DuckDBPyConnection) -> None:
        self.raw = raw

    @contextmanager
    def _incoming(self, rows: pa.Table) -> Iterator[str]:
        """``rows`` visible to SQL as ``_incoming`` for the duration."""
        self.raw.register("_incoming", rows)
        try:
            yield "_incoming"
        finally:
            with suppress(duckdb.Error):  # an aborted transaction refuses even this; its error is raised
                self.raw.unregister("_incoming")

    def merge(self, table: str, rows: pa.Table) -> MergeResult:
        """Insert rows with new keys; ``rows`` must have unique keys (ingestion removes repeats first).

        The conflicts come back with a ``_diff`` column: the differing columns, comma-separated.
        """
        t = TABLES[table]
        cols, key = t.names, t.primary_key
        ranges = _key_ranges(rows, key)
        on = " AND ".join([*(f'i."{k}" = t."{k}"' for k in key), *ranges])
        diff = ", ".join(f"""CASE WHEN i."{c}" IS DISTINCT FROM t."{c}" THEN '{c}' END""" for c in cols)
        with self._incoming(rows):
            matched = self.raw.sql(
                f"SELECT i.*, concat_ws(',', {diff}) AS _diff FROM _incoming i JOIN \"{table}\" t ON {on}"
            )
            # No stored row in the incoming key ranges (zone maps answer that fast): nothing can match.
            in_range = f'SELECT count(*) FROM "{table}" t WHERE {" AND ".join(ranges) or "true"}'
            matched = matched.limit(0) if not self.raw.sql(in_range).fetchall()[0][0] else matched
            matched = matched.to_arrow_table()
            col_list = ", ".join(f'i."{c}"' for c in cols)
            if matched.num_rows:
                self.raw.execute(
                    f'INSERT INTO "{table}" SELECT {col_list} FROM _incoming i ANTI JOIN "{table}" t ON {on}'
                )
            else:
                self.raw.execute(f'INSERT INTO "{table}" SELECT {col_list} FROM _incoming i')
        same = pc.equal(matched.column("_diff"), "")
        conflicts = matched.filter(pc.invert(same))
        if "_row" in conflicts.column_names:
            conflicts = conflicts.sort_by("_row")
        duplicates = matched.num_rows - conflicts.num_rows
        return MergeResult(
            inserted=rows.num_rows - matched.num_rows, duplicates=duplicates, conflicts=conflicts
        )

    def ensure(self, table: Table) -> None:
        t = declared(table)
        stored = {r[0] for r in self.raw.execute(
            "SELECT column_name FROM duckdb_columns() WHERE table_name = ? AND NOT internal", [t.name]).fetchall()}  # fmt: skip
        if not stored:
            self.raw.execute(ddl(t))
            return
        missing = [c for c in t.names if c not in stored]
        if missing:
            raise WarehouseError(f"stored table {t.name!r} lacks the declared column(s) {', '.join(missing)}")

    def _insert(self, t: Table, rows: pa.Table, what: str, tail: str = "") -> int:
        rows = need_columns(rows, t.names, t.name, what)
        cols = ", ".join(f'"{c}"' for c in t.names)
        with self._incoming(rows):
            return int(self.raw.execute(
                f'INSERT INTO "{t.name}" ({cols}) SELECT {cols} FROM _incoming{tail}').fetchall()[0][0])  # fmt: skip

    def insert(self, table: str | Table, rows: pa.Table) -> int:
        return self._insert(declared(table), rows, "insert into") if rows.num_rows else 0

    def append(self, table: str | Table, rows: pa.Table) -> int:
        t = declared(table)
        if not t.key_index:
            raise WarehouseError(
                f"append to {t.name}: its key is not enforced by the engine (declare it with key_index=True) "
                "— use insert(), or merge() for a data table"
            )
        return self._insert(t, rows, "append to", " ON CONFLICT DO NOTHING") if rows.num_rows else 0

    def delete(self, table: str | Table, **equals: Any) -> int:
        t = declared(table)
        delete_filter(t, equals)
        where = " AND ".join(
            f'"{c}" IS NOT DISTINCT FROM ?' if v is None else f'"{c}" = ?' for c, v in equals.items()
        )
        return int(
            self.raw.execute(f'DELETE FROM "{t.name}" WHERE {where}', list(equals.values())).fetchall()[0][0]
        )

    def accumulate(
        self,
        table: str | Table,
        rows: pa.Table,
        add: tuple[str, ...],
        defaults: Mapping[str, Any] | None = None,
    ) -> None:
        t = declared(table)
        key, defaults = t.primary_key, dict(defaults or {})
        _, given = accumulate_columns(t, add, defaults)
        rows = need_columns(rows, [*key, *add], t.name, "accumulate into")
        if not rows.num_rows:
            return
        sums = {f"{a}_sum" for a in add}
        summed = rows.group_by(list(key)).aggregate([(a, "sum") for a in add])
        summed = summed.rename_columns([n[: -len("_sum")] if n in sums else n for n in summed.column_names])
        ranges = _key_ranges(summed, key)
        on = " AND ".join([*(f'd."{k}" = t."{k}"' for k in key), *ranges])
        with self._incoming(summed):
            sets = ", ".join(f'"{a}" = coalesce(t."{a}", 0) + d."{a}"' for a in add)
            self.raw.execute(f'UPDATE "{t.name}" AS t SET {sets} FROM _incoming d WHERE {on}')
            cols = ", ".join(f'"{c}"' for c in (*key, *add, *given))
            values = ", ".join([*(f'd."{c}"' for c in (*key, *add)), *("?" for _ in given)])
            self.raw.execute(
                f'INSERT INTO "{t.name}" ({cols}) SELECT {values} FROM _incoming d ANTI JOIN "{t.name}" t ON {on}',
                [defaults[c] for c in given],
            )
