"""The warehouse interface: Ibis tables to read, an atomic batch to write.

Tables are named by their declaration (:class:`guanghe.data.schema.Table`): the data and system tables of
``data.schema`` by name, and tables another room owns (``allocate.store``'s plan tables, ``serve.flush``'s
delivery tables) by passing that room's declaration. Readers build Ibis expressions on ``table()`` and run
them with ``fetch()``; writers call the operations of :class:`Writer`. No caller writes SQL or asks which
engine it runs on.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Hashable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, ClassVar

import ibis
import pyarrow as pa

from guanghe.data.schema import SYSTEM_TABLES, TABLES, Table


class WarehouseError(Exception):
    """A warehouse could not be opened, read or written."""


class WarehouseMissing(WarehouseError):
    """A read named a warehouse that does not exist (a read never creates one)."""


def declared(table: str | Table) -> Table:
    """The declaration of a table: a name of ``data.schema`` (data or system table), or a declaration
    another room owns (which must not reuse one of those names)."""
    if isinstance(table, Table):
        known = TABLES.get(table.name) or SYSTEM_TABLES.get(table.name)
        if known is not None and known != table:
            raise WarehouseError(
                f"table {table.name!r} is declared in guanghe.data.schema; use that declaration"
            )
        return table
    found = TABLES.get(table) or SYSTEM_TABLES.get(table)
    if found is None:
        raise WarehouseError(
            f"unknown table {table!r}: name a table of guanghe.data.schema or pass its owner's declaration"
        )
    return found


@dataclass
class MergeResult:
    """Outcome of merging rows into a table by primary key."""

    inserted: int
    duplicates: int  # identical to a row already present: skipped
    conflicts: pa.Table  # same key, different values: the incoming rows (with their `_row` column)


@dataclass(frozen=True)
class Capabilities:
    """What an engine guarantees, declared as data: tests skip by capability and docs list them; core logic
    never branches on them (every engine implements the whole contract)."""

    atomic_commit: bool  # a writer's changes appear together or not at all, also when the process is killed
    concurrent_writers: bool  # two open writers interleave, conflicting only on the same keys (else: the
    # second to commit after another's commit fails whole and is retried by the caller)
    key_enforcement: bool  # append() never records a key twice, even from two transactions
    in_memory: bool  # a store that lives in memory only (``scheme://``)
    distributed: bool  # reads run on a cluster (the writer's operations may still build rows on one driver)


def accumulate_columns(
    t: Table, add: tuple[str, ...], defaults: Mapping[str, Any]
) -> tuple[list[str], list[str]]:
    """Check ``accumulate``'s arguments against a declaration; returns (the non-key, non-added columns,
    the ones of those a new row takes from ``defaults``). Shared by every engine's writer."""
    key = t.primary_key
    wrong = [c for c in (*add, *defaults) if c not in t.names or c in key]
    if wrong or not add or set(add) & set(defaults):
        raise WarehouseError(
            f"accumulate into {t.name}: add and defaults name its non-key columns, each once "
            f"(key {', '.join(key)}); got add={add}, defaults={tuple(defaults)}"
        )
    rest = [c for c in t.names if c not in key and c not in add]
    undefaulted = [c for c in rest if c not in defaults and t.column(c).required]
    if undefaulted:
        raise WarehouseError(
            f"accumulate into {t.name}: new rows need a default for {', '.join(undefaulted)}"
        )
    return rest, [c for c in rest if c in defaults]


def delete_filter(t: Table, equals: Mapping[str, Any]) -> None:
    """Refuse a ``delete`` without conditions or naming columns the table lacks."""
    unknown = [c for c in equals if c not in t.names]
    if unknown or not equals:
        raise WarehouseError(
            f"delete from {t.name}: expected column=value conditions on its columns "
            f"({', '.join(t.names)}), got {', '.join(unknown) or 'none'}"
        )


def need_columns(rows: pa.Table, names: list[str], table: str, what: str) -> pa.Table:
    """``rows`` reduced to ``names``; WarehouseError naming the missing ones."""
    missing = [c for c in names if c not in rows.column_names]
    if missing:
        raise WarehouseError(f"{what} {table}: the rows lack the column(s) {', '.join(missing)}")
    return rows.select(names)


class Writer(ABC):
    """One atomic load: everything written through it appears together or not at all. ``table`` is a
    name of ``data.schema`` or a declaration (see :func:`declared`); rows are Arrow tables holding (at
    least) the columns an operation needs, by name."""

    @abstractmethod
    def merge(self, table: str, rows: pa.Table) -> MergeResult:
        """Insert rows whose key is new; report duplicates and key conflicts (``rows`` has a ``_row`` column)."""

    @abstractmethod
    def ensure(self, table: Table) -> None:
        """Create a declared table if it is not stored yet (a stored one must have the declared columns)."""

    @abstractmethod
    def insert(self, table: str | Table, rows: pa.Table) -> int:
        """Insert every row (all declared columns); returns the rows written."""

    @abstractmethod
    def append(self, table: str | Table, rows: pa.Table) -> int:
        """Insert the rows whose primary key is not stored yet, skipping the others; returns how many were
        new. The table must be declared with ``key_index=True``: the engine enforces the key, so two
        transactions appending the same key never both succeed (a batch id recorded once, atomically)."""

    @abstractmethod
    def delete(self, table: str | Table, **equals: Any) -> int:
        """Delete the rows whose columns equal the given values (at least one; ``plan_id="p1"``); returns
        how many were deleted."""

    @abstractmethod
    def accumulate(
        self,
        table: str | Table,
        rows: pa.Table,
        add: tuple[str, ...],
        defaults: Mapping[str, Any] | None = None,
    ) -> None:
        """Add the ``add`` columns of ``rows`` to the stored row with the same primary key, or insert the row
        where the key is new, other columns taken from ``defaults`` (a nullable column may be left out).
        Rows repeating a key are summed first."""


class Warehouse(ABC):
    """Where the platform's tables live. Readers get Ibis tables and never ask which engine it is."""

    url: str
    read_only: bool = False
    capabilities: ClassVar[Capabilities]
    engine_errors: tuple[type[Exception], ...] = ()  # what the engine raises when a read fails

    @classmethod
    @abstractmethod
    def from_url(cls, url: str, create: bool = False, read_only: bool = False) -> Warehouse:
        """Open the store a URL names; a missing store is an error unless ``create``. ``read_only`` runs
        no DDL, takes no writer lock (another process may be writing) and refuses ``writer()``."""

    @classmethod
    def stamp(cls, url: str) -> Hashable | None:
        """The identity of the committed state of the store a URL names, read WITHOUT opening it (a stat of
        its files, not a connection): any committed write changes it, so a cache keyed by it never serves a
        read older than the last write. None when the engine cannot tell cheaply (or the store is in
        memory): callers then neither cache nor skip a reload. Engines override it (DuckDB: its file and
        write-ahead log)."""
        return None

    @property
    @abstractmethod
    def con(self) -> ibis.BaseBackend:
        """The Ibis backend."""

    @abstractmethod
    def has(self, table: str | Table) -> bool:
        """Whether the table is stored (a read-only warehouse may lack tables nobody has written yet)."""

    def table(self, table: str | Table) -> ibis.Table:
        """The stored table as an Ibis table; WarehouseError if it is not stored or lacks declared columns."""
        decl = declared(table)
        if not self.has(decl):
            raise WarehouseError(f"no table {decl.name!r} in {self.url}")
        return self.with_declared_columns(decl, self.con.table(decl.name))

    def with_declared_columns(self, decl: Table, t: ibis.Table) -> ibis.Table:
        """``t``, checked to hold every column ``decl`` declares (WarehouseError naming the missing ones)."""
        missing = [c for c in decl.names if c not in t.columns]
        if missing:
            raise WarehouseError(
                f"table {decl.name!r} in {self.url} lacks the column(s) {', '.join(missing)}"
            )
        return t

    def tables(self) -> dict[str, ibis.Table]:
        """Every data table, by name: what the metric catalog takes."""
        return {name: self.con.table(name) for name in TABLES}

    def fetch(self, expr: ibis.Table) -> pa.Table:
        """Run an Ibis table expression built on ``table()`` into Arrow; a failure of the engine (the store
        replaced or unreadable meanwhile) is a WarehouseError."""
        try:
            return expr.to_pyarrow()
        except self.engine_errors as e:
            raise WarehouseError(f"cannot read {self.url}: {str(e).splitlines()[0]}") from e

    def keys(self, table: str, column: str) -> pa.Array:
        """Distinct values of ``column`` already stored in ``table``."""
        return self.table(table).select(column).distinct().to_pyarrow().column(0).combine_chunks()

    def count(self, table: str) -> int:
        return int(self.table(table).count().execute())

    @contextmanager
    @abstractmethod
    def writer(self) -> Iterator[Writer]:
        """An atomic load; on an exception nothing written through it remains. A read-only warehouse
        (or engine) refuses with a WarehouseError."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections."""

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
