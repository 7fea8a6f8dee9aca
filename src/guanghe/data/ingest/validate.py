"""Check rows against their table's schema, column by column (vectorised), and type them exactly.

Text (CSV, JSON Lines) is parsed in one DuckDB pass; Parquet columns already of the right type are only
checked for what their type does not guarantee (missing values, minimums, enumerations). Only failing
values are turned into Python objects, to write their message.

>>> from guanghe.data.schema import TABLES
>>> checked = validate(TABLES["creator_daily"], pa.table({
...     "creator_id": ["7", "x"], "date": ["2023-01-02", "2023-02-30"], "followers": ["10", "-3"],
...     "follows_lost": ["0", "0"]}))
>>> checked.rows.num_rows
1
>>> [(i.index, i.field, i.reason) for i in checked.issues][:2]  # doctest: +NORMALIZE_WHITESPACE
[(1, 'creator_id', "expected an integer, got 'x'"),
 (1, 'date', "expected a date YYYY-MM-DD, got '2023-02-30'")]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from guanghe.data.ingest.errors import IngestError
from guanghe.data.ingest.scratch import scratch
from guanghe.data.schema import Column, Table

KIND = {
    "int64": "an integer", "int32": "an integer", "date32[day]": "a date YYYY-MM-DD",
    "timestamp[us]": "an ISO-8601 timestamp", "bool": "a boolean (true/false/1/0)", "string": "a text value",
}  # fmt: skip
_DATE = "[0-9]{4}-[0-9]{2}-[0-9]{2}"
_ISO_TS = _DATE + r"([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,9})?)?(Z|[+-][0-9]{2}(:?[0-9]{2})?)?)?"


@dataclass(frozen=True)
class Issue:
    index: int  # position of the row in the file's rows as read
    field: str
    reason: str


@dataclass
class Checked:
    rows: pa.Table  # the valid rows: the table's columns with their exact types, plus ``_i`` (row position)
    issues: list[Issue]


def _parse_sql(col: Column) -> str:
    """DuckDB expression turning text into the column's type, NULL where the text is not valid."""
    c = f'"{col.name}"'
    t = f"trim({c})"
    kind = str(col.type)
    if kind == "int64":
        return f"CASE WHEN regexp_full_match({t}, '[+-]?[0-9]{{1,18}}') THEN CAST({t} AS BIGINT) END"
    if kind == "int32":
        return f"CASE WHEN regexp_full_match({t}, '[+-]?[0-9]{{1,10}}') THEN TRY_CAST({t} AS INTEGER) END"
    if kind == "date32[day]":
        return f"CASE WHEN regexp_full_match({t}, '{_DATE}') THEN TRY_CAST({t} AS DATE) END"
    if kind == "timestamp[us]":  # naive means UTC (session time zone); offsets are converted to UTC
        return (
            f"CASE WHEN regexp_full_match({t}, '{_ISO_TS}') THEN TRY_CAST({t} AS TIMESTAMPTZ)::TIMESTAMP END"
        )
    if kind == "bool":
        return (
            f"CASE WHEN lower({t}) IN ('true', '1') THEN true "
            f"WHEN lower({t}) IN ('false', '0') THEN false END"
        )
    return c


def _is_text(t: pa.DataType) -> bool:
    if pa.types.is_dictionary(t):
        return _is_text(t.value_type)
    return pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t)


def _typed(col: pa.ChunkedArray, target: pa.DataType) -> pa.ChunkedArray | None:
    """A typed (Parquet) column cast to the target type, or None when it must be parsed as text instead."""
    if col.type == target:
        return col
    if pa.types.is_timestamp(target) and pa.types.is_timestamp(col.type):
        return pc.cast(col, target, safe=False)  # tz-aware -> UTC wall time; ns -> us
    if _is_text(col.type) and target != pa.string():
        return None
    try:
        return pc.cast(col, target)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None


def _strict_cast(text: pa.ChunkedArray, target: pa.DataType) -> pa.ChunkedArray | None:
    """Arrow's own cast when every value is plainly valid (the common case), else None: DuckDB parses it."""
    if target == pa.string():
        return text
    if pa.types.is_integer(target) and any(pc.any(pc.match_substring(text, x)).as_py() for x in "xX"):
        return None  # Arrow would read hexadecimal
    try:
        return pc.cast(text, target)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None


def _convert(table: Table, raw: pa.Table) -> tuple[dict[str, pa.ChunkedArray], set[str]]:
    """Each column of ``table`` in its exact type (null where absent or unparseable), and which were text."""
    n = raw.num_rows
    out: dict[str, pa.ChunkedArray] = {}
    text: dict[str, pa.ChunkedArray] = {}
    for col in table.columns:
        if col.name not in raw.column_names:
            out[col.name] = pa.chunked_array([pa.nulls(n, col.type)])
            continue
        typed = _typed(raw.column(col.name), col.type)
        if typed is not None:
            out[col.name] = typed
            continue
        try:
            as_text = pc.cast(raw.column(col.name), pa.string())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as e:
            raise IngestError(
                f"column {col.name} of type {raw.column(col.name).type} cannot be read as text"
            ) from e
        fast = _strict_cast(as_text, col.type)
        if fast is not None:
            out[col.name] = fast
        else:
            text[col.name] = as_text
    if text:
        exprs = ", ".join(f'{_parse_sql(table.column(c))} AS "{c}"' for c in text)
        with scratch(raw_text=pa.table(text)) as con:
            parsed = con.sql(f"SELECT {exprs} FROM raw_text").to_arrow_table()
        for c in text:
            out[c] = pc.cast(parsed.column(c), table.column(c).type)
    return out, set(text)


def _mask(expr: pa.ChunkedArray | pa.Array) -> np.ndarray:
    return pc.fill_null(expr, False).to_numpy(zero_copy_only=False).astype(bool)


def validate(table: Table, raw: pa.Table) -> Checked:
    """Type and check every row; a row with any problem is left out of ``rows`` and reported per field."""
    n = raw.num_rows
    typed, parsed = _convert(table, raw)
    bad = np.zeros(n, dtype=bool)
    found: list[tuple[np.ndarray, str, str]] = []  # (failing positions, field, message with {} for the value)
    for col in table.columns:
        arr, kind = typed[col.name], KIND[str(col.type)]
        present = raw.column(col.name) if col.name in raw.column_names else None
        checks = []
        if col.required and arr.null_count:
            missing = pc.is_null(present) if present is not None else pa.array(np.ones(n, dtype=bool))
            checks.append((_mask(missing), f"expected {kind}, got nothing (required field)"))
        if col.name in parsed and arr.null_count:
            checks.append(
                (_mask(pc.and_(pc.is_valid(present), pc.is_null(arr))), f"expected {kind}, got '{{}}'")
            )
        if col.minimum is not None and arr.null_count < n:
            low = pc.min_max(arr)["min"].as_py()
            if low is not None and low < col.minimum:
                checks.append(
                    (_mask(pc.less(arr, col.minimum)), f"expected {kind} >= {col.minimum}, got '{{}}'")
                )
        if col.enum is not None:
            outside = pc.invert(pc.is_in(arr, value_set=pa.array(col.enum)))
            checks.append(
                (
                    _mask(pc.and_(pc.is_valid(arr), outside)),
                    f"expected one of {', '.join(col.enum)}; got '{{}}'",
                )
            )
        seen = np.zeros(n, dtype=bool)  # one problem per row and field: the first check that fails
        for mask, message in checks:
            mask &= ~seen
            seen |= mask
            if mask.any():
                found.append((np.flatnonzero(mask), col.name, message))
                bad |= mask
    issues = []
    for idx, name, message in found:
        source = raw.column(name) if name in raw.column_names else None
        values = source.take(pa.array(idx)).to_pylist() if source is not None else [None] * len(idx)
        issues += [Issue(int(i), name, message.format(v)) for i, v in zip(idx, values, strict=True)]
    issues.sort(key=lambda i: (i.index, table.names.index(i.field)))
    keep = np.flatnonzero(~bad)
    rows = pa.table({c: typed[c] for c in table.names})
    if len(keep) < n:
        rows = rows.take(pa.array(keep))
    return Checked(rows.append_column("_i", pa.array(keep, pa.int64())), issues)
