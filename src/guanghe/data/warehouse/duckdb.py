"""The embedded default: Ibis over one DuckDB file (``duckdb:///guanghe.duckdb``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import ibis
import pyarrow as pa

from guanghe.data.schema import SYSTEM_TABLES, TABLES, Table
from guanghe.data.warehouse.base import MergeResult, Warehouse, WarehouseError, Writer

_SQL_TYPES = {
    "int64": "BIGINT", "int32": "INTEGER", "string": "VARCHAR", "date32[day]": "DATE",
    "timestamp[us]": "TIMESTAMP", "bool": "BOOLEAN", "double": "DOUBLE",
}  # fmt: skip


def ddl(table: Table) -> str:
    cols = ", ".join(
        f'"{c.name}" {_SQL_TYPES[str(c.type)]}{" NOT NULL" if c.required else ""}' for c in table.columns
    )
    return f'CREATE TABLE IF NOT EXISTS "{table.name}" ({cols}, PRIMARY KEY ({", ".join(table.primary_key)}))'


class DuckDBWarehouse(Warehouse):
    def __init__(self, path: str | None) -> None:
        self.url = f"duckdb:///{path}" if path else "duckdb://"
        self.path = path
        if path:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self._raw = duckdb.connect(path or ":memory:")
        except duckdb.Error as e:
            raise WarehouseError(f"cannot open DuckDB warehouse {path!r}: {e}") from e
        for t in (*TABLES.values(), *SYSTEM_TABLES.values()):
            self._raw.execute(ddl(t))
        self._con = ibis.duckdb.from_connection(self._raw)

    @classmethod
    def from_url(cls, url: str) -> DuckDBWarehouse:
        rest = url.split("://", 1)[1]
        path = rest[1:] if rest.startswith("/") else rest
        return cls(path or None)

    @property
    def con(self) -> ibis.BaseBackend:
        return self._con

    @property
    def raw(self) -> duckdb.DuckDBPyConnection:
        """The DuckDB connection itself, for engine-specific writers and benchmarks."""
        return self._raw

    @contextmanager
    def writer(self) -> Iterator[Writer]:
        self._raw.execute("BEGIN TRANSACTION")
        try:
            yield _DuckDBWriter(self._raw)
        except BaseException:
            self._raw.execute("ROLLBACK")
            raise
        self._raw.execute("COMMIT")

    def close(self) -> None:
        self._raw.close()


class _DuckDBWriter(Writer):
    def __init__(self, raw: duckdb.DuckDBPyConnection) -> None:
        self.raw = raw

    def merge(self, table: str, rows: pa.Table) -> MergeResult:
        t = TABLES[table]
        cols = t.names
        key = t.primary_key
        self.raw.register("_incoming", rows)
        try:
            on = " AND ".join(f'i."{k}" = t."{k}"' for k in key)
            same = " AND ".join(f'i."{c}" IS NOT DISTINCT FROM t."{c}"' for c in cols)
            matched = self.raw.execute(
                f'SELECT count(*) FILTER (WHERE {same}) FROM _incoming i JOIN "{table}" t ON {on}'
            ).fetchone()[0]
            conflicts = self.raw.execute(
                f'SELECT i.* FROM _incoming i JOIN "{table}" t ON {on} WHERE NOT ({same}) ORDER BY i._row'
            ).to_arrow_table()
            col_list = ", ".join(f'i."{c}"' for c in cols)
            before = self.raw.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
            self.raw.execute(
                f'INSERT INTO "{table}" SELECT {col_list} FROM _incoming i '
                f'WHERE NOT EXISTS (SELECT 1 FROM "{table}" t WHERE {on})'
            )
            after = self.raw.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
        finally:
            self.raw.unregister("_incoming")
        return MergeResult(inserted=after - before, duplicates=int(matched), conflicts=conflicts)

    def append(self, table: str, rows: pa.Table) -> None:
        t = SYSTEM_TABLES[table]
        self.raw.register("_incoming", rows.select(t.names))
        try:
            self.raw.execute(f'INSERT INTO "{table}" SELECT * FROM _incoming ON CONFLICT DO NOTHING')
        finally:
            self.raw.unregister("_incoming")
