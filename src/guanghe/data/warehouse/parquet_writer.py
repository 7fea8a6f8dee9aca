"""The writer of a manifest folder (``manifest.py``): every operation stages new Parquet files and edits a
pending copy of the manifest; ``commit`` publishes it in one ``os.replace``.

The rows are built in Arrow on the process that writes (the Spark driver), reading the stored files it needs
with PyArrow: merge and append read the stored keys in the incoming key range, delete and accumulate
rewrite only the files holding matched rows. Fine for loads, plans and level runs that fit one machine's
memory; a write the size of a whole cluster's table is not what this writer is for (docs/spark.md).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from functools import reduce
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from guanghe.data.schema import SYSTEM_TABLES, TABLES, Table
from guanghe.data.warehouse import manifest
from guanghe.data.warehouse.base import (
    MergeResult,
    WarehouseError,
    Writer,
    accumulate_columns,
    declared,
    delete_filter,
    need_columns,
)


def file_schema(t: Table) -> pa.Schema:
    """What a table's files hold: the declared columns, all nullable (required ones are checked on write)."""
    return pa.schema([pa.field(c.name, c.type) for c in t.columns])


def _key_range(rows: pa.Table, key: tuple[str, ...]) -> ds.Expression | None:
    """``min <= k <= max`` of the incoming integer/date keys: row groups outside it are skipped."""
    parts = []
    for k in key:
        col = rows.column(k)
        if pa.types.is_integer(col.type) or pa.types.is_date32(col.type):
            low, high = pc.min_max(col).values()
            if low.is_valid:
                parts.append((ds.field(k) >= low) & (ds.field(k) <= high))
    return reduce(lambda a, b: a & b, parts) if parts else None


def _typed(t: Table, rows: pa.Table) -> pa.Table:
    """``rows`` with the declared columns cast to their declared types (other columns kept as they are)."""
    for i, name in enumerate(rows.column_names):
        if name in t.names and rows.schema.field(name).type != t.column(name).type:
            try:
                rows = rows.set_column(i, name, rows.column(name).cast(t.column(name).type))
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as e:
                raise WarehouseError(f"write to {t.name}: column {name}: {str(e).splitlines()[0]}") from e
    return rows


def _distinct(a: pa.ChunkedArray, b: pa.ChunkedArray) -> pa.ChunkedArray:  # (chunked: see merge)
    """SQL's ``a IS DISTINCT FROM b``."""
    nulls = pc.not_equal(pc.is_null(a), pc.is_null(b))
    return pc.fill_null(pc.not_equal(a, b), nulls)


class ParquetWriter(Writer):
    """One transaction on a manifest folder; ``commit()`` publishes it, ``rollback()`` removes its files."""

    def __init__(self, root: Path, base: manifest.Manifest) -> None:
        self.root, self.base = root, base
        self.tables = base.copy().tables
        self.staged: list[Path] = []
        self.tx = uuid.uuid4().hex[:12]
        for t in (*TABLES.values(), *SYSTEM_TABLES.values()):  # every engine stores these from the start
            if t.name not in self.tables:
                self.ensure(t)

    # -- files -------------------------------------------------------------------------------------------
    def _write(self, t: Table, rows: pa.Table) -> str:
        """Stage ``rows`` (the declared columns) as a new file of ``t``; returns its name in the manifest."""
        required = [c.name for c in t.columns if c.required and rows.column(c.name).null_count]
        if required:
            raise WarehouseError(f"write to {t.name}: null in the required column(s) {', '.join(required)}")
        try:
            rows = rows.select(t.names).cast(file_schema(t))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as e:
            raise WarehouseError(f"write to {t.name}: {str(e).splitlines()[0]}") from e
        rel = f"{t.name}/part-{self.tx}-{len(self.staged):05d}.parquet"
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        self.staged.append(path)
        pq.write_table(rows, path, compression="zstd")
        return rel

    def _files(self, t: Table) -> list[str]:
        if t.name not in self.tables:
            raise WarehouseError(f"no table {t.name!r} in {self.root}: ensure() it first")
        return self.tables[t.name]

    def _read(
        self, t: Table, files: list[str] | None = None, columns: list[str] | None = None, where: Any = None
    ) -> pa.Table:
        paths = [str(self.root / f) for f in (self._files(t) if files is None else files)]
        if not paths:
            return file_schema(t).empty_table().select(columns or t.names)
        return ds.dataset(paths, schema=file_schema(t), format="parquet").to_table(
            columns=columns, filter=where
        )

    # -- operations --------------------------------------------------------------------------------------
    def ensure(self, table: Table) -> None:
        t = declared(table)
        if t.name not in self.tables:
            self.tables[t.name] = [self._write(t, file_schema(t).empty_table())]
            return
        stored = pq.read_schema(self.root / self.tables[t.name][0]).names if self.tables[t.name] else t.names
        missing = [c for c in t.names if c not in stored]
        if missing:
            raise WarehouseError(f"stored table {t.name!r} lacks the declared column(s) {', '.join(missing)}")

    def insert(self, table: str | Table, rows: pa.Table) -> int:
        t = declared(table)
        rows = need_columns(rows, t.names, t.name, "insert into")
        if rows.num_rows:
            self._files(t).append(self._write(t, rows))
        return rows.num_rows

    def _stored_keys(self, t: Table, rows: pa.Table) -> pa.Table:
        key = list(t.primary_key)
        return self._read(t, columns=key, where=_key_range(rows, t.primary_key))

    def append(self, table: str | Table, rows: pa.Table) -> int:
        t = declared(table)
        if not t.key_index:
            raise WarehouseError(
                f"append to {t.name}: its key is not enforced by the engine (declare it with key_index=True) "
                "— use insert(), or merge() for a data table"
            )
        rows = _typed(t, need_columns(rows, t.names, t.name, "append to"))
        if not rows.num_rows:
            return 0
        key = list(t.primary_key)
        first = rows.append_column("_pos", pa.array(range(rows.num_rows), pa.int64()))
        first = first.group_by(key).aggregate([("_pos", "min")]).column("_pos_min")
        rows = rows.take(np.sort(first.to_numpy()))
        new = rows.join(self._stored_keys(t, rows), key, join_type="left anti")
        if new.num_rows:
            self._files(t).append(self._write(t, new))
        return new.num_rows

    def merge(self, table: str, rows: pa.Table) -> MergeResult:
        """Insert rows with new keys; ``rows`` must have unique keys. Conflicts carry ``_diff`` (the differing
        columns, comma-separated), as on every engine."""
        t = TABLES[table]
        key, cols = list(t.primary_key), t.names
        need_columns(rows, cols, t.name, "merge into")
        rows = _typed(t, rows)
        stored = self._read(t, where=_key_range(rows, t.primary_key))
        if stored.num_rows:
            renamed = stored.rename_columns([c if c in key else f"{c}__stored" for c in stored.column_names])
            matched = rows.join(renamed, key, join_type="inner")
            new = rows.join(stored.select(key), key, join_type="left anti")
        else:
            matched, new = rows.slice(0, 0), rows
        names = [c for c in cols if c not in key]
        differs = np.zeros((matched.num_rows, len(names)), bool)
        for j, c in enumerate(names if matched.num_rows else []):
            differs[:, j] = _distinct(matched.column(c), matched.column(f"{c}__stored")).to_numpy()
        diff_text = [""] * matched.num_rows  # only conflicting rows get their columns spelled out
        for i in np.flatnonzero(differs.any(axis=1)):
            diff_text[i] = ",".join(c for c, d in zip(names, differs[i], strict=True) if d)
        diff = pa.array(diff_text, pa.string())
        matched = matched.select(rows.column_names).append_column("_diff", diff)
        conflicts = matched.filter(pc.not_equal(matched.column("_diff"), ""))
        if "_row" in conflicts.column_names:
            conflicts = conflicts.sort_by("_row")
        if new.num_rows:
            self._files(t).append(self._write(t, new))
        return MergeResult(
            inserted=new.num_rows, duplicates=matched.num_rows - conflicts.num_rows, conflicts=conflicts
        )

    def delete(self, table: str | Table, **equals: Any) -> int:
        t = declared(table)
        delete_filter(t, equals)
        where = reduce(
            lambda a, b: a & b,
            (ds.field(c).is_null() if v is None else ds.field(c) == v for c, v in equals.items()),
        )
        deleted, kept = 0, []
        for f in self._files(t):
            hit = self._read(t, [f], columns=list(t.primary_key), where=where).num_rows
            if not hit:
                kept.append(f)
                continue
            deleted += hit
            rest = self._read(t, [f], where=~where | where.is_null())
            if rest.num_rows:
                kept.append(self._write(t, rest))
        self.tables[t.name] = kept or [self._write(t, file_schema(t).empty_table())]
        return deleted

    def accumulate(
        self,
        table: str | Table,
        rows: pa.Table,
        add: tuple[str, ...],
        defaults: Mapping[str, Any] | None = None,
    ) -> None:
        t = declared(table)
        key, defaults = list(t.primary_key), dict(defaults or {})
        accumulate_columns(t, add, defaults)
        rows = _typed(t, need_columns(rows, [*key, *add], t.name, "accumulate into"))
        if not rows.num_rows:
            return
        summed = rows.group_by(key).aggregate([(a, "sum") for a in add])
        names = {f"{a}_sum": f"{a}__add" for a in add}
        summed = summed.rename_columns([names.get(n, n) for n in summed.column_names])
        where, kept, matched = _key_range(summed, t.primary_key), [], []
        for f in self._files(t):
            keys = self._read(t, [f], columns=key, where=where)
            hits = keys.join(summed.select(key), key, join_type="inner") if keys.num_rows else keys
            if not hits.num_rows:
                kept.append(f)
                continue
            matched.append(hits)
            stored = self._read(t, [f]).join(summed, key, join_type="left outer")
            for a in add:
                more = stored.column(f"{a}__add")
                total = pc.add(pc.fill_null(stored.column(a), 0), pc.fill_null(more, 0))
                summed_in = pc.if_else(pc.is_valid(more), total, stored.column(a))
                stored = stored.set_column(stored.column_names.index(a), a, summed_in)
            kept.append(self._write(t, stored))
        self.tables[t.name] = kept
        new = summed.join(pa.concat_tables(matched), key, join_type="left anti") if matched else summed
        if new.num_rows:
            cols: dict[str, pa.Array] = {}
            for c in t.columns:
                if c.name in key:
                    cols[c.name] = new.column(c.name)
                elif c.name in add:
                    cols[c.name] = new.column(f"{c.name}__add")
                else:
                    cols[c.name] = pa.array([defaults.get(c.name)] * new.num_rows, c.type)
            self.tables[t.name].append(self._write(t, pa.table(cols)))

    # -- the transaction ---------------------------------------------------------------------------------
    def commit(self) -> manifest.Manifest:
        if self.tables == self.base.tables:  # nothing written: nothing to publish
            return self.base
        return manifest.commit(self.root, self.base.version, self.tables)

    def rollback(self) -> None:
        for p in self.staged:
            p.unlink(missing_ok=True)
        self.staged.clear()
