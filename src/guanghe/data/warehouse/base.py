"""The warehouse interface: Ibis tables to read, an atomic batch to write."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import ibis
import pyarrow as pa

from guanghe.data.schema import SYSTEM_TABLES, TABLES


class WarehouseError(Exception):
    """A warehouse could not be opened, read or written."""


@dataclass
class MergeResult:
    """Outcome of merging rows into a table by primary key."""

    inserted: int
    duplicates: int  # identical to a row already present: skipped
    conflicts: pa.Table  # same key, different values: the incoming rows (with their `_row` column)


class Writer(ABC):
    """One atomic load: everything written through it appears together or not at all."""

    @abstractmethod
    def merge(self, table: str, rows: pa.Table) -> MergeResult:
        """Insert rows whose key is new; report duplicates and key conflicts (``rows`` has a ``_row`` column)."""

    @abstractmethod
    def append(self, table: str, rows: pa.Table) -> None:
        """Append rows to a system table (quarantine, loads), skipping keys already present."""


class Warehouse(ABC):
    """Where the platform's tables live. Readers get Ibis tables and never ask which engine it is."""

    url: str

    @classmethod
    @abstractmethod
    def from_url(cls, url: str, create: bool = False) -> Warehouse:
        """Open the store a URL names; a missing store is an error unless ``create``."""

    @property
    @abstractmethod
    def con(self) -> ibis.BaseBackend:
        """The Ibis backend."""

    def table(self, name: str) -> ibis.Table:
        if name not in TABLES and name not in SYSTEM_TABLES:
            raise WarehouseError(f"unknown table {name!r}")
        return self.con.table(name)

    def tables(self) -> dict[str, ibis.Table]:
        """Every data table, by name: what the metric catalog takes."""
        return {name: self.table(name) for name in TABLES}

    def keys(self, table: str, column: str) -> pa.Array:
        """Distinct values of ``column`` already stored in ``table``."""
        return self.table(table).select(column).distinct().to_pyarrow().column(0).combine_chunks()

    def count(self, table: str) -> int:
        return int(self.table(table).count().execute())

    @contextmanager
    @abstractmethod
    def writer(self) -> Iterator[Writer]:
        """An atomic load; on an exception nothing written through it remains."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections."""
