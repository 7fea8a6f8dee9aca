"""The embedded default: Ibis over one DuckDB file (``duckdb:///guanghe.duckdb``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import ibis
import pyarrow as pa
import pyarrow.compute as pc

from guanghe.config import SettingError, creatable_file, existing_file, parse_url
from guanghe.data.schema import SYSTEM_TABLES, TABLES, Table
from guanghe.data.warehouse.base import MergeResult, Warehouse, WarehouseError, Writer

_SQL_TYPES = {
    "int64": "BIGINT", "int32": "INTEGER", "string": "VARCHAR", "date32[day]": "DATE",
    "timestamp[us]": "TIMESTAMP", "bool": "BOOLEAN", "double": "DOUBLE",
}  # fmt: skip


def ddl(table: Table) -> str:
    """CREATE TABLE for a table. Data tables carry no PRIMARY KEY index: their keys are enforced by
    ``merge()`` (one anti-join per batch), which is 3x faster to load than maintaining an ART index on
    ~15 M work_daily keys. System tables keep theirs (``append()`` relies on ON CONFLICT)."""
    cols = ", ".join(
        f'"{c.name}" {_SQL_TYPES[str(c.type)]}{" NOT NULL" if c.required else ""}' for c in table.columns
    )
    key = f", PRIMARY KEY ({', '.join(table.primary_key)})" if table.name in SYSTEM_TABLES else ""
    return f'CREATE TABLE IF NOT EXISTS "{table.name}" ({cols}{key})'


class DuckDBWarehouse(Warehouse):
    def __init__(self, path: str | None) -> None:
        """Open (or create) the DuckDB file at ``path`` (``None``: in memory). URLs go through ``from_url``."""
        self.url = f"duckdb:///{path}" if path else "duckdb://"
        self.path = path
        try:
            self._raw = duckdb.connect(path or ":memory:")
        except duckdb.Error as e:
            raise WarehouseError(f"cannot open DuckDB warehouse {path!r}: {e}") from e
        for t in (*TABLES.values(), *SYSTEM_TABLES.values()):
            self._raw.execute(ddl(t))
        self._con = ibis.duckdb.from_connection(self._raw)

    @classmethod
    def from_url(cls, url: str, create: bool = False) -> DuckDBWarehouse:
        """``duckdb:///rel``, ``duckdb:////abs`` or ``duckdb://`` (memory); only ``create`` makes a new file."""
        parsed = parse_url(url, ("duckdb",), "warehouse")
        if parsed.in_memory:
            return cls(None)
        check = creatable_file if create else existing_file
        try:
            path = check(parsed, "warehouse")
        except SettingError as e:
            raise WarehouseError(str(e)) from e
        return cls(str(path))

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

    def export_parquet(self, directory: str | Path) -> Path:
        """Write every table to ``DIRECTORY/<table>/data_0.parquet`` (what ``spark:///DIRECTORY`` reads)."""
        root = Path(directory)
        for name in (*TABLES, *SYSTEM_TABLES):
            out = root / name
            out.mkdir(parents=True, exist_ok=True)
            for old in out.glob("*.parquet"):
                old.unlink()
            target = str(out / "data_0.parquet").replace("'", "''")
            self._raw.execute(f"COPY \"{name}\" TO '{target}' (FORMAT parquet, COMPRESSION zstd)")
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

    def merge(self, table: str, rows: pa.Table) -> MergeResult:
        """Insert rows with new keys; ``rows`` must have unique keys (ingestion removes repeats first).

        The conflicts come back with a ``_diff`` column: the differing columns, comma-separated.
        """
        t = TABLES[table]
        cols, key = t.names, t.primary_key
        ranges = _key_ranges(rows, key)
        on = " AND ".join([*(f'i."{k}" = t."{k}"' for k in key), *ranges])
        diff = ", ".join(f"""CASE WHEN i."{c}" IS DISTINCT FROM t."{c}" THEN '{c}' END""" for c in cols)
        self.raw.register("_incoming", rows)
        try:
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
        finally:
            self.raw.unregister("_incoming")
        same = pc.equal(matched.column("_diff"), "")
        conflicts = matched.filter(pc.invert(same))
        if "_row" in conflicts.column_names:
            conflicts = conflicts.sort_by("_row")
        duplicates = matched.num_rows - conflicts.num_rows
        return MergeResult(
            inserted=rows.num_rows - matched.num_rows, duplicates=duplicates, conflicts=conflicts
        )

    def append(self, table: str, rows: pa.Table) -> None:
        t = SYSTEM_TABLES[table]
        self.raw.register("_incoming", rows.select(t.names))
        try:
            self.raw.execute(f'INSERT INTO "{table}" SELECT * FROM _incoming ON CONFLICT DO NOTHING')
        finally:
            self.raw.unregister("_incoming")
