"""Find the files to load and the table each one feeds.

A file's table is its parent folder's name if that names a table (``data/work_daily/2023-01.parquet``),
else the longest table name its file name starts with (``work_daily_2023.csv``), else ``--table``.
A folder holding a ``.guanghe-not-data`` file (``guanghe synth`` marks its ``truth/`` folder so) is skipped.

>>> table_for(Path("data/work_daily/2023-01.parquet"))
'work_daily'
>>> table_for(Path("exports/creator_daily_2023.csv"))
'creator_daily'
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from guanghe.data.ingest.errors import IngestError
from guanghe.data.schema import TABLES

log = logging.getLogger(__name__)

NOT_DATA = ".guanghe-not-data"  # a folder holding this file is never searched for data files
FORMATS = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}


@dataclass(frozen=True)
class SourceFile:
    path: Path
    table: str
    format: str  # parquet, csv or jsonl


def table_for(path: Path, fallback: str | None = None) -> str | None:
    """The table a file feeds, or None when neither its folder, its name nor ``fallback`` tells."""
    if path.parent.name in TABLES:
        return path.parent.name
    prefixes = [name for name in TABLES if path.name.startswith(name)]
    if prefixes:
        return max(prefixes, key=len)
    return fallback


def mark_not_data(folder: Path, why: str) -> None:
    """Mark a folder (e.g. a synthetic platform's ground truth) so that ingestion never loads it."""
    (Path(folder) / NOT_DATA).write_text(why + "\n")


def _files_under(folder: Path) -> list[Path]:
    skipped = sorted(m.parent for m in folder.rglob(NOT_DATA) if m.is_file())
    for s in skipped:
        log.info("skipping %s: it holds %s (not data)", s, NOT_DATA)
    return [
        p for p in folder.rglob("*")
        if p.is_file() and p.suffix.lower() in FORMATS
        and not any(part.startswith(".") for part in p.relative_to(folder).parts)
        and not any(s == p.parent or s in p.parents for s in skipped)
    ]  # fmt: skip


def discover(paths: Iterable[str | Path], table: str | None = None) -> list[SourceFile]:
    """Every data file under ``paths`` with its table, referenced tables first, then by path."""
    if table is not None and table not in TABLES:
        raise IngestError(f"unknown table {table!r} for --table: expected one of {', '.join(TABLES)}")
    found: dict[Path, Path] = {}
    for given in map(Path, paths):
        if given.is_dir():
            if (given / NOT_DATA).is_file():
                why = (given / NOT_DATA).read_text(errors="replace").strip()
                raise IngestError(f"{given}: this folder is marked as not data by its {NOT_DATA} file: {why}")
            for p in _files_under(given):
                found.setdefault(p.resolve(), p)
        elif given.is_file():
            if given.suffix.lower() not in FORMATS:
                raise IngestError(
                    f"{given}: unsupported file type {given.suffix!r}: expected {', '.join(sorted(FORMATS))}"
                )
            found.setdefault(given.resolve(), given)
        else:
            raise IngestError(f"{given}: no such file or directory")
    sources = []
    for p in found.values():
        name = table_for(p, table)
        if name is None:
            raise IngestError(
                f"{p}: cannot tell which table this file feeds: put it in a folder named after the table, "
                f"start its name with the table name, or pass --table (tables: {', '.join(TABLES)})"
            )
        sources.append(SourceFile(p, name, FORMATS[p.suffix.lower()]))
    return sorted(sources, key=lambda s: (TABLES[s.table].load_order, s.table, str(s.path)))
