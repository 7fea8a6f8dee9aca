"""Check rows against their table's schema, column by column (vectorised), and type them exactly.

Text (CSV, JSON Lines) is parsed in one DuckDB pass; Parquet columns already of the right type are only
checked for what their type does not guarantee (missing values, minimums, enumerations, blank text,
plausible ranges), and Parquet columns of another type are converted only exactly (``READS``). Only failing
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

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from guanghe.data.ingest.errors import IngestError
from guanghe.data.schema import Column, Table
from guanghe.data.tables import OPS
from guanghe.data.warehouse.scratch import scratch

_COMPARE = {"<=": pc.less_equal, ">=": pc.greater_equal, "<": pc.less, ">": pc.greater}

KIND = {
    "int64": "an integer", "int32": "an integer", "date32[day]": "a date YYYY-MM-DD",
    "timestamp[us]": "an ISO-8601 timestamp", "bool": "a boolean (true/false/1/0)", "string": "a text value",
}  # fmt: skip
INT_RANGE = {"int64": (-(2**63), 2**63 - 1), "int32": (-(2**31), 2**31 - 1)}
_DATE = "[0-9]{4}-[0-9]{2}-[0-9]{2}"
_TIME = r"([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,9})?)?"  # 00:00 to 23:59:59.999999999
_OFFSET = "Z|[+-]((0[0-9]|1[0-3])(:?[0-5][0-9])?|14(:?00)?)"  # UTC-14:00 to UTC+14:00
_ISO_TS = f"{_DATE}([T ]{_TIME}({_OFFSET})?)?"
_INTEGER = "[+-]?[0-9]+"
# Loose shapes, only to explain a value that failed (Python, failing values only).
_LOOSE_TS = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.[0-9]+)?)?"
                       r"(?:Z|[+-]([0-9]{2}):?([0-9]{2})?)?")  # fmt: skip

# Parquet types read for each target type besides itself, text (parsed) and all-null columns. Any other type
# is refused for the whole file: values are never coerced (a float 0.5 is not a boolean).
READS = {
    "int64": ("integer", "float", "decimal"),  # only whole values in range; the rest fails as text
    "int32": ("integer", "float", "decimal"),
    "date32[day]": ("date", "timestamp"),  # a timestamp only at midnight
    "timestamp[us]": ("timestamp", "date"),  # zone-aware -> UTC; nanoseconds truncated; a date is midnight
    "bool": ("integer",),  # 0 and 1 only, checked as text
    "string": ("integer",),
}


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
    if kind in ("int64", "int32"):  # any number of digits: TRY_CAST refuses what does not fit the type
        sql_type = "BIGINT" if kind == "int64" else "INTEGER"
        return f"CASE WHEN regexp_full_match({t}, '{_INTEGER}') THEN TRY_CAST({t} AS {sql_type}) END"
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


def _why(col: Column, value: Any) -> str:
    """What is wrong with a value that has the shape of the column's type yet did not parse ('' if nothing
    more can be said than "expected ...")."""
    text = str(value).strip()
    kind = str(col.type)
    if kind in INT_RANGE and re.fullmatch(_INTEGER, text):
        low, high = INT_RANGE[kind]
        return f" (outside the {kind} range {low} to {high})"
    m = _LOOSE_TS.fullmatch(text) if kind == "timestamp[us]" else None
    if m is None:
        return ""
    hour, minute, second, off_h, off_m = (int(g) if g else 0 for g in m.groups())
    if hour > 23 or minute > 59 or second > 59:
        return " (a time of day runs from 00:00:00 to 23:59:59)"
    if off_m > 59 or off_h * 60 + off_m > 14 * 60:
        return " (a UTC offset runs from -14:00 to +14:00)"
    return ""


def _is_text(t: pa.DataType) -> bool:
    if pa.types.is_dictionary(t):
        return _is_text(t.value_type)
    return pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t)


def _family(t: pa.DataType) -> str:
    if pa.types.is_dictionary(t):
        return _family(t.value_type)
    for name, test in (("text", _is_text), ("null", pa.types.is_null), ("integer", pa.types.is_integer),
                       ("float", pa.types.is_floating), ("decimal", pa.types.is_decimal),
                       ("bool", pa.types.is_boolean), ("date", pa.types.is_date),
                       ("timestamp", pa.types.is_timestamp)):  # fmt: skip
        if test(t):
            return name
    return str(t)


def type_problems(table: Table, schema: pa.Schema) -> list[str]:
    """Columns of a typed (Parquet) file whose type is not read as the table's type (see ``READS``)."""
    problems = []
    for f in schema:
        if f.name not in table.names:
            continue
        target = table.column(f.name).type
        if f.type == target or _family(f.type) in ("text", "null", *READS[str(target)]):
            continue
        also = ", ".join(("text", *READS[str(target)]))
        problems.append(
            f"column {f.name} has type {f.type}: expected {target} ({KIND[str(target)]}) or {also}; "
            "values are not coerced"
        )
    return problems


def _typed(col: pa.ChunkedArray, target: pa.DataType) -> pa.ChunkedArray | None:
    """A typed (Parquet) column cast exactly to the target type, or None when it must be parsed as text."""
    if col.type == target:
        return col
    if pa.types.is_null(col.type):
        return pa.chunked_array([pa.nulls(len(col), target)])
    if pa.types.is_timestamp(target) and pa.types.is_timestamp(col.type):
        try:  # tz-aware -> UTC wall time; ns -> us truncates, coarser units must not overflow
            return pc.cast(col, target, safe=col.type.unit != "ns")
        except pa.ArrowInvalid:
            return None
    if _is_text(col.type) and target != pa.string():
        return None
    if pa.types.is_boolean(target):
        return None  # integers: only 0 and 1, checked as text (Arrow would take 2 as true)
    try:
        return pc.cast(col, target)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None


def _strict_cast(text: pa.ChunkedArray, target: pa.DataType) -> pa.ChunkedArray | None:
    """Arrow's own cast when every value is plainly valid (the common case), else None: DuckDB parses it.
    Arrow accepts a little more than the rules (hexadecimal, an hour without minutes): those go to DuckDB."""
    if target == pa.string():
        return text
    if pa.types.is_integer(target) and any(pc.any(pc.match_substring(text, x)).as_py() for x in "xX"):
        return None  # Arrow would read hexadecimal
    try:
        cast = pc.cast(text, target)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    if pa.types.is_timestamp(target) and pc.any(pc.equal(pc.utf8_length(text), 13)).as_py():
        return None  # "YYYY-MM-DDTHH": Arrow reads it, the rule wants minutes too
    return cast


def _convert(table: Table, raw: pa.Table) -> tuple[dict[str, pa.ChunkedArray], set[str]]:
    """Each column of ``table`` in its exact type (null where absent or unparseable), and which were text."""
    problems = type_problems(table, raw.schema)
    if problems:
        raise IngestError("; ".join(problems))
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


def py_values(values: pa.Array | pa.ChunkedArray) -> list:
    """Python values for messages; dates and times Python cannot hold (year 0, year 10000) as Arrow's text."""
    try:
        return values.to_pylist()
    except (ValueError, OverflowError):
        return pc.cast(values, pa.string()).to_pylist()


def _utc(moment: date | datetime) -> str:
    return str(moment) if type(moment) is date else f"{moment:%Y-%m-%dT%H:%M:%S}Z"


Check = tuple[np.ndarray, Callable[[Any], str]]  # failing positions, message for a failing value


def _checks(col: Column, arr: pa.ChunkedArray, present: pa.ChunkedArray | None, parsed: bool,
            now: datetime) -> list[Check]:  # fmt: skip
    """Every check of one column, in order; a row's field fails on the first that fails."""
    n, kind = len(arr), KIND[str(col.type)]
    checks: list[Check] = []
    if col.required and arr.null_count:
        missing = pc.is_null(present) if present is not None else pa.array(np.ones(n, dtype=bool))
        checks.append((_mask(missing), lambda v: f"expected {kind}, got nothing (required field)"))
    if parsed and arr.null_count:
        checks.append((_mask(pc.and_(pc.is_valid(present), pc.is_null(arr))),
                       lambda v: f"expected {kind}, got '{v}'{_why(col, v)}"))  # fmt: skip
    if arr.null_count == n:
        return checks
    if col.minimum is not None:
        low = pc.min_max(arr)["min"].as_py()
        if low is not None and low < col.minimum:
            checks.append(
                (_mask(pc.less(arr, col.minimum)), lambda v: f"expected {kind} >= {col.minimum}, got '{v}'")
            )
    if col.maximum is not None:
        high = pc.min_max(arr)["max"].as_py()
        if high is not None and high > col.maximum:
            checks.append(
                (
                    _mask(pc.greater(arr, col.maximum)),
                    lambda v: f"expected {kind} <= {col.maximum}, got '{v}'",
                )
            )
    if col.enum is not None:
        outside = pc.invert(pc.is_in(arr, value_set=pa.array(col.enum)))
        expected = ", ".join(col.enum)
        checks.append(
            (_mask(pc.and_(pc.is_valid(arr), outside)), lambda v: f"expected one of {expected}; got '{v}'")
        )
    elif col.required and col.type == pa.string():
        blank = pc.or_(pc.equal(pc.utf8_length(arr), 0), pc.utf8_is_space(arr))
        if pc.any(blank).as_py():
            checks.append(
                (_mask(blank), lambda v: f"expected a non-blank text value (required field), got '{v}'")
            )
    if col.plausible is not None:
        low_t, high_t = col.plausible.bounds(now)
        low, high = (low_t.date(), high_t.date()) if col.type == pa.date32() else (low_t, high_t)
        edges = pc.min_max(arr)
        lo_s, hi_s = pa.scalar(low, col.type), pa.scalar(high, col.type)
        if pc.less(edges["min"], lo_s).as_py() or pc.greater(edges["max"], hi_s).as_py():
            span = f"from {_utc(low)} to {_utc(high)} ({col.plausible.horizon})"
            checks.append((_mask(pc.or_(pc.less(arr, lo_s), pc.greater(arr, hi_s))),
                           lambda v: f"expected {kind} {span}, got '{v}'"))  # fmt: skip
    return checks


def validate(table: Table, raw: pa.Table, now: datetime | None = None) -> Checked:
    """Type and check every row; a row with any problem is left out of ``rows`` and reported per field.
    ``now`` (naive UTC, default the current time) bounds plausible dates and timestamps."""
    n = raw.num_rows
    now = now if now is not None else datetime.now(UTC).replace(tzinfo=None)
    typed, parsed = _convert(table, raw)
    bad = np.zeros(n, dtype=bool)
    found: list[tuple[np.ndarray, str, Callable[[Any], str]]] = []  # (failing positions, field, message)
    row_issues: list[Issue] = []
    for col in table.columns:
        present = raw.column(col.name) if col.name in raw.column_names else None
        seen = np.zeros(n, dtype=bool)  # one problem per row and field: the first check that fails
        for mask, message in _checks(col, typed[col.name], present, col.name in parsed, now):
            mask &= ~seen
            seen |= mask
            if mask.any():
                found.append((np.flatnonzero(mask), col.name, message))
                bad |= mask
    for check in table.checks:  # rules between two columns, on rows whose own fields passed
        left, right = typed[check.left], typed[check.right]
        fails = pc.invert(_COMPARE[check.op](left, right))
        mask = _mask(fails) & ~bad
        if mask.any():
            idx = np.flatnonzero(mask)
            lv, rv = py_values(left.take(pa.array(idx))), py_values(right.take(pa.array(idx)))
            op = OPS[check.op]
            bad |= mask
            row_issues.extend(
                Issue(
                    int(i), check.left, f"{check.reason}: {check.left} '{a}' is not {op} {check.right} '{b}'"
                )
                for i, a, b in zip(idx, lv, rv, strict=True)
            )
    issues = list(row_issues)
    for idx, name, message in found:
        source = raw.column(name) if name in raw.column_names else None
        values = py_values(source.take(pa.array(idx))) if source is not None else [None] * len(idx)
        issues += [Issue(int(i), name, message(v)) for i, v in zip(idx, values, strict=True)]
    issues.sort(key=lambda i: (i.index, table.names.index(i.field)))
    keep = np.flatnonzero(~bad)
    rows = pa.table({c: typed[c] for c in table.names})
    if len(keep) < n:
        rows = rows.take(pa.array(keep))
    return Checked(rows.append_column("_i", pa.array(keep, pa.int64())), issues)
