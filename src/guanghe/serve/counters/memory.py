"""In-process counters (one worker): plain dicts, seeded from the warehouse's record of the day's
deliveries the first time a day is used (a restarted service does not hand out today's quotas again)."""

from __future__ import annotations

import logging
import time

from guanghe.serve.counters.base import Counters, Key, Recent, new_worker_id

log = logging.getLogger(__name__)


class MemoryCounters(Counters):
    def __init__(self, url: str = "memory://", retry_s: float = 1.0, clock=time.monotonic) -> None:
        self.url, self.worker, self.retry_s, self.clock = url, new_worker_id(), retry_s, clock
        self._days: dict[str, dict[Key, int]] = {}
        self._seeded: set[str] = set()
        self._next_try = 0.0
        self._recent = Recent()

    def _day(self, day: str) -> dict[Key, int]:
        d = self._days.get(day)
        if d is None:
            d = self._days[day] = {}
        return d

    def ready(self, day: str) -> bool:
        if day in self._seeded or self.history is None:
            return True
        if self.clock() < self._next_try:
            return False
        found = self.history(day)
        if found is None:  # the warehouse is busy: boost nothing until its record can be read
            self._next_try = self.clock() + self.retry_s
            return False
        d = self._day(day)
        for (worker, key), n in found.items():
            if worker != self.worker:
                d[key] = d.get(key, 0) + n
        self._seeded.add(day)
        self.rebuilds += 1
        log.info("counters for %s rebuilt from the warehouse: %d impressions over %d keys", day,
                 sum(found.values()), len({k for _, k in found}))  # fmt: skip
        return True

    def take(self, day: str, key: Key, quota: int) -> bool:
        d = self._day(day)
        n = d.get(key, 0)
        if n >= quota:
            return False
        d[key] = n + 1
        return True

    def give_back(self, day: str, key: Key, n: int = 1) -> None:
        d = self._day(day)
        d[key] = max(0, d.get(key, 0) - n)

    def delivered(self, day: str, key: Key) -> int:
        return self._day(day).get(key, 0)

    def totals(self, day: str) -> dict[Key, int]:
        return dict(self._day(day))

    def recall(self, request_id: str) -> bytes | None:
        return self._recent.get(request_id)

    def remember(self, request_id: str, body: bytes) -> bytes | None:
        old = self._recent.get(request_id)
        if old is None:
            self._recent.put(request_id, body)
        return old
