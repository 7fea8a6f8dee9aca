"""A small per-process cache of the pages' warehouse reads: ``(section, key) → value``, valid while the
warehouse files are unchanged. A page's sections are read in ONE function over one read-only connection,
opened only on a miss (opening a large DuckDB file costs more than the queries) and closed after, so a
writer process (ingest, settle) is never blocked for longer than one page's read.

Invalidation: the key carries the warehouse's identity — its stamp (``guanghe.data.warehouse.warehouse_stamp``,
read without opening it: on DuckDB the (size, mtime) of the file and of its write-ahead log, as a committed
write that is not yet checkpointed changes only the ``.wal``). Any write changes it, so the next read misses
and recomputes; nothing stale is served after a write. A warehouse whose engine gives no stamp (in memory)
is not cached."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from guanghe.data.warehouse import Warehouse, warehouse_stamp

T = TypeVar("T")
Opener = Callable[[], Any]  # a context manager factory yielding a read-only Warehouse


def identity(url: str) -> Hashable | None:
    """The warehouse's stamp (any write changes it); None when its engine cannot tell: not cacheable."""
    return warehouse_stamp(url)


class ReadCache:
    """LRU of at most ``size`` entries; thread-safe (sync routes run in a thread pool). Values are shared
    between requests: callers must not mutate them."""

    def __init__(self, url: str, opener: Opener, size: int = 2048) -> None:
        self.url, self.opener, self.size = url, opener, size
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self._jobs: dict[Hashable, threading.Thread] = {}
        self.hits = self.misses = 0

    def memo(self, section: str, key: Hashable, fn: Callable[[], T]) -> T:
        """``fn()`` for ``(section, key)``, for what depends only on the process's fixed inputs (the catalog
        built at start) and ``key``: kept until evicted."""
        full = (section, key, "memo")
        with self._lock:
            if full in self._items:
                self._items.move_to_end(full)
                self.hits += 1
                return self._items[full]
        value = fn()
        self._store(full, value)
        return value

    def memo_background(self, section: str, key: Hashable, fn: Callable[[], T], wait_s: float) -> T | None:
        """``memo`` computed in a thread of its own, waited for up to ``wait_s``: the value, or None while it
        is being computed (the page shows a panel that polls). ``fn``'s exception is raised to every caller
        until the entry is evicted (the same inputs fail the same way)."""
        full = (section, key, "memo")
        with self._lock:
            if full in self._items:
                self._items.move_to_end(full)
                self.hits += 1
                return _value(self._items[full])
            job = self._jobs.get(full)
            if job is None:
                job = self._jobs[full] = threading.Thread(target=self._compute, args=(full, fn), daemon=True)
                job.start()
        job.join(wait_s)
        with self._lock:
            return _value(self._items[full]) if full in self._items else None

    def _compute(self, full: Hashable, fn: Callable[[], Any]) -> None:
        try:
            value: Any = fn()
        except Exception as e:  # kept and raised to the pages, as a direct call would
            value = _Failed(e)
        self._store(full, value)
        with self._lock:
            self._jobs.pop(full, None)

    def _store(self, full: Hashable, value: Any) -> None:
        with self._lock:
            self.misses += 1
            self._items[full] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def read(self, section: str, key: Hashable, fn: Callable[[Warehouse], T]) -> T:
        """``fn(warehouse)`` for ``(section, key)``: cached while the warehouse files are unchanged."""
        ident = identity(self.url)
        if ident is None:
            with self.opener() as wh:
                return fn(wh)
        full = (section, key, ident)
        with self._lock:
            if full in self._items:
                self._items.move_to_end(full)
                self.hits += 1
                return self._items[full]
        with self.opener() as wh:
            value = fn(wh)
        if identity(self.url) != ident:  # written meanwhile: the value may mix old and new; don't keep it
            return value
        self._store(full, value)
        return value


class _Failed:
    def __init__(self, error: Exception) -> None:
        self.error = error


def _value(v: Any) -> Any:
    if isinstance(v, _Failed):
        raise v.error
    return v
