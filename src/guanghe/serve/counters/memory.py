"""In-process counters (one worker): plain dicts."""

from __future__ import annotations

from guanghe.serve.counters.base import Counters, Key, Recent


class MemoryCounters(Counters):
    def __init__(self, url: str = "memory://") -> None:
        self.url = url
        self._days: dict[str, dict[Key, int]] = {}
        self._recent = Recent()

    def _day(self, day: str) -> dict[Key, int]:
        d = self._days.get(day)
        if d is None:
            d = self._days[day] = {}
        return d

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
