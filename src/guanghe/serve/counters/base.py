"""Delivered-impression counters: one interface, one module per store, chosen by URL
(``GUANGHE_COUNTERS``: ``memory://`` default, ``redis://HOST:PORT/DB``)."""

from __future__ import annotations

import uuid
from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import Callable

Key = tuple[int, str]  # (creator, program)
# day -> impressions delivered per (worker, key) as recorded in the warehouse; None: unreadable right now
History = Callable[[str], dict[tuple[str, Key], int] | None]


class Counters(ABC):
    """Quota-capped counts of boosted impressions per (day, creator, program), and request-id memory.

    ``take`` reserves one impression if the quota allows (never a remote round trip per call in steady
    state); ``give_back`` undoes takes (a retried request answered elsewhere). ``remember`` stores a
    request's answer unless one is stored already, and returns the stored one then.

    ``ready(day)``: the day's counts are known (rebuilt from ``history`` — the deliveries recorded in the
    warehouse — when the store starts without them, or lost them). A store that is not ready boosts nothing.
    """

    url: str
    healthy: bool = True
    worker: str = ""  # this process's id (its warehouse batches carry it)
    history: History | None = None  # set by the service: the warehouse's record of delivered impressions
    rebuilds: int = 0  # days whose counts were rebuilt from the history

    def ready(self, day: str) -> bool:
        return True

    async def remember_async(self, request_id: str, body: bytes) -> bytes | None:
        """``remember`` without blocking the event loop (stores with a remote round trip override it)."""
        return self.remember(request_id, body)

    @abstractmethod
    def take(self, day: str, key: Key, quota: int) -> bool: ...

    @abstractmethod
    def give_back(self, day: str, key: Key, n: int = 1) -> None: ...

    @abstractmethod
    def delivered(self, day: str, key: Key) -> int:
        """Best known delivered count (all workers) of a key."""

    @abstractmethod
    def totals(self, day: str) -> dict[Key, int]:
        """Delivered count of every key seen (all workers, as last synchronised)."""

    @abstractmethod
    def recall(self, request_id: str) -> bytes | None: ...

    @abstractmethod
    def remember(self, request_id: str, body: bytes) -> bytes | None: ...

    def sync(self, release: bool = False) -> None:  # noqa: B027 - stores without remote state: nothing to do
        """Push local counts, refresh the shared ones, return idle leases (all with ``release``), recover."""

    def close(self) -> None:  # noqa: B027
        """Sync and release."""


def new_worker_id() -> str:
    return uuid.uuid4().hex[:12]


class Recent:
    """A bounded LRU of request id -> answer."""

    def __init__(self, size: int = 100_000) -> None:
        self.size, self._d = size, OrderedDict[str, bytes]()

    def get(self, key: str) -> bytes | None:
        return self._d.get(key)

    def put(self, key: str, body: bytes) -> None:
        self._d[key] = body
        if len(self._d) > self.size:
            self._d.popitem(last=False)
