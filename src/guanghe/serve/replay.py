"""``guanghe replay``: a day of feed requests from the synthetic platform sent through the service.

Viewers have Dirichlet interests over categories; requests arrive along the audience's hourly profile. A
request's candidates are organic retrieval (works of the last 90 days, drawn by the viewer's interests) plus
works from the boost pool (refreshed every simulated minute, drawn by interest too), scored
quality x interest x noise. The report: per-creator daily delivery against quota, per program, overspend,
and the viewer-side cost (mean score loss per slate against the organic top slots).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import msgspec
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from guanghe.config.clock import day_bounds, platform_zone
from guanghe.data.warehouse import open_warehouse
from guanghe.programs.hours import PROFILES
from guanghe.serve.model import Candidate, RerankRequest, RerankResponse
from guanghe.serve.plans import RECENT_DAYS, Snapshot

Send = Callable[[bytes], bytes]
Pool = Callable[[float], list[dict]]


@dataclass
class Catalog:
    """Works a day's organic retrieval can draw from."""

    work_id: np.ndarray
    creator_id: np.ndarray
    category: np.ndarray  # int codes into ``categories``
    quality: np.ndarray
    categories: tuple[str, ...]

    @classmethod
    def load(cls, url: str, day: date, seed: int = 0) -> Catalog:
        """Works published in the ``RECENT_DAYS`` before ``day`` (the warehouse at ``url``, opened read-only)."""
        start = datetime.combine(day - timedelta(days=RECENT_DAYS), datetime.min.time())
        end = datetime.combine(day, datetime.min.time())
        with open_warehouse(url, read_only=True) as wh:
            w = wh.table("works")
            recent = w.filter(w.published_at >= start, w.published_at < end)
            rows = wh.fetch(recent.select("work_id", "creator_id", "category").order_by("work_id"))
        cats = tuple(sorted(pc.unique(rows.column("category")).to_pylist()))
        codes = pc.index_in(rows.column("category"), value_set=pa.array(cats, pa.string())).to_numpy()
        rng = np.random.default_rng(seed)
        ids = [rows.column(c).to_numpy().astype(np.int64) for c in ("work_id", "creator_id")]
        return cls(*ids, codes.astype(np.int64), rng.lognormal(0, 0.4, rows.num_rows), cats)


@dataclass
class Report:
    requests: int
    slates_boosted: int
    score_loss: float  # mean per slate, organic top-slots score minus served
    relative_loss: float  # score_loss / mean organic slate score
    delivered: dict[tuple[int, str], int]
    quotas: dict[tuple[int, str], int]
    creators: dict[str, float] = field(default_factory=dict)  # per-creator deviation summary
    programs: dict[str, tuple[int, int]] = field(default_factory=dict)  # program -> (delivered, quota)
    overspend: float = 0.0  # sum over (creator, program) of delivery above quota / total quota
    hourly: list[int] = field(default_factory=lambda: [0] * 24)  # boosted impressions per hour of the day

    def summarise(self) -> Report:
        per: dict[int, list[int]] = {}
        for (c, p), q in self.quotas.items():
            d = self.delivered.get((c, p), 0)
            per.setdefault(c, [0, 0])
            per[c][0] += d
            per[c][1] += q
            got, tot = self.programs.get(p, (0, 0))
            self.programs[p] = (got + d, tot + q)
        dev = np.array([d / q - 1 for d, q in per.values() if q > 0]) if per else np.zeros(1)
        self.creators = {"creators": len(per), "median_abs_dev": float(np.median(np.abs(dev))),
                         "p95_abs_dev": float(np.percentile(np.abs(dev), 95)), "median_dev": float(np.median(dev)),
                         "attainment": sum(d for d, _ in per.values()) / max(1, sum(q for _, q in per.values()))}  # fmt: skip
        over = sum(max(0, self.delivered.get(k, 0) - q) for k, q in self.quotas.items())
        self.overspend = over / max(1, sum(self.quotas.values()))
        return self


def arrivals(n: int, rng: np.random.Generator) -> np.ndarray:
    """n request times (seconds of the day, sorted) along the audience profile."""
    w = np.array(PROFILES["audience"])
    hours = rng.choice(24, size=n, p=w / w.sum())
    return np.sort(hours * 3600 + rng.uniform(0, 3600, n))


def run(
    send: Send, pool: Pool, snapshot: Snapshot, catalog: Catalog, requests: int, slots: int = 10,
    candidates: int = 200, pool_per_request: int = 20, users: int = 5_000, seed: int = 0,
    zone: ZoneInfo | None = None,
) -> Report:  # fmt: skip
    """Replay ``requests`` requests of the snapshot's day (in the platform's time zone ``zone``) through
    ``send`` (body -> response body)."""
    rng = np.random.default_rng(seed)
    ncat = len(catalog.categories)
    code = {c: i for i, c in enumerate(catalog.categories)}
    interest = rng.dirichlet(np.full(ncat, 0.3), users)
    by_cat = [np.flatnonzero(catalog.category == k) for k in range(ncat)]
    start, end = day_bounds(snapshot.day, zone or platform_zone("UTC"))
    stretch = (end - start) / 86_400  # (a 23- or 25-hour day: the profile's 24 hours stretched onto it)
    times = arrivals(requests, rng)
    decoder = msgspec.json.Decoder(RerankResponse)
    delivered: dict[tuple[int, str], int] = {}
    loss = organic_total = 0.0
    boosted_slates, pool_at, pool_works = 0, -1e9, np.zeros((0, 3))
    n_org = candidates - pool_per_request
    hourly = [0] * 24
    for i, t in enumerate(times):
        if t - pool_at >= 60:
            entries = pool(start + t * stretch)
            pool_works = np.array([(w, e["creator_id"], code.get(e["category"], 0))
                                   for e in entries for w in e["work_ids"]], np.int64).reshape(-1, 3)  # fmt: skip
            pool_at = t
        u = rng.integers(users)
        counts = rng.multinomial(n_org, interest[u])
        idx = np.unique(np.concatenate([by_cat[k][rng.integers(len(by_cat[k]), size=m)]
                                        for k, m in enumerate(counts) if m and len(by_cat[k])]))  # fmt: skip
        works, creators = catalog.work_id[idx], catalog.creator_id[idx]
        scores = (
            catalog.quality[idx]
            * (0.2 + interest[u, catalog.category[idx]])
            * rng.lognormal(0, 0.3, idx.size)
        )
        if len(pool_works):
            take = rng.choice(len(pool_works), size=min(pool_per_request, len(pool_works)), replace=False)
            pw = pool_works[take]
            pw = pw[~np.isin(pw[:, 0], works)]
            q = rng.lognormal(0, 0.4, len(pw))
            works = np.concatenate([works, pw[:, 0]])
            creators = np.concatenate([creators, pw[:, 1]])
            scores = np.concatenate(
                [scores, q * (0.2 + interest[u, pw[:, 2]]) * rng.lognormal(0, 0.3, len(pw))]
            )
        cands = [Candidate(int(w), int(c), float(s)) for w, c, s in zip(works, creators, scores, strict=True)]
        req = RerankRequest(f"replay-{seed}-{i}", int(u), slots, cands, at=float(start + t * stretch))
        resp = decoder.decode(send(msgspec.json.encode(req)))
        top = float(np.sort(scores)[::-1][:slots].sum())
        served = sum(it.score for it in resp.items)
        loss += top - served
        organic_total += top
        if resp.boosted:
            boosted_slates += 1
        hourly[min(int(t // 3600), 23)] += resp.boosted
        for it in resp.items:
            if it.program is not None:
                k = (it.creator_id, it.program)
                delivered[k] = delivered.get(k, 0) + 1
    quotas = {(c, p): n for c, q in snapshot.quotas.items() for p, n in q}
    n = max(1, requests)
    out = Report(
        requests, boosted_slates, loss / n, loss / max(organic_total, 1e-12), delivered, quotas, hourly=hourly
    )
    return out.summarise()


def tracking(hourly: list[int], curve) -> float:
    """Largest gap, over the hours, between the cumulative delivered share and the target curve's share."""
    total, cum, worst = max(1, sum(hourly)), 0, 0.0
    for h, n in enumerate(hourly):
        cum += n
        worst = max(worst, abs(cum / total - curve.share((h + 1) * 3600.0)))
    return worst
