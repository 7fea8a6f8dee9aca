"""Delivering a month's plan through the serving engine against a feed with finite, hour-shaped supply.

One representative day per month is replayed (``serve.supply.Stream``) for a seeded sample of ``sample``
planned creators (those with recent works): each one's daily quota (its monthly plan / days in the month,
scaled so the sample's total is ``day_quota`` impressions, at least ``min_quota``) is offered in ``factor`` x
quota requests, spread over the day along the audience's hourly profile, and the service's controller
(``serve.engine.Engine``, memory counters) decides each slate. A replayed creator's attainment (delivered /
quota, at most 1) is the share of its month's plan the feed delivers; every other planned creator gets the
day's overall attainment (delivered / quota over the sample). The viewer cost is the day's score loss over the organic
slates' score.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import msgspec
import numpy as np

from guanghe.config.clock import day_bounds
from guanghe.data.schema import CATEGORIES
from guanghe.serve.engine import Config
from guanghe.serve.model import RerankResponse
from guanghe.serve.plans import Snapshot
from guanghe.serve.replay import Catalog
from guanghe.serve.supply import OFFERS_PER_REQUEST, Policy, Stream

PROGRAM = "simulate"
UTC_ZONE = ZoneInfo("UTC")


@dataclass(frozen=True)
class Feed:
    """The replayed day's sizing: total quota, supply factor (offers per quota impression) and slots."""

    day_quota: int = 400
    factor: float = 1.2
    slots: int = 10
    sample: int = 80  # planned creators replayed (a seeded sample; the rest get the day's attainment)
    min_quota: int = 3  # a replayed creator's quota is at least this (the controller paces whole units)


@dataclass
class Delivery:
    attainment: np.ndarray  # (n,) share of each creator's plan delivered (1 where nothing was planned)
    day_attainment: float  # the day's delivered / quota
    viewer_cost: float  # score loss / organic slate score
    requests: int
    quota: int


def deliver(
    plan: np.ndarray, creator_id: np.ndarray, works: tuple[np.ndarray, np.ndarray, np.ndarray],
    day: date, days_in_month: int, feed: Feed, seed: int,
) -> Delivery:  # fmt: skip
    """Replay the day for ``plan`` (impressions per creator for the month, aligned with ``creator_id``);
    ``works``: (work id, creator id, category code) of the recent works the feed draws from."""
    n = plan.size
    daily = plan / max(days_in_month, 1)
    att = np.ones(n)
    if float(daily.sum()) <= 0:
        return Delivery(att, 1.0, 0.0, 0, 0)
    work_id, work_creator, work_cat = works
    recent: dict[int, list[int]] = {}
    for w, c in zip(work_id[::-1].tolist(), work_creator[::-1].tolist(), strict=True):
        recent.setdefault(c, []).append(w)
    cat_of = dict(zip(work_creator.tolist(), work_cat.tolist(), strict=False))
    rng = np.random.default_rng(seed)
    cand = np.array([i for i in np.flatnonzero(daily > 0) if int(creator_id[i]) in recent], np.int64)
    if cand.size == 0:
        return Delivery(att, 1.0, 0.0, 0, 0)
    pick = np.sort(rng.choice(cand, min(feed.sample, cand.size), replace=False))
    scale = feed.day_quota / float(daily[pick].sum())
    quotas = {
        int(creator_id[i]): ((PROGRAM, max(feed.min_quota, round(float(daily[i]) * scale))),) for i in pick
    }
    snap = Snapshot(
        day=day, plan_id="simulate", quotas=quotas,
        category={c: CATEGORIES[cat_of[c]] for c in quotas}, works={c: tuple(recent[c][:10]) for c in quotas},
    )  # fmt: skip
    catalog = Catalog(work_id.astype(np.int64), work_creator.astype(np.int64), work_cat.astype(np.int64),
                      rng.lognormal(0, 0.4, work_id.size), CATEGORIES)  # fmt: skip
    q_total = sum(q for v in quotas.values() for _, q in v)
    requests = max(1, round(feed.factor * q_total / OFFERS_PER_REQUEST))
    cfg = Config(replay=True, seed=seed)
    stream = Stream(snap, catalog, requests, feed.factor, feed.slots, guardrail=cfg.guardrail, seed=seed)
    engine = Policy("controller", cfg).engine(snap, UTC_ZONE)
    start, end = day_bounds(day, UTC_ZONE)
    decoder, organic, loss = msgspec.json.Decoder(RerankResponse), 0.0, 0.0
    got: dict[int, int] = {}
    for _, body, top in stream.requests(start, (end - start) / 86_400):
        resp = decoder.decode(engine.handle(body))
        organic += top
        loss += top - sum(it.score for it in resp.items)
        for it in resp.items:
            if it.program is not None:
                got[it.creator_id] = got.get(it.creator_id, 0) + 1
    delivered = sum(got.values())
    day_att = delivered / max(q_total, 1)
    att[daily > 0] = min(day_att, 1.0)
    pos = {int(c): i for i, c in enumerate(creator_id.tolist())}
    for c, v in quotas.items():
        att[pos[c]] = min(1.0, got.get(c, 0) / v[0][1])
    return Delivery(att, day_att, loss / max(organic, 1e-12), requests, q_total)


def month_day(first_day: int) -> date:
    """The replayed day of a month: its 15th (``first_day`` in days since 1970-01-01)."""
    d = datetime.fromtimestamp(first_day * 86_400, UTC).date()
    return d.replace(day=15)
