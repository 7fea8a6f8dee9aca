"""``guanghe replay --supply F``: pacing when supply is short, three policies on one request stream.

The ample replay (``replay.py``) puts the lagging creators' works in front of the service on demand, so any
policy reaches its quotas. Here the supply is finite and fixed before the day starts: each planned creator
with quota Q is offered in F·Q requests (the scarcity factor), each offer a candidate the service *can*
boost — it scores between ``guardrail`` x the slate's lowest organic pick and that pick, and its creator is
not in the organic slate. Offers land on requests uniformly, so they follow the audience's hourly profile
(``programs/hours.py``) like the requests do; organic retrieval draws only the unplanned creators' works.
The same stream (same seed) goes through each policy's engine (``policies.py``): the service's controller,
"greedy" (boost whenever eligible) and "even spread" (Q/24 per hour), plus the controller's viewer-cost
variants (placement, K, guardrail). Each is scored on attainment, the hourly tracking gap against the target
curve, overspend and viewer cost.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

import msgspec
import numpy as np

from guanghe.config.clock import day_bounds
from guanghe.serve.counters import open_counters
from guanghe.serve.engine import Config, Engine
from guanghe.serve.model import Candidate, RerankRequest, RerankResponse
from guanghe.serve.pacing import Curve
from guanghe.serve.plans import PlanSource, Snapshot
from guanghe.serve.policies import BASELINES, Pacer
from guanghe.serve.replay import Catalog, arrivals

OFFERS_PER_REQUEST = 0.5  # default sizing: requests = F·Q / this (offers rarely compete for one slate's K)


@dataclass(frozen=True)
class Policy:
    """One engine of the comparison: a pacer (None: the service's controller) and its configuration."""

    name: str
    config: Config
    pacer: type[Pacer] | None = None

    def engine(self, snap: Snapshot, zone) -> Engine:
        pacer = self.pacer() if self.pacer is not None else None
        return Engine(PlanSource.fixed(snap, zone), open_counters("memory://"), self.config, pacer=pacer)


def policies(cfg: Config, sweep: bool = True) -> list[Policy]:
    """The controller and the two baselines; with ``sweep`` the controller's viewer-cost variants too."""
    out = [Policy("controller", cfg)] + [Policy(n, cfg, p) for n, p in BASELINES.items()]
    if sweep:
        k, g0 = cfg.max_boosts, cfg.guardrail
        variants = [(pl, k, g0) for pl in ("draw", "rank") if pl != cfg.placement]  # the baselines
        variants += [(cfg.placement, kk, g0) for kk in (1, 2, 3)]
        variants += [(cfg.placement, k, g) for g in (0.7, 0.8) if g > g0]
        out += [Policy(f"controller {pl} K={k} g={g:g}", replace(cfg, placement=pl, max_boosts=k, guardrail=g))
                for pl, k, g in variants]  # fmt: skip
    return out


@dataclass
class Outcome:
    """One policy's day."""

    name: str
    delivered: dict[tuple[int, str], int] = field(default_factory=dict)
    hourly: list[int] = field(default_factory=lambda: [0] * 24)
    loss: float = 0.0
    slates_boosted: int = 0

    def summary(self, quotas: dict[tuple[int, str], int], organic: float, curve: Curve) -> dict:
        """attainment, gap_max / gap_mean (|cumulative delivered − Q·C(h)| / Q at each hour's end), ahead (the
        largest lead over the curve / Q), overspend (beyond quota / Q), viewer cost (loss / organic score)."""
        q = max(1, sum(quotas.values()))
        got = sum(self.delivered.values())
        over = sum(max(0, self.delivered.get(k, 0) - n) for k, n in quotas.items())
        cum, gaps, ahead = 0, [], 0.0
        for h, n in enumerate(self.hourly):
            cum += n
            diff = (cum - q * curve.share((h + 1) * 3600.0)) / q
            gaps.append(abs(diff))
            ahead = max(ahead, diff)
        return {"policy": self.name, "delivered": got, "quota": q, "attainment": got / q,
                "gap_max": max(gaps), "gap_mean": sum(gaps) / len(gaps), "ahead": ahead,
                "overspend": over / q, "viewer_cost": self.loss / max(organic, 1e-12),
                "slates_boosted": self.slates_boosted}  # fmt: skip


@dataclass
class SupplyReport:
    factor: float
    requests: int
    offers: int  # offers placed (F·Q in total, less any that found no request in the band)
    quota: int
    offers_by_hour: list[int]
    rows: list[dict]  # one summary per policy, in the order run

    def row(self, name: str) -> dict:
        return next(r for r in self.rows if r["policy"] == name)


class Stream:
    """The finite-supply request stream of a day: organic candidates per request (regenerated from a
    per-request seed) and the offers, fixed before the first request."""

    def __init__(
        self, snap: Snapshot, catalog: Catalog, requests: int, factor: float, slots: int = 10,
        organic: int = 180, users: int = 5_000, guardrail: float = 0.5, seed: int = 0,
    ) -> None:  # fmt: skip
        rng = np.random.default_rng(seed)
        self.snap, self.slots, self.organic, self.seed = snap, slots, organic, seed
        self.interest = rng.dirichlet(np.full(len(catalog.categories), 0.3), users)
        self.times = arrivals(requests, rng)
        self.users = rng.integers(users, size=requests)
        free = ~np.isin(catalog.creator_id, np.fromiter(snap.quotas, np.int64, len(snap.quotas)))
        self.catalog = catalog
        self.by_cat = [np.flatnonzero(free & (catalog.category == k)) for k in range(len(catalog.categories))]
        cuts = np.array([self._cut(i) for i in range(requests)])
        self._offer(rng, cuts, factor, guardrail, {c: k for k, c in enumerate(catalog.categories)})

    def _organic(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        rng, u, cat = np.random.default_rng((self.seed, i)), self.users[i], self.catalog
        counts = rng.multinomial(self.organic, self.interest[u])
        idx = np.unique(np.concatenate([self.by_cat[k][rng.integers(len(self.by_cat[k]), size=m)]
                                        for k, m in enumerate(counts) if m and len(self.by_cat[k])] or [[]]))  # fmt: skip
        idx = idx.astype(np.int64)
        scores = (
            cat.quality[idx] * (0.2 + self.interest[u, cat.category[idx]]) * rng.lognormal(0, 0.3, idx.size)
        )
        return idx, scores

    def _cut(self, i: int) -> float:
        scores = self._organic(i)[1]
        return float(np.sort(scores)[-self.slots]) if scores.size >= self.slots else 0.0

    def _offer(self, rng, cuts: np.ndarray, factor: float, guardrail: float, code: dict[str, int]) -> None:
        """F·Q offers per creator, each on a request where its score falls in [guardrail·cut, cut)."""
        creators = [c for c in sorted(self.snap.quotas) if self.snap.works.get(c)]
        n = np.array([round(factor * self.snap.total(c)) for c in creators], np.int64)
        owner = np.repeat(np.arange(len(creators)), n)
        cat = np.array([code.get(self.snap.category.get(c, ""), 0) for c in creators], np.int64)[owner]
        req, score = np.full(owner.size, -1, np.int64), np.zeros(owner.size)
        for _ in range(500):
            todo = np.flatnonzero(req < 0)
            if not todo.size:
                break
            i = rng.integers(len(cuts), size=todo.size)
            s = rng.lognormal(0, 0.4, todo.size) * (0.2 + self.interest[self.users[i], cat[todo]])
            s *= rng.lognormal(0, 0.3, todo.size)
            ok = (s >= guardrail * cuts[i]) & (s < cuts[i])
            req[todo[ok]], score[todo[ok]] = i[ok], s[ok]
            placed = np.flatnonzero(req >= 0)  # one offer per creator and request: later duplicates go again
            _, first = np.unique(req[placed] * len(creators) + owner[placed], return_index=True)
            req[np.setdiff1d(placed, placed[first])] = -1
        keep = np.flatnonzero(req >= 0)
        order = keep[np.argsort(req[keep], kind="stable")]
        works = [self.snap.works[creators[o]] for o in owner[order]]
        pick = rng.integers(0, 1 << 30, order.size)
        self.offer_req = req[order]
        self.offer_creator = np.array([creators[o] for o in owner[order]], np.int64)
        self.offer_work = np.array([w[p % len(w)] for w, p in zip(works, pick, strict=True)], np.int64)
        self.offer_score = score[order]

    def requests(self, start: float, stretch: float):
        """(second of the day, body, organic slate score) per request, in time order."""
        lo = np.searchsorted(self.offer_req, np.arange(len(self.times)), "left")
        hi = np.searchsorted(self.offer_req, np.arange(len(self.times)), "right")
        cat = self.catalog
        for i, t in enumerate(self.times):
            idx, scores = self._organic(i)
            top = float(np.sort(scores)[::-1][: self.slots].sum())
            cands = [Candidate(int(w), int(c), float(s))
                     for w, c, s in zip(cat.work_id[idx], cat.creator_id[idx], scores, strict=True)]  # fmt: skip
            cands += [Candidate(int(self.offer_work[j]), int(self.offer_creator[j]), float(self.offer_score[j]))
                      for j in range(lo[i], hi[i])]  # fmt: skip
            req = RerankRequest(f"supply-{self.seed}-{i}", int(self.users[i]), self.slots, cands,
                                at=float(start + t * stretch))  # fmt: skip
            yield float(t), msgspec.json.encode(req), top

    def offers_by_hour(self) -> list[int]:
        hours = np.minimum((self.times[self.offer_req] // 3600).astype(np.int64), 23)
        return np.bincount(hours, minlength=24).tolist()


def run(
    snap: Snapshot, catalog: Catalog, requests: int, factor: float, cfg: Config, slots: int = 10,
    seed: int = 0, zone=None, sweep: bool = True, progress: Callable[[int], None] | None = None,
) -> SupplyReport:  # fmt: skip
    """Replay one finite-supply day through every policy's engine (in-process, memory counters)."""
    cfg = replace(cfg, replay=True, seed=seed)
    stream = Stream(snap, catalog, requests, factor, slots, guardrail=cfg.guardrail, seed=seed)
    start, end = day_bounds(snap.day, zone or PlanSource.fixed(snap).zone)
    runs = [(p, p.engine(snap, zone), Outcome(p.name)) for p in policies(cfg, sweep)]
    decoder, organic = msgspec.json.Decoder(RerankResponse), 0.0
    for i, (t, body, top) in enumerate(stream.requests(start, (end - start) / 86_400)):
        organic += top
        hour = min(int(t // 3600), 23)
        for _, eng, out in runs:
            resp = decoder.decode(eng.handle(body))
            out.loss += top - sum(it.score for it in resp.items)
            out.slates_boosted += resp.boosted > 0
            out.hourly[hour] += resp.boosted
            for it in resp.items:
                if it.program is not None:
                    k = (it.creator_id, it.program)
                    out.delivered[k] = out.delivered.get(k, 0) + 1
        if progress is not None and i % 500 == 499:
            progress(500)
    quotas = {(c, p): n for c, q in snap.quotas.items() for p, n in q}
    curve = runs[0][1].curve
    rows = [out.summary(quotas, organic, curve) for _, _, out in runs]
    return SupplyReport(
        factor, requests, len(stream.offer_req), sum(quotas.values()), stream.offers_by_hour(), rows
    )
