"""Counters shared by workers through Redis, with quota leased in chunks.

Per day two hashes, field ``creator:program``: ``leased`` (quota handed to workers; a Lua script grants a
chunk only up to the quota, so delivered <= leased <= quota across all workers) and ``used`` (delivered).
A worker spends its lease locally (no round trip per candidate or per boost), and ``sync()`` pushes its
delivered deltas and returns leases idle for ``idle_s`` in one token-guarded script: the batch keeps its
token until Redis confirms it, so a retry after a lost reply applies nothing twice. Request answers are
stored with ``SET NX GET`` on a pipelined asyncio connection (``remember_async``: one round trip per
request, awaited without blocking the event loop): the first worker's slate wins, the others give their
takes back. Redis unreachable: ``healthy`` turns False (the service answers organically), local counts
wait, and every call after ``retry_s`` tries again.

**Epochs: a Redis that lost the counts.** A day's counts live in an *epoch*, a random id under
``PREFIX:DAY:epoch`` that every lease and push names: a script finding another epoch (or none) refuses,
and so does nothing to a Redis that restarted empty (or had the keys evicted or deleted). The worker then
drops its leases and unpushed deltas and *rebuilds* the day (``SEED``): it contributes everything it
delivered that day itself (``_mine``), plus the warehouse's record of the day's deliveries (``history``)
of every worker not alive in the new epoch (the ones gone, whose deliveries were flushed at shutdown).
Contributions are kept per (worker, key) in ``PREFIX:DAY:added`` and merged by maximum, so any order and
any retry gives the same total. A worker that knew an older epoch also holds new leases for ``grace_s``
(``PREFIX:DAY:hold``), time for every other worker to notice the loss (each syncs every 0.5 s) and stop
spending the leases of the old epoch. The guarantee is exact when every worker that delivered boosts that
day is either alive or flushed its deliveries; a worker that crashed with unflushed deliveries is lost
with them (see docs/serving.md on Redis persistence, which makes the rebuild unnecessary).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import math
import socket
import time
import uuid

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from guanghe.config import parse_url
from guanghe.serve.counters.base import Counters, Key, Recent, new_worker_id

log = logging.getLogger(__name__)

# KEYS: leased, epoch, hold; ARGV: field, chunk, quota, ttl, epoch, now
_LEASE = """
if redis.call('GET', KEYS[2]) ~= ARGV[5] then return -1 end
local h = redis.call('GET', KEYS[3])
if h and tonumber(ARGV[6]) < tonumber(h) then return 0 end
local l = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
local g = math.min(tonumber(ARGV[2]), tonumber(ARGV[3]) - l)
if g <= 0 then return 0 end
redis.call('HINCRBY', KEYS[1], ARGV[1], g)
redis.call('EXPIRE', KEYS[1], ARGV[4])
return g
"""
# KEYS: used, leased, token, epoch; ARGV: ttl, epoch, then (field, used, lease returned) triples
_FLUSH = """
if redis.call('GET', KEYS[4]) ~= ARGV[2] then return -1 end
if not redis.call('SET', KEYS[3], '1', 'NX', 'EX', ARGV[1]) then return 0 end
for i = 3, #ARGV, 3 do
  if ARGV[i+1] ~= '0' then redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[i+1]) end
  if ARGV[i+2] ~= '0' then redis.call('HINCRBY', KEYS[2], ARGV[i], ARGV[i+2]) end
end
redis.call('EXPIRE', KEYS[1], ARGV[1])
redis.call('EXPIRE', KEYS[2], ARGV[1])
return 1
"""
# KEYS: used, leased, epoch, hold, added, live
# ARGV: ttl, new epoch, worker, hold until (0: none), n own, own (field, n) pairs, then others' (worker,
# field, n) triples. Returns the epoch in force and the impressions it added.
_SEED = """
local ttl = ARGV[1]
local e = redis.call('GET', KEYS[3])
if not e then
  redis.call('DEL', KEYS[1], KEYS[2], KEYS[4], KEYS[5], KEYS[6])
  e = ARGV[2]
  redis.call('SET', KEYS[3], e, 'EX', ttl)
end
local hold = tonumber(ARGV[4])
if hold > 0 and hold > tonumber(redis.call('GET', KEYS[4]) or '0') then
  redis.call('SET', KEYS[4], ARGV[4], 'EX', ttl)
end
redis.call('SADD', KEYS[6], ARGV[3])
local total = 0
local function add(w, f, n)
  local k = w .. '|' .. f
  local a = tonumber(redis.call('HGET', KEYS[5], k) or '0')
  if n > a then
    redis.call('HINCRBY', KEYS[1], f, n - a)
    redis.call('HINCRBY', KEYS[2], f, n - a)
    redis.call('HSET', KEYS[5], k, n)
    total = total + n - a
  end
end
local own = tonumber(ARGV[5])
local i = 6
for _ = 1, own do
  add(ARGV[3], ARGV[i], tonumber(ARGV[i+1]))
  i = i + 2
end
while i <= #ARGV do
  if redis.call('SISMEMBER', KEYS[6], ARGV[i]) == 0 then add(ARGV[i], ARGV[i+1], tonumber(ARGV[i+2])) end
  i = i + 3
end
for j = 1, 6 do
  if j ~= 3 and j ~= 4 then redis.call('EXPIRE', KEYS[j], ttl) end
end
return {e, total}
"""
TTL = 3 * 86_400
ERRORS = (redis.ConnectionError, redis.TimeoutError, OSError)


def _field(key: Key) -> str:
    return f"{key[0]}:{key[1]}"


def _key(field: bytes | str) -> Key:
    text = field.decode() if isinstance(field, bytes) else field
    c, p = text.split(":", 1)
    return int(c), p


class RedisCounters(Counters):
    def __init__(
        self, url: str, prefix: str = "guanghe:serve", max_chunk: int = 256, idle_s: float = 5.0,
        retry_s: float = 1.0, timeout_s: float = 0.25, grace_s: float = 2.0, clock=time.monotonic,
        wall=time.time,
    ) -> None:  # fmt: skip
        self.url, self.prefix, self.max_chunk = url, prefix, max_chunk
        self.idle_s, self.retry_s, self.clock, self.timeout_s = idle_s, retry_s, clock, timeout_s
        self.grace_s, self.wall = grace_s, wall
        self.r = redis.Redis.from_url(
            url, socket_timeout=timeout_s, socket_connect_timeout=timeout_s, retry=Retry(NoBackoff(), 0)
        )
        self._lease_sha = self._flush_sha = self._seed_sha = ""
        self._lease: dict[tuple[str, Key], list[float]] = {}  # -> [remaining, last used, last chunk]
        self._pending: dict[tuple[str, Key], int] = {}  # delivered here, not yet pushed
        self._returns: dict[tuple[str, Key], int] = {}  # lease to hand back
        self._batches: dict[str, tuple[str, dict[Key, tuple[int, int]]]] = {}  # day -> (token, in flight)
        self._known: dict[str, dict[Key, int]] = {}  # day -> shared used counts, as last read
        self._leased: dict[str, dict[Key, int]] = {}  # day -> quota leased to all workers, as last read
        self._mine: dict[str, dict[Key, int]] = {}  # day -> delivered by this process (all of it)
        self._epoch: dict[str, bytes] = {}  # day -> the epoch this process's counts belong to
        self._lost: set[str] = set()  # days whose epoch vanished: to be rebuilt before boosting again
        self._next_seed: dict[str, float] = {}  # day -> do not try to rebuild before
        self._recent = Recent()
        self._exhausted: set[tuple[str, Key]] = set()
        self._refilling: set[tuple[str, Key]] = set()  # next chunk asked for, reply not yet in
        self.worker = new_worker_id()
        self._seq = 0
        self.healthy, self._next_try = True, 0.0
        self.failures = 0
        self._pipe: _Pipe | None = None
        self._call(lambda: None)

    # -- plumbing -----------------------------------------------------------------------------------
    def _down(self, why: object = "") -> None:
        if self.healthy:
            log.warning("counters degraded: %s unreachable (%s)", self.url.split("@")[-1], why or "error")
        self.healthy, self._next_try, self.failures = False, self.clock() + self.retry_s, self.failures + 1

    def _up(self) -> None:
        if not self.healthy:
            log.warning("counters recovered: %s reachable again", self.url.split("@")[-1])
        self.healthy = True

    def _call(self, fn):
        """Run a Redis call; on a connection error mark the store down (and return None)."""
        if not self.healthy and self.clock() < self._next_try:
            return None
        try:
            for attempt in (0, 1):
                if not self._lease_sha:
                    self._lease_sha = self.r.script_load(_LEASE)
                    self._flush_sha = self.r.script_load(_FLUSH)
                    self._seed_sha = self.r.script_load(_SEED)
                try:
                    out = fn()
                    break
                except redis.exceptions.NoScriptError:  # a restarted Redis lost the scripts: load them again
                    self._lease_sha = ""
                    if attempt:
                        raise
        except (*ERRORS, redis.exceptions.NoScriptError) as e:
            self._lease_sha = ""
            self._down(e)
            return None
        self._up()
        return out

    def _hash(self, day: str, name: str) -> str:
        return f"{self.prefix}:{day}:{name}"

    # -- epochs and the rebuild ---------------------------------------------------------------------
    def ready(self, day: str) -> bool:
        if day in self._epoch and day not in self._lost:
            return True
        return self._join(day)

    def _join(self, day: str) -> bool:
        """Adopt the day's epoch, or rebuild the day's counts when there is none (or ours vanished)."""
        if self.clock() < self._next_seed.get(day, 0.0):
            return False
        found = self._call(lambda: self.r.get(self._hash(day, "epoch")))
        if found is None and not self.healthy:
            return False
        if found is not None and day not in self._lost and not self._mine.get(day):
            self._epoch[day] = found  # counts in Redis already, nothing of ours missing from them
            return True
        history = {} if self.history is None else self.history(day)
        if history is None:  # the warehouse is busy: try again shortly, boost nothing meanwhile
            self._next_seed[day] = self.clock() + self.retry_s
            return False
        reseed = day in self._epoch or day in self._lost
        hold = self.wall() + self.grace_s if reseed and self.grace_s > 0 else 0
        own = [v for k, n in self._mine.get(day, {}).items() if n > 0 for v in (_field(k), n)]
        others = [v for (w, k), n in history.items() if w != self.worker and n > 0 for v in (w, _field(k), n)]
        keys = [self._hash(day, n) for n in ("used", "leased", "epoch", "hold", "added", "live")]
        args = [TTL, uuid.uuid4().hex, self.worker, f"{hold:.3f}", len(own) // 2, *own, *others]
        got = self._call(lambda: self.r.evalsha(self._seed_sha, 6, *keys, *args))
        if got is None:
            return False
        epoch, added = got
        self._epoch[day] = epoch
        self._lost.discard(day)
        self._exhausted = {dk for dk in self._exhausted if dk[0] != day}
        self.rebuilds += 1
        log.log(
            logging.WARNING if reseed else logging.INFO,
            "counters for %s rebuilt in epoch %s: %d impressions added (%d delivered here; the warehouse "
            "records %d by other workers)%s",
            day, epoch.decode(), added, sum(own[1::2]), sum(others[2::3]),
            f"; no new leases for {self.grace_s:g} s" if hold else "",
        )  # fmt: skip
        self._read(day)
        return True

    def _vanished(self, day: str) -> None:
        """The day's epoch is gone (Redis restarted empty, keys evicted): drop what belonged to it."""
        if day in self._lost:
            return
        log.warning("counters for %s lost by Redis (epoch %s gone): rebuilding", day,
                    self._epoch.get(day, b"?").decode())  # fmt: skip
        self._lost.add(day)
        for dk in [dk for dk in self._lease if dk[0] == day]:
            del self._lease[dk]
        for store in (self._pending, self._returns):
            for dk in [dk for dk in store if dk[0] == day]:
                del store[dk]
        self._batches.pop(day, None)
        self._known.pop(day, None)
        self._leased.pop(day, None)

    def _read(self, day: str) -> bool:
        """Refresh the day's shared counts; notice a vanished epoch."""
        pipe = self.r.pipeline(transaction=False)
        pipe.get(self._hash(day, "epoch"))
        pipe.hgetall(self._hash(day, "used"))
        pipe.hgetall(self._hash(day, "leased"))
        got = self._call(pipe.execute)
        if got is None:
            return False
        epoch, used, leased = got
        if day in self._epoch and epoch != self._epoch[day]:
            self._vanished(day)
            return False
        self._known[day] = {_key(f): int(v) for f, v in used.items()}
        self._leased[day] = {_key(f): int(v) for f, v in leased.items()}
        return True

    # -- counting -----------------------------------------------------------------------------------
    def take(self, day: str, key: Key, quota: int) -> bool:
        dk = (day, key)
        lease = self._lease.get(dk)
        if lease is None or lease[0] <= 0:
            if not self.healthy and self.clock() < self._next_try:
                return False
            if dk in self._exhausted:  # fully leased (to us or others): ask again after the next sync
                return False
            if not self.ready(day):
                return False
            if self._leased.get(day, {}).get(key, 0) >= quota:  # fully leased as of the last sync
                self._exhausted.add(dk)
                return False
            args = self._lease_args(day, key, quota)
            got = self._call(lambda: self.r.evalsha(self._lease_sha, 3, *args))
            if not got or got < 0:
                if got == 0:
                    self._exhausted.add(dk)
                elif got == -1:
                    self._vanished(day)
                return False
            lease = self._lease[dk] = [float(got), 0.0, float(got)]
        lease[0] -= 1
        lease[1] = self.clock()
        # ask for the next chunk early on busy keys with quota to spare (chunks of 8+: 113+ impressions left);
        # near the end of a quota chunks are small and a worker holding two would starve the others
        if (
            lease[2] >= 8
            and lease[0] <= lease[2] / 4
            and dk not in self._refilling
            and self._pipe is not None
        ):
            self._refill(day, key, quota)
        self._pending[dk] = self._pending.get(dk, 0) + 1
        mine = self._mine.get(day)
        if mine is None:
            mine = self._mine[day] = {}
        mine[key] = mine.get(key, 0) + 1
        return True

    def _lease_args(self, day: str, key: Key, quota: int) -> list:
        left = quota - self.delivered(day, key)
        chunk = min(max(math.ceil(left / 16), min(left, 4), 1), self.max_chunk)
        keys = (self._hash(day, "leased"), self._hash(day, "epoch"), self._hash(day, "hold"))
        return [*keys, _field(key), chunk, quota, TTL, self._epoch[day], self.wall()]

    def _refill(self, day: str, key: Key, quota: int) -> None:
        """Ask for the next chunk before this one runs out, on the pipelined connection (not waited for):
        in steady state no lease round trip blocks a request. Outside an event loop, or with the connection
        down, the next take leases as before."""
        pipe = self._pipe
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        if pipe is None or pipe.closed or pipe.loop is not loop or not self._lease_sha or not self.healthy:
            return
        if self._leased.get(day, {}).get(key, 0) >= quota:
            return
        dk, epoch = (day, key), self._epoch[day]
        args = [str(a).encode() if not isinstance(a, bytes) else a for a in self._lease_args(day, key, quota)]
        try:
            fut = pipe.call(b"EVALSHA", self._lease_sha.encode(), b"3", *args)
        except ConnectionError:
            return
        self._refilling.add(dk)
        fut.add_done_callback(lambda f: self._refilled(dk, epoch, f))

    def _refilled(self, dk: tuple[str, Key], epoch: bytes, fut: asyncio.Future) -> None:
        self._refilling.discard(dk)
        if fut.cancelled() or fut.exception() is not None:
            return  # (a lost script or connection: the next take leases synchronously and finds out)
        got = fut.result()
        if got == -1:
            self._vanished(dk[0])
        elif got == 0:
            self._exhausted.add(dk)
        elif got > 0 and self._epoch.get(dk[0]) == epoch and dk[0] not in self._lost:
            lease = self._lease.get(dk)
            if lease is None:
                lease = self._lease[dk] = [0.0, self.clock(), 0.0]
            lease[0] += got
            lease[2] = float(got)
        # (a grant for an epoch since lost stays counted as leased there: safe, never over the quota)

    def give_back(self, day: str, key: Key, n: int = 1) -> None:
        dk = (day, key)
        self._pending[dk] = self._pending.get(dk, 0) - n
        self._lease.setdefault(dk, [0.0, self.clock(), 0.0])[0] += n
        mine = self._mine.setdefault(day, {})
        mine[key] = mine.get(key, 0) - n

    def delivered(self, day: str, key: Key) -> int:
        dk = (day, key)
        n = self._known.get(day, {}).get(key, 0) + self._pending.get(dk, 0)
        batch = self._batches.get(day)
        return n + (batch[1].get(key, (0, 0))[0] if batch else 0)

    def totals(self, day: str) -> dict[Key, int]:
        keys = set(self._known.get(day, {})) | {k for d, k in self._pending if d == day}
        keys |= set(self._batches[day][1]) if day in self._batches else set()
        return {k: self.delivered(day, k) for k in keys}

    # -- request answers ----------------------------------------------------------------------------
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

    async def remember_async(self, request_id: str, body: bytes) -> bytes | None:
        old = self._recent.get(request_id)
        if old is not None:
            return old
        if not self.url.startswith("redis://"):  # (TLS and unix sockets: the client's blocking call)
            return self.remember(request_id, body)
        if self.healthy or self.clock() >= self._next_try:
            try:
                pipe = await self._connected()
                old = await pipe.call(
                    b"SET",
                    f"{self.prefix}:req:{request_id}".encode(),
                    body,
                    b"NX",
                    b"GET",
                    b"EX",
                    b"%d" % TTL,
                )
            except (ConnectionError, OSError, TimeoutError, RespError, ValueError) as e:
                self._down(e)
                old = None
            else:
                self._up()
        old = self._recent.get(request_id) or old  # (answered meanwhile by this worker: that answer stands)
        self._recent.put(request_id, old or body)
        return old

    async def _connected(self) -> _Pipe:
        loop = asyncio.get_running_loop()
        pipe = self._pipe
        if pipe is None or pipe.closed or pipe.loop is not loop:
            if pipe is not None:
                pipe.close()
            self._pipe = pipe = await _Pipe.open(self.url, self.timeout_s)
        return pipe

    # -- upkeep -------------------------------------------------------------------------------------
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
        days |= self._lost | ({max(self._epoch)} if self._epoch else set())  # (the newest day: notice a loss)
        for day in sorted(days):
            if (day in self._lost or day not in self._epoch) and not self._join(day):
                if not self.healthy:
                    return
                continue
            if day not in self._batches:
                self._batch(day)
            if day in self._batches:
                token, moves = self._batches[day]
                args = [TTL, self._epoch[day], *(v for k, (u, r) in moves.items() for v in (_field(k), u, r))]
                keys = (self._hash(day, "used"), self._hash(day, "leased"), f"{self.prefix}:flush:{token}",
                        self._hash(day, "epoch"))  # fmt: skip
                done = self._call(lambda k=keys, a=args: self.r.evalsha(self._flush_sha, 4, *k, *a))
                if done is None:
                    return
                if done == -1:
                    self._vanished(day)
                    if not self._join(day):
                        continue
                else:
                    del self._batches[day]
            if not self._read(day):
                if not self.healthy:
                    return
                self._join(day)

    def close(self) -> None:
        self.sync(release=True)
        if self._pipe is not None:
            self._pipe.close()
        self.r.close()


# -- a pipelined RESP connection for the per-request write --------------------------------------------
class RespError(Exception):
    """An error reply from Redis."""


class _Pipe(asyncio.Protocol):
    """One connection, the commands of one turn of the event loop written together, replies matched in order
    (Redis answers in order): many requests in flight share it without a pool or a lock. A reply later than
    ``timeout_s`` closes the connection and fails everything in flight (the caller marks the store down)."""

    def __init__(self, timeout_s: float) -> None:
        self.timeout_s = timeout_s
        self.loop = asyncio.get_running_loop()
        self.transport: asyncio.Transport | None = None
        self.waiting: collections.deque[tuple[asyncio.Future, float]] = collections.deque()
        self.buf = bytearray()
        self.closed = False
        self._timer: asyncio.TimerHandle | None = None
        self._out: list[bytes] = []  # commands of this turn of the event loop, written together
        self._suspect: asyncio.Future | None = None

    @classmethod
    async def open(cls, url: str, timeout_s: float) -> _Pipe:
        u = parse_url(url, ("redis",), "counters")
        loop = asyncio.get_running_loop()
        _, pipe = await asyncio.wait_for(
            loop.create_connection(lambda: cls(timeout_s), u.host or "127.0.0.1", u.port or 6379), timeout_s
        )
        from urllib.parse import unquote, urlsplit

        parts = urlsplit(url)
        auth = [unquote(x) for x in (parts.username, parts.password) if x]
        first = [pipe.call(b"AUTH", *(a.encode() for a in auth))] if parts.password else []
        if u.database not in ("", "0"):
            first.append(pipe.call(b"SELECT", u.database.encode()))
        for f in first:
            await f
        return pipe

    def connection_made(self, transport) -> None:
        self.transport = transport
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            # small pipelined writes must not wait for the previous reply's ACK (Nagle): a 40 ms stall
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def connection_lost(self, exc) -> None:
        self.closed = True
        self._fail(ConnectionError(f"redis connection lost: {exc}"))

    def _fail(self, exc: Exception) -> None:
        while self.waiting:
            fut, _ = self.waiting.popleft()
            if not fut.done():
                fut.set_exception(exc)

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            with contextlib.suppress(RuntimeError):  # its event loop is gone already
                self.transport.close()
        self._fail(ConnectionError("redis connection closed"))

    def call(self, *args: bytes) -> asyncio.Future:
        if self.closed or self.transport is None:
            raise ConnectionError("redis connection closed")
        out = self._out
        if not out:
            self.loop.call_soon(self._write)
        out.append(b"*%d\r\n" % len(args))
        for a in args:
            out += (b"$%d\r\n" % len(a), a, b"\r\n")
        fut = self.loop.create_future()
        self.waiting.append((fut, self.loop.time()))
        if self._timer is None:
            self._timer = self.loop.call_later(self.timeout_s, self._check)
        return fut

    def _write(self) -> None:
        out, self._out = self._out, []
        if out and not self.closed and self.transport is not None:
            self.transport.write(b"".join(out))

    def _check(self) -> None:
        self._timer = None
        if not self.waiting:
            return
        oldest = self.waiting[0][0]
        age = self.loop.time() - self.waiting[0][1]
        if age >= self.timeout_s and oldest is not self._suspect:
            # A busy event loop runs its timers before it reads the sockets: give the reply one more read
            # of the socket before calling it lost.
            self._suspect = oldest
            self._timer = self.loop.call_later(0.01, self._check)
            return
        if age >= self.timeout_s:
            self.closed = True
            if self.transport is not None:
                self.transport.abort()
            self._fail(TimeoutError(f"no reply from redis in {self.timeout_s} s"))
            return
        self._timer = self.loop.call_later(self.timeout_s - age, self._check)

    def data_received(self, data: bytes) -> None:
        buf = self.buf
        buf += data
        pos = 0
        while self.waiting:
            end = buf.find(b"\r\n", pos)
            if end < 0:
                break
            kind, head = buf[pos], bytes(buf[pos + 1 : end])
            if kind == 36:  # $: bulk string
                n = int(head)
                if n < 0:
                    value, nxt = None, end + 2
                else:
                    if len(buf) < end + 2 + n + 2:
                        break
                    value, nxt = bytes(buf[end + 2 : end + 2 + n]), end + 2 + n + 2
            elif kind == 45:  # -: error
                value, nxt = RespError(head.decode(errors="replace")), end + 2
            elif kind == 58:  # :: integer
                value, nxt = int(head), end + 2
            elif kind == 43:  # +: simple string
                value, nxt = head, end + 2
            elif kind == 95:  # _: RESP3 null
                value, nxt = None, end + 2
            else:  # nothing we send answers with an aggregate: the stream is out of step
                self.close()
                return
            pos = nxt
            fut, _ = self.waiting.popleft()
            if not fut.done():
                if isinstance(value, RespError):
                    fut.set_exception(value)
                else:
                    fut.set_result(value)
        del buf[:pos]
