"""Key checks, run in the scratch DuckDB: references to other tables, keys repeated within a file,
and where an already-loaded row came from."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from guanghe.data.warehouse.scratch import scratch


def _dense(keys: pa.Array) -> tuple[int, int] | None:
    """(min, max) when distinct integer ``keys`` fill that whole range (then membership is a range check)."""
    if not len(keys) or not pa.types.is_integer(keys.type) or keys.null_count:
        return None
    low, high = (x.as_py() for x in pc.min_max(keys).values())
    return (low, high) if high - low + 1 == len(keys) else None


def missing_references(values: pa.ChunkedArray, keys: pa.Array) -> np.ndarray:
    """Positions of non-null ``values`` not among (distinct) ``keys``."""
    dense = _dense(keys)
    if dense is not None and pa.types.is_integer(values.type):
        low, high = (x.as_py() for x in pc.min_max(values).values())
        if low is None or (dense[0] <= low and high <= dense[1]):
            return np.zeros(0, dtype=np.int64)  # every value inside the dense range of keys
        outside = pc.or_(pc.less(values, dense[0]), pc.greater(values, dense[1]))
        return np.flatnonzero(pc.fill_null(outside, False).to_numpy(zero_copy_only=False))
    v = pa.table({"v": values, "p": pa.array(np.arange(len(values), dtype=np.int64))})
    with scratch(v=v, k=pa.table({"k": keys.cast(values.type)})) as con:
        found = con.sql("SELECT p FROM v ANTI JOIN k ON v.v = k.k WHERE v.v IS NOT NULL ORDER BY p")
        return found.fetchnumpy()["p"].astype(np.int64)


def _diff(cols: Sequence[str], a: str, b: str) -> str:
    parts = ", ".join(f"""CASE WHEN {a}."{c}" IS DISTINCT FROM {b}."{c}" THEN '{c}' END""" for c in cols)
    return f"concat_ws(',', {parts})"


def _strictly_increasing(rows: pa.Table, key: Sequence[str]) -> bool:
    """Whether the key tuples are strictly increasing in some column order (then no key repeats): O(n)."""
    if rows.num_rows < 2 or len(key) > 2 or any(rows.column(k).null_count for k in key):
        return rows.num_rows < 2
    cols = [rows.column(k).to_numpy() for k in key]
    for order in (cols, cols[::-1]):
        a = order[0]
        step = a[1:] > a[:-1]
        if len(order) == 2:
            b = order[1]
            step |= (a[1:] == a[:-1]) & (b[1:] > b[:-1])
        if step.all():
            return True
    return False


def repeats(rows: pa.Table, key: Sequence[str], cols: Sequence[str]) -> pa.Table:
    """Rows whose key already appeared earlier in ``rows``: columns ``p`` (position), ``first`` (position
    of the first occurrence) and ``diff`` (differing columns, '' when identical)."""
    if _strictly_increasing(rows, key):
        return pa.table({"p": pa.array([], pa.int64()), "first": pa.array([], pa.int64()), "diff": []})
    keys = ", ".join(f'"{k}"' for k in key)
    r = rows.select([*key]).append_column("_p", pa.array(np.arange(rows.num_rows, dtype=np.int64)))
    with scratch(r=r) as con:
        (n,) = con.sql(
            f"SELECT count(*) FROM (SELECT 1 FROM r GROUP BY {keys} HAVING count(*) > 1)"
        ).fetchall()[0]
    if not n:
        return pa.table({"p": pa.array([], pa.int64()), "first": pa.array([], pa.int64()), "diff": []})
    r = rows.select(list(cols)).append_column("_p", r.column("_p"))
    with scratch(r=r) as con:
        return con.sql(
            f"WITH f AS (SELECT _p, min(_p) OVER (PARTITION BY {keys}) AS _first FROM r) "
            f"SELECT f._p AS p, f._first AS first, {_diff(cols, 'a', 'b')} AS diff "
            "FROM f JOIN r a ON a._p = f._p JOIN r b ON b._p = f._first WHERE f._p <> f._first ORDER BY p"
        ).to_arrow_table()


def find_rows(wanted: pa.Table, key: Sequence[str], seen: pa.Table) -> dict[int, int]:
    """For rows of ``wanted`` whose key is in ``seen`` (both: key columns and ``_row``): their ``_row`` ->
    the first matching ``_row`` of ``seen``."""
    on = " AND ".join(f'w."{k}" = s."{k}"' for k in key)
    with scratch(w=wanted, s=seen) as con:
        pairs = con.sql(f"SELECT w._row, min(s._row) FROM w JOIN s ON {on} GROUP BY w._row").fetchall()
    return {int(a): int(b) for a, b in pairs}
