"""Ingestion: load Parquet, CSV and JSON Lines files into the warehouse, validated, idempotent and atomic.

``ingest(paths, warehouse)`` is the API the CLI (``guanghe ingest``) and ``guanghe demo`` call. It is
imported on first use, so that writers of data folders (``guanghe synth`` marks its ground truth with
:func:`mark_not_data`) do not pay for the warehouse engines.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from guanghe.data.ingest.discover import NOT_DATA, SourceFile, discover, mark_not_data, table_for
from guanghe.data.ingest.errors import IngestError
from guanghe.data.ingest.report import FileReport, IngestReport, TableSummary

if TYPE_CHECKING:
    from guanghe.data.ingest.load import ingest


def __getattr__(name: str) -> Any:
    if name == "ingest":
        from guanghe.data.ingest.load import ingest

        return ingest
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "NOT_DATA",
    "FileReport",
    "IngestError",
    "IngestReport",
    "SourceFile",
    "TableSummary",
    "discover",
    "ingest",
    "mark_not_data",
    "table_for",
]
