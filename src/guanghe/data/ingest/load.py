"""Load files into the warehouse in one transaction: read, validate, check keys, merge, quarantine."""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pyarrow as pa

from guanghe.config import SettingError, parse_url
from guanghe.data.ingest.discover import SourceFile, discover
from guanghe.data.ingest.errors import IngestError
from guanghe.data.ingest.keys import find_rows, missing_references, repeats
from guanghe.data.ingest.readers import RawRows, check_header, read_file
from guanghe.data.ingest.report import FileReport, IngestReport, QuarantineNote
from guanghe.data.ingest.validate import Checked, Issue, py_values, validate
from guanghe.data.schema import QUARANTINE, TABLES
from guanghe.data.warehouse import ENGINES, Warehouse, WarehouseError, open_warehouse
from guanghe.data.warehouse.base import Writer

log = logging.getLogger(__name__)

OnFile = Callable[[FileReport, int, int], None]  # (the file's report, files done, files in all)
SAMPLE = 200


def ingest(
    paths: Iterable[str | Path],
    warehouse: Warehouse | str,
    table: str | None = None,
    on_file: OnFile | None = None,
) -> IngestReport:
    """Load every file under ``paths`` in one transaction; an unreadable file raises :class:`IngestError`.

    Given a URL, the warehouse is opened (created if need be) only once every file's header passed its
    check, and a warehouse file this call created is removed again when the load fails: a failed load
    leaves nothing behind."""
    fresh = _fresh_file(warehouse) if isinstance(warehouse, str) else None
    sources = discover(paths, table)
    for src in sources:
        check_header(src)
    if not isinstance(warehouse, str):
        return _load(warehouse, sources, on_file)
    if not sources:  # nothing to load, nothing to record: no warehouse is opened (or created)
        return IngestReport(_load_id(datetime.now(UTC)), warehouse)
    wh = None
    try:
        wh = open_warehouse(warehouse, create=True)
        return _load(wh, sources, on_file)
    except BaseException:
        if wh is not None:
            wh.close()
            wh = None
        if fresh is not None and fresh.is_dir():  # a folder store (spark://) this load created
            shutil.rmtree(fresh, ignore_errors=True)
            log.info("load failed: removed %s, which it had created", fresh)
        elif fresh is not None:  # the file, and the write-ahead log an engine may keep beside it
            for leftover in (fresh, fresh.with_name(fresh.name + ".wal")):
                leftover.unlink(missing_ok=True)
            log.info("load failed: removed %s, which it had created", fresh)
        raise
    finally:
        if wh is not None:
            wh.close()


def _fresh_file(url: str) -> Path | None:
    """The file (or folder) a warehouse URL names when it does not exist yet (so this load creates it)."""
    try:
        parsed = parse_url(url, tuple(ENGINES), "warehouse")
    except SettingError as e:
        raise WarehouseError(str(e)) from e
    if parsed.path is None or Path(parsed.path).exists():
        return None
    return Path(parsed.path)


def _load_id(now: datetime) -> str:
    return f"{now:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"


def _load(wh: Warehouse, sources: list[SourceFile], on_file: OnFile | None) -> IngestReport:
    now = datetime.now(UTC)
    report = IngestReport(_load_id(now), wh.url)
    at = now.replace(tzinfo=None)  # plausible dates and timestamps are bounded by the load's start
    # The next file is read and validated in a second thread while this one is merged.
    with wh.writer() as writer, ThreadPoolExecutor(max_workers=1) as pool:
        run = _Run(wh, writer, report)
        ahead = pool.submit(_prepare, sources[0], at) if sources else None
        for n, src in enumerate(sources, 1):
            prepared = ahead.result()
            ahead = pool.submit(_prepare, sources[n], at) if n < len(sources) else None
            report.files.append(run.load(src, prepared))
            del prepared
            if on_file is not None:
                on_file(report.files[-1], n, len(sources))
        writer.append("loads", _loads_rows(report, datetime.now(UTC).replace(tzinfo=None)))
    log.info(
        "load %s committed: %d files, %d rows loaded, %d duplicates, %d quarantined", report.load_id,
        len(report.files), report.total("loaded"), report.total("duplicates"), report.total("quarantined"),
    )  # fmt: skip
    return report


class _Prepared(NamedTuple):
    sha256: str
    raw: RawRows
    checked: Checked


def _prepare(src: SourceFile, now: datetime) -> _Prepared:
    """Read, hash and validate one file: everything that does not need the warehouse."""
    try:
        data = src.path.read_bytes()
    except OSError as e:
        raise IngestError(f"{src.path}: cannot read the file: {e}") from e
    sha = hashlib.sha256(data).hexdigest()
    raw = read_file(src, data)
    del data
    try:
        return _Prepared(sha, raw, validate(TABLES[src.table], raw.data, now))
    except IngestError as e:
        raise IngestError(f"{src.path}: {e}") from e


def _loads_rows(report: IngestReport, at: datetime) -> pa.Table:
    f = report.files
    return pa.table({
        "load_id": [report.load_id] * len(f), "loaded_at": pa.array([at] * len(f), pa.timestamp("us")),
        "file": [x.path for x in f], "file_sha256": [x.sha256 for x in f], "table_name": [x.table for x in f],
        "rows_read": pa.array([x.rows_read for x in f], pa.int64()),
        "rows_loaded": pa.array([x.loaded for x in f], pa.int64()),
        "rows_duplicate": pa.array([x.duplicates for x in f], pa.int64()),
        "rows_quarantined": pa.array([x.quarantined for x in f], pa.int64()),
    })  # fmt: skip


def _key_text(row: dict, key: tuple[str, ...]) -> str:
    return ", ".join(f"{k}={row[k]}" for k in key)


class _Run:
    """State of one invocation: referenced keys, rows loaded so far per table, quarantine keys written."""

    def __init__(self, wh: Warehouse, writer: Writer, report: IngestReport) -> None:
        self.wh, self.writer, self.report = wh, writer, report
        self.keys: dict[str, pa.Array] = {}  # "table.column" -> values present (warehouse + this load)
        self.loaded: dict[str, list[tuple[str, pa.Table]]] = {}  # table -> [(file label, key columns + _row)]
        self.quarantined: set[tuple[str, int, str]] = set()

    def _ref_keys(self, ref: str) -> pa.Array:
        if ref not in self.keys:
            self.keys[ref] = self.wh.keys(*ref.split("."))
        return self.keys[ref]

    def load(self, src: SourceFile, prepared: _Prepared) -> FileReport:
        """Check references and keys of a read and validated file, merge it, write its quarantine."""
        sha, raw, checked = prepared
        t = TABLES[src.table]
        issues, rows = list(checked.issues), checked.rows
        unit = "row" if src.format == "parquet" else "line"

        drop: set[int] = set()  # positions in ``rows``
        for col in t.columns:
            if col.references and rows.num_rows:
                pos = missing_references(rows.column(col.name), self._ref_keys(col.references))
                idx = rows.column("_i").take(pa.array(pos)).to_pylist()
                got = rows.column(col.name).take(pa.array(pos)).to_pylist()
                issues += [
                    Issue(
                        i,
                        col.name,
                        f"expected a {col.references} present in this load or the warehouse, got '{v}'",
                    )
                    for i, v in zip(idx, got, strict=True)
                ]
                drop.update(pos.tolist())

        rows = _without(rows, drop)
        rep = repeats(rows, t.primary_key, t.names)
        same_file_dups = 0
        for p, first, diff in zip(*(rep.column(c).to_pylist() for c in ("p", "first", "diff")), strict=True):
            if not diff:
                same_file_dups += 1
                continue
            i, first_row = rows.column("_i")[p].as_py(), int(raw.rows[rows.column("_i")[first].as_py()])
            key = _key_text(rows.slice(p, 1).to_pylist()[0], t.primary_key)
            issues.append(
                Issue(
                    i,
                    diff,
                    f"conflict: {key} appeared before at {unit} {first_row} of this file "
                    f"with different {diff.replace(',', ', ')}; the first occurrence is kept",
                )
            )
        rows = _without(rows, set(rep.column("p").to_pylist()))

        rows = rows.append_column("_row", pa.array(raw.rows[rows.column("_i").to_numpy()], pa.int64()))
        result = self.writer.merge(src.table, rows)
        issues += self._conflicts(src, t.primary_key, result.conflicts, raw)
        self.keys = {ref: v for ref, v in self.keys.items() if not ref.startswith(src.table + ".")}
        loaded_keys = rows.select([*t.primary_key, "_row"])
        if result.conflicts.num_rows:
            bad_rows = set(result.conflicts.column("_row").to_pylist())
            loaded_keys = loaded_keys.filter(
                pa.array([r not in bad_rows for r in loaded_keys["_row"].to_pylist()])
            )
        self.loaded.setdefault(src.table, []).append((f"{src.path} {unit}", loaded_keys))

        quarantined = self._quarantine(src, sha, raw, issues)
        report = FileReport(str(src.path), src.table, src.format, sha, raw.rows_read, result.inserted,
                            result.duplicates + same_file_dups, quarantined)  # fmt: skip
        assert report.loaded + report.duplicates + report.quarantined == report.rows_read, report
        return report

    def _conflicts(
        self, src: SourceFile, key: tuple[str, ...], conflicts: pa.Table, raw: RawRows
    ) -> list[Issue]:
        """Issues for rows whose key is already stored with other values, naming where that row came from."""
        if not conflicts.num_rows:
            return []
        origin: dict[int, str] = {}
        wanted = conflicts.select([*key, "_row"])
        for label, seen in self.loaded.get(src.table, []):
            for row, at in find_rows(wanted, key, seen).items():
                origin.setdefault(row, f"{label} {at}")
        issues = []
        for c in conflicts.to_pylist():
            diff = c.get("_diff") or ""
            where = origin.get(c["_row"], "an earlier load")
            issues.append(Issue(int(np.searchsorted(raw.rows, c["_row"])), diff or "",
                                f"conflict: {_key_text(c, key)} is already loaded with different "
                                f"{diff.replace(',', ', ') or 'values'} (existing row from {where}); "
                                "the existing row is kept"))  # fmt: skip
        return issues

    def _quarantine(self, src: SourceFile, sha: str, raw: RawRows, issues: list[Issue]) -> int:
        """Write the quarantine records (once per file hash, row, field); return how many rows."""
        idx = sorted({i.index for i in issues})
        raw_json = dict(zip(idx, _raw_json(raw, idx), strict=True))
        records = [(int(raw.rows[i.index]), i.field, i.reason, raw_json[i.index]) for i in issues]
        records += [(b.row, b.field, b.reason, b.raw) for b in raw.bad]
        records.sort(key=lambda r: r[0])
        fresh = []
        for row, fld, reason, js in records:
            if (sha, row, fld) not in self.quarantined:
                self.quarantined.add((sha, row, fld))
                fresh.append((row, fld, reason, js))
                if len(self.report.quarantine_sample) < SAMPLE:
                    self.report.quarantine_sample.append(QuarantineNote(str(src.path), row, fld, reason))
        if fresh:
            cols = list(zip(*fresh, strict=True))
            n = len(fresh)
            self.writer.append(QUARANTINE.name, pa.table({
                "load_id": [self.report.load_id] * n, "table_name": [src.table] * n,
                "file": [str(src.path)] * n, "file_sha256": [sha] * n,
                "row_number": pa.array(cols[0], pa.int64()), "field": list(cols[1]),
                "reason": list(cols[2]), "raw": list(cols[3]),
            }))  # fmt: skip
        return len(idx) + len(raw.bad)


def _without(rows: pa.Table, positions: set[int]) -> pa.Table:
    if not positions:
        return rows
    keep = np.ones(rows.num_rows, dtype=bool)
    keep[list(positions)] = False
    return rows.filter(pa.array(keep))


def _raw_json(raw: RawRows, idx: list[int]) -> list[str]:
    """The rows at ``idx`` as JSON text: the original line for JSON Lines, else the values as read."""
    if not idx:
        return []
    if raw.source_json is not None:
        return raw.source_json.take(pa.array(idx, pa.int64())).to_pylist()
    taken = raw.data.take(pa.array(idx, pa.int64()))
    columns = {name: py_values(taken.column(name)) for name in taken.column_names}
    rows = [dict(zip(columns, values, strict=True)) for values in zip(*columns.values(), strict=True)]
    return [json.dumps(r, default=str, ensure_ascii=False) for r in rows]
