"""What an ingestion did: per file and per table counts, and a sample of the quarantined rows."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class FileReport:
    path: str
    table: str
    format: str
    sha256: str
    rows_read: int = 0
    loaded: int = 0
    duplicates: int = 0
    quarantined: int = 0


@dataclass
class TableSummary:
    table: str
    files: int = 0
    rows_read: int = 0
    loaded: int = 0
    duplicates: int = 0
    quarantined: int = 0


@dataclass
class QuarantineNote:
    file: str
    row: int
    field: str
    reason: str


@dataclass
class IngestReport:
    load_id: str
    warehouse: str
    files: list[FileReport] = field(default_factory=list)
    quarantine_sample: list[QuarantineNote] = field(default_factory=list)  # the first few, in load order

    def tables(self) -> dict[str, TableSummary]:
        out: dict[str, TableSummary] = {}
        for f in self.files:
            s = out.setdefault(f.table, TableSummary(f.table))
            s.files += 1
            s.rows_read += f.rows_read
            s.loaded += f.loaded
            s.duplicates += f.duplicates
            s.quarantined += f.quarantined
        return out

    def total(self, what: str) -> int:
        """Sum of one count (rows_read, loaded, duplicates, quarantined) over the files."""
        return sum(getattr(f, what) for f in self.files)

    @property
    def ok(self) -> bool:
        """Something was accepted: at least one row loaded or already present (not everything quarantined)."""
        return self.total("loaded") + self.total("duplicates") > 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "load_id": self.load_id,
            "warehouse": self.warehouse,
            "ok": self.ok,
            "totals": {k: self.total(k) for k in ("rows_read", "loaded", "duplicates", "quarantined")},
            "tables": {name: asdict(s) for name, s in self.tables().items()},
            "files": [asdict(f) for f in self.files],
            "quarantine_sample": [asdict(q) for q in self.quarantine_sample],
        }
