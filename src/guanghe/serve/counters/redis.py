"""Counters shared by workers through Redis, with quota leased in chunks.

Per day two hashes, field ``creator:program``: ``leased`` (quota handed to workers; a Lua script grants a
chunk only up to the quota, so delivered <= leased <= quota across all workers) and ``used`` (delivered).
A worker spends its lease locally (no round trip per candidate or per boost), and ``sync()`` pushes its
delivered deltas and returns leases idle for ``idle_s`` in one token-guarded script: the batch keeps its
token until Redis confirms it, so a retry after a lost reply applies nothing twice. Request answers are
stored with ``SET NX GET`` (one round trip per request): the first worker's slate wins, the others give
their takes back. Redis unreachable: ``healthy`` turns False (the service answers organically), local
counts wait, and every call after ``retry_s`` tries again.
"""

from __future__ import annotations

import math
import time
import uuid

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from guanghe.serve.counters.base import Counters, Key, Recent

_LEASE = """
local l = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
local g = math.min(tonumber(ARGV[2]), tonumber(ARGV[3]) - l)
if g <= 0 then return 0 end
redis.call('HINCRBY', KEYS[1], ARGV[1], g)
redis.call('EXPIRE', KEYS[1], ARGV[4])
return g
"""
_FLUSH = """
if not redis.call('SET', KEYS[3], '1', 'NX', 'EX', ARGV[1]) then return 0 end
for i = 2, #ARGV, 3 do
  if ARGV[i+1] ~= '0' then redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[i+1]) end
  if ARGV[i+2] ~= '0' then redis.call('HINCRBY', KEYS[2], ARGV[i], ARGV[i+2]) end
end
redis.call('EXPIRE', KEYS[1], ARGV[1])
redis.call('EXPIRE', KEYS[2], ARGV[1])
return 1
"""
TTL = 3 * 86_400
ERRORS = (redis.ConnectionError, redis.TimeoutError, OSError)


def _field(key: Key) -> str:
    return f"{key[0]}:{key[1]}"


class RedisCounters(Counters):
    def __init__(
        self, url: str, prefix: str = "guanghe:serve", max_chunk: int = 256, idle_s: float = 5.0,
        retry_s: float = 1.0, timeout_s: float = 0.25, clock=time.monotonic,
    ) -> None:  # fmt: skip
        self.url, self.prefix, self.max_chunk = url, prefix, max_chunk
        self.idle_s, self.retry_s, self.clock, self.timeout_s = idle_s, retry_s, clock, timeout_s
        self.r = redis.Redis.from_url(
            url, socket_timeout=timeout_s, socket_connect_timeout=timeout_s, retry=Retry(NoBackoff(), 0)
        )
        self._lease_sha = self._flush_sha = ""
        self._lease: dict[tuple[str, Key], list[float]] = {}  # -> [remaining, last used]
        self._pending: dict[tuple[str, Key], int] = {}  # delivered here, not yet pushed
        self._returns: dict[tuple[str, Key], int] = {}  # lease to hand back
        self._batches: dict[str, tuple[str, dict[Key, tuple[int, int]]]] = {}  # day -> (token, in flight)
        self._known: dict[str, dict[Key, int]] = {}  # day -> shared used counts, as last read
        self._recent = Recent()
        self._exhausted: set[tuple[str, Key]] = set()
        self.worker = uuid.uuid4().hex[:12]
        self._seq = 0
        self.healthy, self._next_try = True, 0.0
        self.failures = 0
        self._call(lambda: None)

    def _down(self) -> None:
        self.healthy, self._next_try, self.failures = False, self.clock() + self.retry_s, self.failures + 1

    def _call(self, fn):
        """Run a Redis call; on a connection error mark the store down (and return None)."""
        if not self.healthy and self.clock() < self._next_try:
            return None
        try:
            for attempt in (0, 1):
                if not self._lease_sha:
                    self._lease_sha = self.r.script_load(_LEASE)
                    self._flush_sha = self.r.script_load(_FLUSH)
                try:
                    out = fn()
                    break
                except redis.exceptions.NoScriptError:  # a restarted Redis lost the scripts: load them again
                    self._lease_sha = ""
                    if attempt:
                        raise
        except (*ERRORS, redis.exceptions.NoScriptError):
            self._lease_sha = ""
            self._down()
            return None
        self.healthy = True
        return out

    def _hash(self, day: str, name: str) -> str:
        return f"{self.prefix}:{day}:{name}"

    def take(self, day: str, key: Key, quota: int) -> bool:
        dk = (day, key)
        lease = self._lease.get(dk)
        if lease is None or lease[0] <= 0:
            if not self.healthy and self.clock() < self._next_try:
                return False
            if dk in self._exhausted:  # fully leased (to us or others): ask again after the next sync
                return False
            left = quota - self.delivered(day, key)
            chunk = min(max(math.ceil(left / 16), min(left, 4), 1), self.max_chunk)
            got = self._call(
                lambda: self.r.evalsha(
                    self._lease_sha, 1, self._hash(day, "leased"), _field(key), chunk, quota, TTL
                )
            )
            if not got:
                if got == 0:
                    self._exhausted.add(dk)
                return False
            lease = self._lease[dk] = [float(got), 0.0]
        lease[0] -= 1
        lease[1] = self.clock()
        self._pending[dk] = self._pending.get(dk, 0) + 1
        return True

    def give_back(self, day: str, key: Key, n: int = 1) -> None:
        dk = (day, key)
        self._pending[dk] = self._pending.get(dk, 0) - n
        self._lease.setdefault(dk, [0.0, self.clock()])[0] += n

    def delivered(self, day: str, key: Key) -> int:
        dk = (day, key)
        n = self._known.get(day, {}).get(key, 0) + self._pending.get(dk, 0)
        batch = self._batches.get(day)
        return n + (batch[1].get(key, (0, 0))[0] if batch else 0)

    def totals(self, day: str) -> dict[Key, int]:
        keys = set(self._known.get(day, {})) | {k for d, k in self._pending if d == day}
        keys |= set(self._batches[day][1]) if day in self._batches else set()
        return {k: self.delivered(day, k) for k in keys}

    def recall(self, request_id: str) -> bytes | None:
        return self._recent.get(request_id)

    def remember(self, request_id: str, body: bytes) -> bytes | None:
        old = self._recent.get(request_id)
        if old is not None:
            return old
        if self.healthy:
            old = self._call(
                lambda: self.r.set(f"{self.prefix}:req:{request_id}", body, nx=True, get=True, ex=TTL)
            )
        self._recent.put(request_id, old or body)
        return old

    def _batch(self, day: str) -> None:
        """Move the day's pending deltas and idle leases into a batch with a fresh token."""
        now, moves = self.clock(), {}
        for dk, lease in self._lease.items():
            if dk[0] == day and lease[0] > 0 and now - lease[1] >= self.idle_s:
                self._returns[dk] = self._returns.get(dk, 0) + int(lease[0])
                lease[0] = 0
        for dk in {*self._pending, *self._returns}:
            if dk[0] == day:
                used, ret = self._pending.pop(dk, 0), self._returns.pop(dk, 0)
                if used or ret:
                    moves[dk[1]] = (used, -ret)
        if moves:
            self._seq += 1
            self._batches[day] = (f"{self.worker}-{self._seq}", moves)

    def sync(self, release: bool = False) -> None:
        self._exhausted.clear()
        if release:
            for lease in self._lease.values():
                lease[1] = -math.inf
        self._lease = {
            dk: v for dk, v in self._lease.items() if v[0] > 0 or dk[0] >= max(self._known, default="")
        }
        days = {d for d, _ in (*self._pending, *self._returns, *self._lease)} | set(self._batches)
        for day in sorted(days):
            if day not in self._batches:
                self._batch(day)
            if day in self._batches:
                token, moves = self._batches[day]
                args = [TTL, *(v for k, (u, r) in moves.items() for v in (_field(k), u, r))]
                keys = (self._hash(day, "used"), self._hash(day, "leased"), f"{self.prefix}:flush:{token}")
                if self._call(lambda k=keys, a=args: self.r.evalsha(self._flush_sha, 3, *k, *a)) is None:
                    return
                del self._batches[day]
            used = self._call(lambda d=day: self.r.hgetall(self._hash(d, "used")))
            if used is None:
                return
            known = {}
            for f, v in used.items():
                c, p = f.decode().split(":", 1)
                known[(int(c), p)] = int(v)
            self._known[day] = known

    def close(self) -> None:
        self.sync(release=True)
        self.r.close()
