"""Read one CSV, JSON Lines or Parquet file into an Arrow table plus each row's line (or row) number.

CSV and JSON Lines come back as text columns (validation parses them); Parquet keeps its types. Rows that
cannot even be split into fields (wrong field count, invalid JSON) come back as :class:`BadRow`. A file that
cannot be read at all, or whose columns do not fit its table, raises :class:`IngestError` naming the file.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

from guanghe.data.ingest.discover import SourceFile
from guanghe.data.ingest.errors import IngestError
from guanghe.data.ingest.validate import type_problems
from guanghe.data.schema import TABLES
from guanghe.data.warehouse.scratch import ScratchError, scratch

MAX_BLOCK = 2**31 - 1  # Arrow's CSV block size is an int32: the longest record it can read


@dataclass
class BadRow:
    row: int  # line number (CSV, JSON Lines)
    reason: str
    raw: str  # JSON text
    field: str = ""  # '' for a row that cannot be split into fields


@dataclass
class RawRows:
    data: pa.Table  # the file's columns: text for CSV / JSON Lines, typed for Parquet
    rows: np.ndarray  # int64 line (or row) number of each data row, ascending
    bad: list[BadRow] = field(default_factory=list)
    source_json: pa.Array | None = None  # each data row as its original JSON text (JSON Lines)

    @property
    def rows_read(self) -> int:
        return self.data.num_rows + len(self.bad)


def check_columns(src: SourceFile, names: Iterable[str]) -> None:
    """Reject a file with unknown or duplicated columns, or without a required column."""
    names = list(names)
    table = TABLES[src.table]
    dupes = sorted({n for n in names if names.count(n) > 1})
    unknown = [n for n in names if n not in table.names]
    missing = [c.name for c in table.columns if c.required and c.name not in names]
    problems = []
    if dupes:
        problems.append(f"duplicated column(s) {', '.join(dupes)}")
    if unknown:
        problems.append(f"unknown column(s) {', '.join(unknown)}")
    if missing:
        problems.append(f"missing required column(s) {', '.join(missing)}")
    if problems:
        expected = ", ".join(table.names)
        raise IngestError(
            f"{src.path}: {'; '.join(problems)} for table {src.table} (expected columns: {expected})"
        )


def _parquet_columns(names: list[str]) -> list[str]:
    return [n for n in names if not n.startswith("__index_level_")]  # pandas index columns


def check_types(src: SourceFile, schema: pa.Schema) -> None:
    """Reject a typed (Parquet) file with a column whose type is not read as its table's type."""
    problems = type_problems(TABLES[src.table], schema)
    if problems:
        raise IngestError(f"{src.path}: {'; '.join(problems)}")


def check_header(src: SourceFile) -> None:
    """Cheap up-front check of a file's columns (CSV header, Parquet schema) before anything is loaded."""
    try:
        if src.format == "parquet":
            schema = pq.read_schema(src.path)
            check_columns(src, _parquet_columns(schema.names))
            check_types(src, schema)
        elif src.format == "csv":
            with open(src.path, "rb") as f:
                check_columns(src, [n.strip() for n in _csv_header(src, f.readline())])
    except (OSError, pa.ArrowException) as e:
        raise IngestError(f"{src.path}: cannot read the file: {e}") from e


def read_file(src: SourceFile, data: bytes) -> RawRows:
    reader = {"parquet": _read_parquet, "csv": _read_csv, "jsonl": _read_jsonl}[src.format]
    try:
        return reader(src, data)
    except (pa.ArrowException, ScratchError, OSError) as e:
        raise IngestError(f"{src.path}: cannot read the file as {src.format}: {e}") from e


def _read_parquet(src: SourceFile, data: bytes) -> RawRows:
    # Single-threaded into the system allocator: measured ~3x faster here than the defaults for fresh tables.
    pool = pa.default_memory_pool()
    pa.set_memory_pool(pa.system_memory_pool())
    try:
        table = pq.read_table(pa.BufferReader(data), use_threads=False)
    finally:
        pa.set_memory_pool(pool)
    table = table.select(_parquet_columns(table.column_names))
    check_columns(src, table.column_names)
    check_types(src, table.schema)
    return RawRows(table, np.arange(1, table.num_rows + 1, dtype=np.int64))


def _csv_header(src: SourceFile, first_line: bytes) -> list[str]:
    try:
        line = first_line.decode("utf-8-sig").rstrip("\r\n")
    except UnicodeDecodeError as e:
        raise IngestError(f"{src.path}: line 1 is not UTF-8 text ({e})") from e
    if not line.strip():
        raise IngestError(f"{src.path}: line 1 is empty: expected a header line naming the columns")
    return next(csv.reader([line]))


def _read_csv(src: SourceFile, data: bytes) -> RawRows:
    names = _csv_header(src, data.split(b"\n", 1)[0])
    check_columns(src, [n.strip() for n in names])
    invalid: list = []

    def on_invalid(row: pcsv.InvalidRow) -> str:
        invalid.append(row)
        return "skip"

    block = None  # Arrow's default (1 MB), unless a record is longer (see below)

    def parse(threads: bool) -> pa.Table:
        invalid.clear()
        return pcsv.read_csv(
            pa.BufferReader(data),
            read_options=pcsv.ReadOptions(use_threads=threads, block_size=block),
            parse_options=pcsv.ParseOptions(invalid_row_handler=on_invalid, newlines_in_values=True),
            convert_options=pcsv.ConvertOptions(
                column_types={n: pa.string() for n in names}, null_values=[""], strings_can_be_null=True
            ),
        )

    try:
        table = parse(threads=True)
    except pa.ArrowInvalid as e:
        if "straddling" not in str(e):
            raise
        # A record (a field of megabytes) longer than a block: read the file as one block.
        if len(data) >= MAX_BLOCK:
            raise IngestError(
                f"{src.path}: a CSV record is longer than Arrow's block size and the file is too large "
                f"({len(data):,} bytes) to read as one block of at most {MAX_BLOCK:,} bytes"
            ) from e
        block = len(data) + 1
        table = parse(threads=True)
    if invalid:  # only a single-threaded read knows the line numbers of bad rows
        table = parse(threads=False)
    table = table.rename_columns([n.strip() for n in table.column_names])
    bad = [
        BadRow(r.number, f"expected {r.expected_columns} comma-separated fields, got {r.actual_columns}",
               json.dumps(r.text, ensure_ascii=False))
        for r in invalid
    ]  # fmt: skip
    return RawRows(table, _csv_line_numbers(data, table.num_rows, [b.row for b in bad]), bad)


def _csv_line_numbers(data: bytes, n_rows: int, bad_lines: list[int]) -> np.ndarray:
    """Line number of each data row (header = line 1), vectorised when no value spans lines."""
    buf = np.frombuffer(data, dtype=np.uint8)
    ends = np.flatnonzero(buf == 10)
    starts = np.concatenate(([0], ends + 1))
    ends = np.concatenate((ends, [len(buf)]))
    length = ends - starts
    cr_only = (length == 1) & (buf[np.minimum(starts, max(len(buf) - 1, 0))] == 13)
    lines = np.flatnonzero((length > 0) & ~cr_only) + 1
    lines = lines[1:][~np.isin(lines[1:], bad_lines)]
    if len(lines) == n_rows:
        return lines.astype(np.int64)
    # Some quoted value spans lines: let the csv module tell where each record starts.
    if len(data) > csv.field_size_limit():  # a field may be as long as the file (its default is 128 KiB)
        csv.field_size_limit(len(data))
    starts_at, prev = [], 0
    reader = csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    for record in reader:
        start, prev = prev + 1, reader.line_num
        if record:
            starts_at.append(start)
    found = np.array(starts_at[1:], dtype=np.int64)
    return found[~np.isin(found, bad_lines)][:n_rows]


def _read_jsonl(src: SourceFile, data: bytes) -> RawRows:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise IngestError(f"{src.path}: not UTF-8 text ({e})") from e
    lines = pc.utf8_trim_whitespace(pc.split_pattern(pa.array([text], pa.large_string()), "\n").flatten())
    numbers = np.arange(1, len(lines) + 1, dtype=np.int64)
    keep = pc.greater(pc.utf8_length(lines), 0).to_numpy(zero_copy_only=False)
    lines = pa.table({"line": lines.filter(pa.array(keep)).cast(pa.string())})
    numbers = numbers[keep]
    with scratch(lines=lines) as con:
        valid = con.sql("SELECT json_valid(line) AS v FROM lines").fetchnumpy()["v"].astype(bool)
    with scratch(ok=lines.filter(pa.array(valid))) as con:
        is_obj = con.sql("SELECT json_type(line) = 'OBJECT' AS o FROM ok").fetchnumpy()["o"].astype(bool)
    good = np.flatnonzero(valid)[is_obj]
    bad_idx = np.setdiff1d(np.arange(len(numbers)), good)
    bad_lines = lines.column(0).take(pa.array(bad_idx, pa.int64())).to_pylist()
    bad = [
        BadRow(int(n), f"expected a JSON object, got '{_clip(s)}'", json.dumps(s, ensure_ascii=False))
        for n, s in zip(numbers[bad_idx], bad_lines, strict=True)
    ]
    if not len(good):
        return RawRows(pa.table({}), numbers[good], bad)
    good, dupes = _duplicate_keys(lines, good, numbers)
    bad = sorted([*bad, *dupes], key=lambda b: b.row)
    if not len(good):
        return RawRows(pa.table({}), numbers[good], bad)
    with scratch(obj=lines.take(pa.array(good, pa.int64()))) as con:
        keys = [
            k for (k,) in con.sql("SELECT DISTINCT unnest(json_keys(line)) FROM obj ORDER BY 1").fetchall()
        ]
        check_columns(src, keys)
        cols = ", ".join(f'json_extract_string(line, \'$."{k}"\') AS "{k}"' for k in keys)
        table = con.sql(f"SELECT {cols} FROM obj").to_arrow_table()
    return RawRows(table, numbers[good], bad, lines.column(0).take(pa.array(good, pa.int64())))


def _duplicate_keys(
    lines: pa.Table, good: np.ndarray, numbers: np.ndarray
) -> tuple[np.ndarray, list[BadRow]]:
    """Objects with a key given twice (JSON parsers would silently keep one value) become bad rows."""
    objects = lines.take(pa.array(good, pa.int64())).append_column("p", pa.array(np.arange(len(good))))
    with scratch(obj=objects) as con:
        found = con.sql(
            "SELECT p, list_filter(k, lambda x, i: list_position(k, x) < i) AS d "
            "FROM (SELECT p, json_keys(line) AS k FROM obj) WHERE len(k) <> len(list_distinct(k)) ORDER BY p"
        ).fetchall()
    if not found:
        return good, []
    pos = np.array([p for p, _ in found], dtype=np.int64)
    text = lines.column(0).take(pa.array(good[pos], pa.int64())).to_pylist()
    bad = [
        BadRow(
            int(numbers[good[p]]), f"duplicate key {dup[0]}: a key may appear once in an object", raw, dup[0]
        )
        for (p, dup), raw in zip(found, text, strict=True)
    ]
    return np.delete(good, pos), bad


def _clip(text: str, n: int = 60) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"
