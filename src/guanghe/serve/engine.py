"""The rerank decision: the organic slate, then at most K boosted works of creators with quota left, paced,
above the viewer guardrail; plus the boost pool and the service's running statistics."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from operator import attrgetter

from guanghe.config.clock import day_bounds
from guanghe.serve.counters import Counters
from guanghe.serve.model import Item, RerankRequest, RerankResponse, decode, encode
from guanghe.serve.pacing import DAY, Curve, Gains
from guanghe.serve.placement import PLACEMENTS
from guanghe.serve.plans import PlanSource
from guanghe.serve.policies import Paced, Pacer

_WORK, _SCORE = attrgetter("work_id"), attrgetter("score")
LATENCY_BUCKETS_US = (50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000)


@dataclass
class Config:
    max_boosts: int = 2  # K: boosted works per slate at most
    guardrail: float = 0.5  # a boosted work scores >= this fraction of the slate's lowest organic pick
    max_candidates: int = 500
    boost: bool = True  # False: organic order only (the benchmark's baseline)
    gains: Gains = field(default_factory=Gains)
    seed: int | None = None
    replay: bool = False  # honour a request's ``at`` (replays, tests); live: the server's clock decides
    placement: str = "cost"  # which opportunities p is spent on (``placement.py``): "cost", "rank" or "draw"


@dataclass
class Stats:
    requests: int = 0
    replays: int = 0  # retried request ids answered from memory
    rejected: dict[int, int] = field(default_factory=dict)  # status -> count
    boosts: dict[str, int] = field(default_factory=dict)  # program -> boosted impressions
    degraded: int = 0  # requests answered organically because boosting could not run (see App.health)
    score_loss: float = 0.0  # sum over slates of (organic slate score - served slate score)
    latency: list[int] = field(default_factory=lambda: [0] * (len(LATENCY_BUCKETS_US) + 1))
    latency_sum_us: float = 0.0


class Engine:
    def __init__(
        self, source: PlanSource, counters: Counters, config: Config | None = None, curve: Curve | None = None,
        clock=time.time, pacer: Pacer | None = None,
    ) -> None:  # fmt: skip
        self.source, self.counters, self.cfg = source, counters, config or Config()
        self.curve, self.clock = curve or Curve(), clock
        self.rng = random.Random(self.cfg.seed)
        self.stats = Stats()
        # the service's controller; the supply replay passes its baselines (``policies.py``)
        self.pacer = pacer or Paced(self.curve, self.cfg.gains)
        self.draw = PLACEMENTS[self.cfg.placement](self.rng)
        # (day, work, creator, program) -> boosted, not yet in the warehouse
        self.works: dict[tuple[str, int, int, str], int] = {}
        self._snap_id: object = None
        self._bounds_of: tuple[object, float, float] = (None, 0.0, 0.0)
        self._scores: dict[int, float] = {}  # work -> score of the boosts just taken

    def bounds(self) -> tuple[float, float]:
        """Start and end (epoch seconds) of the serving day in the platform's time zone."""
        snap = self.source.snapshot
        if self._bounds_of[0] is not snap:
            self._bounds_of = (snap, *day_bounds(snap.day, self.source.zone))
        return self._bounds_of[1], self._bounds_of[2]

    def now(self, at: float | None = None) -> float:
        """The time a decision is made at: the server's clock; a supplied time only in replay mode."""
        return at if at is not None and self.cfg.replay else self.clock()

    def _second(self, at: float) -> float:
        """Seconds into the platform's day (a 23- or 25-hour day is stretched onto 24 profile hours)."""
        start, end = self.bounds()
        return min(max((at - start) * DAY / (end - start), 0.0), DAY)

    def outside_day(self, now: float | None = None) -> bool:
        """Live mode: the server's clock is not in the serving day (the plan's day is over or not begun)."""
        if self.cfg.replay:
            return False
        start, end = self.bounds()
        return not start <= (self.clock() if now is None else now) < end

    def handle(self, body: bytes) -> bytes:
        """Decode, decide and encode a rerank body (raises ``BadRequest``); a retried id gets its first answer."""
        t0 = time.perf_counter()
        done = self.prepare(body)
        if isinstance(done, bytes):
            return done
        req, resp, out, takes, day = done
        return self.finish(resp, out, takes, self.counters.remember(req.request_id, out), t0, day)

    async def handle_async(self, body: bytes) -> bytes:
        """``handle`` with the request-id write awaited (other requests run meanwhile)."""
        t0 = time.perf_counter()
        done = self.prepare(body)
        if isinstance(done, bytes):
            return done
        req, resp, out, takes, day = done
        old = await self.counters.remember_async(req.request_id, out)
        return self.finish(resp, out, takes, old, t0, day)

    def prepare(self, body: bytes):
        """The remembered answer of a retried id, or (request, response, its bytes, boosts taken, day)."""
        req = decode(body, self.cfg.max_candidates)
        old = self.counters.recall(req.request_id)
        if old is not None:
            self.stats.replays += 1
            return old
        day = self.source.snapshot.day.isoformat()
        resp, takes = self.decide(req)
        return req, resp, encode(resp), takes, day

    def finish(
        self, resp: RerankResponse, out: bytes, takes: list, old: bytes | None, t0: float, day: str
    ) -> bytes:
        if old is not None:  # answered by another worker meanwhile: its slate stands, ours never happened
            self._undo(takes, day)
            self.stats.replays += 1
            return old
        self._commit(resp, takes, day)
        self._observe(time.perf_counter() - t0)
        return out

    def can_boost(self, now: float) -> bool | None:
        """True: boost; None: boosting is off by configuration (or there is no plan to serve and none was
        asked for); False: degraded (counters down or rebuilding, no quotas for the day, the day not today)."""
        snap = self.source.snapshot
        if not self.cfg.boost or self.cfg.max_boosts <= 0 or (not snap.quotas and self.source.url is None):
            return None
        if not snap.quotas or not self.counters.healthy or self.outside_day(now):
            return False
        return self.counters.ready(snap.day.isoformat())

    def decide(self, req: RerankRequest) -> tuple[RerankResponse, list[tuple[int, int, str]]]:
        """The slate and the (work, creator, program) boosts taken (not yet committed to the stats)."""
        cands = sorted(req.candidates, key=_WORK)  # score descending, ties by work id (stable sorts)
        cands.sort(key=_SCORE, reverse=True)
        n = req.slots
        organic = cands[:n]
        takes: list[tuple[int, int, str]] = []
        now = self.now(req.at)
        can = self.can_boost(now)
        healthy = can is not False
        if not healthy:
            self.stats.degraded += 1
        if can and len(cands) > n:
            takes = self._boosts(cands, n, now)
        items = [Item(c.work_id, c.creator_id, c.score) for c in organic[: n - len(takes)]]
        if takes:
            score = self._scores
            items += [Item(w, cr, score[w], p) for w, cr, p in takes]
            items.sort(key=lambda i: -i.score)
            self.stats.score_loss += sum(c.score for c in organic) - sum(i.score for i in items)
        return RerankResponse(req.request_id, items, len(takes), not healthy), takes

    def _boosts(self, cands: list, n: int, at: float) -> list[tuple[int, int, str]]:
        snap, cfg, counters = self.source.snapshot, self.cfg, self.counters
        if snap is not self._snap_id:  # a new plan or day: fresh controllers
            self._snap_id = snap
            self.pacer.reset()
            self.draw.reset()
        day, quotas, s = snap.day.isoformat(), snap.quotas, self._second(at)
        cut = cands[n - 1].score
        floor = cfg.guardrail * cut
        in_slate = {c.creator_id for c in cands[:n]}
        takes: list[tuple[int, int, str]] = []
        self._scores = {}
        for c in cands[n:]:
            if c.score < floor:
                break
            q = quotas.get(c.creator_id)
            if q is None or c.creator_id in in_slate:
                continue
            total = delivered = 0
            best, room = None, 0.0
            for prog, quota in q:
                d = counters.delivered(day, (c.creator_id, prog))
                total, delivered = total + quota, delivered + d
                if d < quota and (quota - d) / quota > room:
                    best, room = prog, (quota - d) / quota
            if best is None:
                continue
            p = self.pacer.chance(c.creator_id, s, total, delivered)
            # the j-th boost replaces the j-th lowest organic pick (its cost to the slate: that pick − score)
            if p < 1.0 and self.draw(c.score, cut, cands[max(n - 1 - len(takes), 0)].score) >= p:
                continue
            if not counters.take(day, (c.creator_id, best), dict(q)[best]):
                continue
            takes.append((c.work_id, c.creator_id, best))
            self._scores[c.work_id] = c.score
            in_slate.add(c.creator_id)
            if len(takes) >= cfg.max_boosts:
                break
        return takes

    def _undo(self, takes: list[tuple[int, int, str]], day: str) -> None:
        for _, creator, prog in takes:
            self.counters.give_back(day, (creator, prog))

    def _commit(self, resp: RerankResponse, takes: list[tuple[int, int, str]], day: str) -> None:
        st = self.stats
        st.requests += 1
        for w, creator, prog in takes:
            st.boosts[prog] = st.boosts.get(prog, 0) + 1
            k = (day, w, creator, prog)
            self.works[k] = self.works.get(k, 0) + 1

    def _observe(self, seconds: float) -> None:
        us = seconds * 1e6
        st = self.stats
        st.latency_sum_us += us
        for i, b in enumerate(LATENCY_BUCKETS_US):
            if us <= b:
                st.latency[i] += 1
                return
        st.latency[-1] += 1

    def reject(self, status: int) -> None:
        self.stats.rejected[status] = self.stats.rejected.get(status, 0) + 1

    def drain_works(self) -> dict[tuple[str, int, int, str], int]:
        """Boosted impressions per (day, work, creator, program) since the last drain (for the warehouse)."""
        out, self.works = self.works, {}
        return out

    def attainment(self) -> dict[str, tuple[int, int]]:
        """Per program: (delivered, quota) today."""
        snap = self.source.snapshot
        got = self.counters.totals(snap.day.isoformat())
        out: dict[str, tuple[int, int]] = {}
        for creator, q in snap.quotas.items():
            for prog, quota in q:
                d, tot = out.get(prog, (0, 0))
                out[prog] = (d + got.get((creator, prog), 0), tot + quota)
        return out

    def pool(self, category: str | None, limit: int, at: float | None = None) -> list[dict]:
        """Works of the creators furthest behind their target curve now (optionally of one category)."""
        snap = self.source.snapshot
        day, s = snap.day.isoformat(), self._second(self.now(at))
        due, got = self.curve.share(s), self.counters.totals(day)
        rows = []
        for creator, q in snap.quotas.items():
            works = snap.works.get(creator)
            cat = snap.category.get(creator, "")
            if not works or (category and cat != category):
                continue
            quota = sum(n for _, n in q)
            delivered = sum(got.get((creator, p), 0) for p, _ in q)
            if delivered >= quota:
                continue
            rows.append(((quota * due - delivered) / quota, creator, cat, works, quota - delivered))
        rows.sort(key=lambda r: (-r[0], r[1]))
        return [
            {"creator_id": c, "category": cat, "work_ids": list(w), "behind": round(b, 4), "remaining": rem}
            for b, c, cat, w, rem in rows[:limit]
        ]
