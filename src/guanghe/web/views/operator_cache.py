"""A small in-process cache for the operator console's heavy reads (the metric catalog, eligibility counts):
an entry is keyed by what it was computed from — the warehouse file's size and modification time (DuckDB
and its ``.wal``), and the caller's key — so any write to the warehouse (ingest, allocate, a flush of
``guanghe serve``) makes the next page compute afresh. A warehouse that is not a local file is not cached."""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

T = TypeVar("T")
MAX_ENTRIES = 32
_entries: OrderedDict[Hashable, object] = OrderedDict()
_lock = threading.Lock()


def file_stamp(url: str) -> tuple | None:
    """(size, mtime_ns) of a ``duckdb:///`` file and its write-ahead log; None for other engines."""
    if not url.startswith("duckdb:///"):
        return None
    path = url.removeprefix("duckdb:///")
    out = []
    for p in (path, path + ".wal"):
        try:
            st = os.stat(p)
            out.append((st.st_size, st.st_mtime_ns))
        except OSError:
            out.append(None)
    return tuple(out)


def cached(url: str, key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()`` once per (warehouse state, key); recomputed after the warehouse changes."""
    stamp = file_stamp(url)
    if stamp is None:
        return compute()
    full = (url, stamp, key)
    with _lock:
        if full in _entries:
            _entries.move_to_end(full)
            return _entries[full]  # type: ignore[return-value]
    value = compute()
    with _lock:
        _entries[full] = value
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    return value


def clear() -> None:
    with _lock:
        _entries.clear()
