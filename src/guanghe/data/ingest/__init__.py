"""Ingestion: load Parquet, CSV and JSON Lines files into the warehouse, validated, idempotent and atomic.

``ingest(paths, warehouse)`` is the API the CLI (``guanghe ingest``) and ``guanghe demo`` call.
"""

from guanghe.data.ingest.discover import SourceFile, discover, table_for
from guanghe.data.ingest.errors import IngestError
from guanghe.data.ingest.load import ingest
from guanghe.data.ingest.report import FileReport, IngestReport, TableSummary

__all__ = [
    "FileReport",
    "IngestError",
    "IngestReport",
    "SourceFile",
    "TableSummary",
    "discover",
    "ingest",
    "table_for",
]
