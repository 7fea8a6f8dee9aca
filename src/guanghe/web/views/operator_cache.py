"""An in-process cache for the operator console's heavy reads (the metric catalog, eligibility counts): an
entry is keyed by what it was computed from — the warehouse's stamp (``warehouse_stamp``: on DuckDB the
file's and its ``.wal``'s size and modification time) and the caller's key — so any write to the warehouse
(ingest, allocate, a flush of ``guanghe serve``) makes the next page compute afresh. A warehouse whose engine
gives no stamp is not cached.

``background`` computes in a thread of its own (with its own read-only connection) and waits a little: a
page too slow to wait for (the dashboard at the demo's scale takes tens of seconds cold) shows the last
figures computed (marked as updating) or a "computing" panel that polls, never a request that hangs."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar

from guanghe.data.warehouse import Warehouse, open_warehouse, warehouse_stamp

T = TypeVar("T")
MAX_ENTRIES = 128


@dataclass
class Entry:
    stamp: Hashable
    value: Any
    error: BaseException | None = None
    seconds: float = 0.0


_entries: OrderedDict[tuple, Entry] = OrderedDict()
_running: dict[tuple, threading.Thread] = {}
_lock = threading.Lock()


def file_stamp(url: str) -> Hashable | None:
    """The warehouse's stamp (any write changes it); None when its engine cannot tell (not cached)."""
    return warehouse_stamp(url)


def _store(full: tuple, entry: Entry) -> None:
    with _lock:
        _entries[full] = entry
        _entries.move_to_end(full)
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)


def cached(url: str, key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()`` once per (warehouse state, key), in the caller's thread."""
    stamp = file_stamp(url)
    if stamp is None:
        return compute()
    full = (url, key)
    with _lock:
        e = _entries.get(full)
        if e is not None and e.stamp == stamp and e.error is None:
            _entries.move_to_end(full)
            return e.value
    value = compute()
    _store(full, Entry(stamp, value))
    return value


def background(url: str, key: Hashable, compute: Callable[[Warehouse], T], wait_s: float = 2.0
               ) -> tuple[T | None, bool]:  # fmt: skip
    """``(value, fresh)``: the value for the warehouse as it is now, computed in a thread (waited for up to
    ``wait_s``); when not ready, the last value computed for an earlier state (``fresh`` False) or None.
    An error of the computation is raised to the caller that finds it (and forgotten)."""
    stamp = file_stamp(url)
    if stamp is None:  # no stamp: no state to key on, computed for this request
        with open_warehouse(url, read_only=True) as wh:
            return compute(wh), True
    full = (url, key)
    with _lock:
        e = _entries.get(full)
        if e is not None and e.stamp == stamp:
            if e.error is not None:
                del _entries[full]
                raise e.error
            return e.value, True
        job = _running.get((*full, stamp))
        if job is None:
            job = threading.Thread(target=_run, args=(url, full, stamp, compute), daemon=True,
                                   name=f"operator-cache-{key}")  # fmt: skip
            _running[(*full, stamp)] = job
            job.start()
    job.join(wait_s)
    with _lock:
        e = _entries.get(full)
    if e is not None and e.stamp == stamp:
        if e.error is not None:
            with _lock:
                _entries.pop(full, None)
            raise e.error
        return e.value, True
    return (e.value if e is not None and e.error is None else None), False


def _run(url: str, full: tuple, stamp: Hashable | None, compute: Callable[[Warehouse], Any]) -> None:
    started = time.perf_counter()
    try:
        with open_warehouse(url, read_only=True) as wh:
            entry = Entry(stamp, compute(wh), seconds=time.perf_counter() - started)
    except Exception as e:  # handed to the page that asks next
        entry = Entry(stamp, None, e)
    _store(full, entry)
    with _lock:
        _running.pop((*full, stamp), None)


def clear() -> None:
    with _lock:
        _entries.clear()


def read(url: str, key: Hashable, compute: Callable[[Warehouse], T]) -> T:
    """``compute(wh)`` once per (warehouse state, key), the warehouse opened read-only only on a miss."""

    def run() -> T:
        with open_warehouse(url, read_only=True) as wh:
            return compute(wh)

    return cached(url, key, run)
