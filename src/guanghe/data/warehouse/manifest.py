"""A folder of Parquet tables whose state is one manifest file, replaced atomically.

``DIR/_manifest.json`` lists, per table, the Parquet files (relative to DIR) that make its current rows::

    {"format": "guanghe-parquet-tables", "version": 7, "tables": {"works": ["works/part-….parquet", …], …}}

Files are never changed once written: a writer stages new files beside the old ones, then commits by writing a
new manifest to a temporary name and ``os.replace``-ing it over the old one (atomic on POSIX), under an
exclusive lock on ``DIR/_manifest.lock`` and only if the version is still the one it started from. A killed
writer leaves only files no manifest names (readers never see them); a reader sees the old manifest or the
new one, never a mix. A folder without a manifest but with ``DIR/<table>/*.parquet`` (what
``DuckDBWarehouse.export_parquet`` writes) reads as version 0; the first commit writes its manifest.
"""

from __future__ import annotations

import fcntl
import json
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from guanghe.data.warehouse.base import WarehouseError

MANIFEST = "_manifest.json"
LOCK = "_manifest.lock"
FORMAT = "guanghe-parquet-tables"


@dataclass
class Manifest:
    """One committed state: per table, its files relative to the folder."""

    version: int
    tables: dict[str, list[str]] = field(default_factory=dict)

    def copy(self) -> Manifest:
        return Manifest(self.version, {t: list(f) for t, f in self.tables.items()})


def read_manifest(root: Path) -> Manifest | None:
    """The folder's committed manifest; None when it has none (a legacy export or no store)."""
    try:
        doc = json.loads((root / MANIFEST).read_text())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as e:
        raise WarehouseError(f"cannot read {root / MANIFEST}: {e}") from e
    if doc.get("format") != FORMAT:
        raise WarehouseError(f"{root / MANIFEST} is not a {FORMAT} manifest")
    return Manifest(int(doc["version"]), {t: list(f) for t, f in doc["tables"].items()})


def legacy_manifest(root: Path) -> Manifest:
    """Version 0 of a folder written by ``export_parquet``: every ``<table>/*.parquet``."""
    tables = {}
    for d in sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []:
        files = sorted(f"{d.name}/{f.name}" for f in d.glob("*.parquet"))
        if files:
            tables[d.name] = files
    return Manifest(0, tables)


def current(root: Path) -> Manifest:
    """The committed state: the manifest, else the legacy layout."""
    return read_manifest(root) or legacy_manifest(root)


@contextmanager
def _locked(root: Path) -> Iterator[None]:
    with open(root / LOCK, "a+") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def commit(root: Path, base: int, tables: dict[str, list[str]]) -> Manifest:
    """Publish ``tables`` as version ``base + 1``; WarehouseError (nothing published) if another writer
    committed since ``base`` was read."""
    new = Manifest(base + 1, tables)
    tmp = root / f"{MANIFEST}.{uuid.uuid4().hex}.tmp"
    body = json.dumps(
        {"format": FORMAT, "version": new.version, "tables": new.tables}, indent=1, sort_keys=True
    )
    with open(tmp, "w") as f:
        f.write(body)
        f.flush()
        os.fsync(f.fileno())
    try:
        with _locked(root):
            now = current(root).version
            if now != base:
                raise WarehouseError(
                    f"{root}: another writer committed version {now} while this one wrote on version {base}; "
                    "nothing of this write was published: run it again"
                )
            os.replace(tmp, root / MANIFEST)
            fd = os.open(root, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
    finally:
        tmp.unlink(missing_ok=True)
    return new
