"""Today's quotas, snapshotted from the warehouse's newest plan, and reloaded when a new plan is written.

The service takes a warehouse URL (any engine of ``guanghe.data.warehouse``) and never holds the warehouse
open (DuckDB allows one writer process, and ``guanghe allocate`` must be able to write): a load opens it
read-only, copies the day's quotas and the quota creators' recent works into memory, and closes it.
``PlanSource.poll()`` reads the warehouse's stamp (``warehouse_stamp``: on DuckDB the file's and its
``.wal``'s size and mtime, without opening it); when it changed — or when the engine cannot tell — it
reloads, and swaps the snapshot only if the newest plan (max ``created_at``) or the day changed. A load that
meets the writer's lock keeps the old snapshot and retries at the next poll.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import ibis
import numpy as np
import pyarrow as pa

from guanghe.allocate.store import PROGRAMS, QUOTAS
from guanghe.config.clock import platform_day, platform_zone
from guanghe.data.warehouse import (
    Warehouse,
    WarehouseError,
    WarehouseMissing,
    open_warehouse,
    warehouse_stamp,
)

log = logging.getLogger(__name__)

RECENT_DAYS, WORKS_PER_CREATOR = 90, 3


@dataclass
class Snapshot:
    """One day's quotas: creator -> ((program, impressions), ...), and what the boost pool offers."""

    day: date
    plan_id: str | None = None
    created_at: datetime | None = None
    quotas: dict[int, tuple[tuple[str, int], ...]] = field(default_factory=dict)
    category: dict[int, str] = field(default_factory=dict)  # creator -> category
    works: dict[int, tuple[int, ...]] = field(
        default_factory=dict
    )  # creator -> recent work ids, newest first
    problem: str = ""  # why there are no quotas to serve (no plan, unknown plan id, day outside the plan)

    def total(self, creator: int) -> int:
        return sum(n for _, n in self.quotas.get(creator, ()))

    def scaled(self, factor: float) -> Snapshot:
        """The same plan with every quota times ``factor`` (rounded; zeros dropped): small replays."""
        if factor == 1.0:
            return self
        q = {
            c: tuple((p, round(n * factor)) for p, n in v if round(n * factor) > 0)
            for c, v in self.quotas.items()
        }
        q = {c: v for c, v in q.items() if v}
        return Snapshot(self.day, self.plan_id, self.created_at, q, self.category, self.works, self.problem)

    @property
    def impressions(self) -> int:
        return sum(n for q in self.quotas.values() for _, n in q)


def load(url: str, day: date, plan_id: str | None = None) -> Snapshot:
    """Snapshot the day's quotas of ``plan_id`` (default: the newest plan) from the warehouse at ``url``.

    Opens it read-only and closes it again; WarehouseError when it cannot be read now (a writer holds it)."""
    try:
        wh = open_warehouse(url, read_only=True)
    except WarehouseMissing as e:
        return Snapshot(day, problem=str(e))
    with wh:
        return _snapshot(wh, url, day, plan_id)


def _snapshot(wh: Warehouse, where: str, day: date, plan_id: str | None) -> Snapshot:
    none = f"no allocation plan in {where} (run guanghe allocate)"
    if not (wh.has(QUOTAS) and wh.has(PROGRAMS)):
        return Snapshot(day, problem=none)
    progs = wh.table(PROGRAMS)
    if plan_id:
        progs = progs.filter(progs.plan_id == plan_id)
    newest = progs.group_by("plan_id").aggregate(created_at=progs.created_at.max())
    found = wh.fetch(newest.order_by([ibis.desc("created_at"), ibis.desc("plan_id")]).limit(1)).to_pylist()
    if not found:
        return Snapshot(day, problem=f"no plan {plan_id!r} in {where}" if plan_id else none)
    pid, created_at = found[0]["plan_id"], found[0]["created_at"]
    q = wh.table(QUOTAS)
    mine = q.filter(q.plan_id == pid, q.impressions > 0)
    rows = wh.fetch(mine.filter(mine.date == day).select("creator_id", "program", "impressions")
                    .order_by(["creator_id", "program"]))  # fmt: skip
    pairs = list(zip(rows.column("program").to_pylist(), rows.column("impressions").to_pylist(), strict=True))
    quotas = {c: tuple(pairs[a:b]) for c, a, b in _runs(rows.column("creator_id"))}
    snap = Snapshot(day, pid, created_at, quotas)
    if not quotas:
        span = wh.fetch(mine.aggregate(first=mine.date.min(), last=mine.date.max())).to_pylist()[0]
        first, last = span["first"], span["last"]
        span_text = f"its quotas cover {first}..{last}" if first else "it has no quotas"
        snap.problem = f"plan {pid!r} has no quotas for {day} ({span_text})"
    if quotas and wh.has("works"):
        snap.works, snap.category = _recent_works(wh, list(quotas), day)
    return snap


def _recent_works(
    wh: Warehouse, creators: list[int], day: date
) -> tuple[dict[int, tuple[int, ...]], dict[int, str]]:
    """The ``WORKS_PER_CREATOR`` newest works of each creator published in the ``RECENT_DAYS`` up to ``day``,
    newest first; and each creator's category (that of its newest work)."""
    w = wh.table("works")
    start = datetime.combine(day - timedelta(days=RECENT_DAYS), datetime.min.time())
    end = datetime.combine(day + timedelta(days=1), datetime.min.time())
    wanted = ibis.memtable(pa.table({"creator_id": pa.array(creators, pa.int64())}))
    recent = w.filter(w.published_at >= start, w.published_at < end).semi_join(wanted, "creator_id")
    newest_first = [ibis.desc(recent.published_at), ibis.desc(recent.work_id)]
    ranked = recent.mutate(k=ibis.row_number().over(group_by=recent.creator_id, order_by=newest_first))
    top = wh.fetch(ranked.filter(ranked.k < WORKS_PER_CREATOR).order_by(["creator_id", "k"])
                   .select("creator_id", "work_id", "category"))  # fmt: skip
    ids, cats = top.column("work_id").to_pylist(), top.column("category").to_pylist()
    runs = _runs(top.column("creator_id"))
    return {c: tuple(ids[a:b]) for c, a, b in runs}, {c: cats[a] for c, a, _ in runs}


def _runs(sorted_ids: pa.ChunkedArray) -> list[tuple[int, int, int]]:
    """(id, start, end) of each run of equal values in a sorted column."""
    ids = sorted_ids.to_numpy()
    if not len(ids):
        return []
    starts = np.concatenate([[0], np.flatnonzero(ids[1:] != ids[:-1]) + 1])
    ends = np.append(starts[1:], len(ids))
    return list(zip(ids[starts].tolist(), starts.tolist(), ends.tolist(), strict=True))


class PlanSource:
    """The current snapshot of a warehouse (its URL; None: no plan, organic only), for a fixed day or for
    today (the platform's day in ``zone``: a platform in China serves 2023-07-03 from 2023-07-02T16:00Z on)."""

    def __init__(
        self, url: str | None, day: date | None = None, plan_id: str | None = None, scale: float = 1.0,
        zone: ZoneInfo | None = None, clock=time.time,
    ) -> None:  # fmt: skip
        self.url, self.fixed_day, self.plan_id, self.scale = url, day, plan_id, scale
        self.zone, self.clock = zone or platform_zone("UTC"), clock
        self.reloads, self.errors, self.last_error = 0, 0, ""
        self._seen: Hashable | None = None  # the warehouse stamp the snapshot was loaded at
        self.snapshot = Snapshot(self.today(), problem="no plan loaded yet")
        self.poll()

    def today(self) -> date:
        return self.fixed_day or platform_day(self.clock(), self.zone)

    @property
    def reason(self) -> str:
        """Why no quotas are served ('' when they are, or when no warehouse was configured)."""
        if self.snapshot.quotas or self.url is None:
            return ""
        return self.snapshot.problem or f"no quotas for {self.snapshot.day}"

    @classmethod
    def fixed(cls, snapshot: Snapshot, zone: ZoneInfo | None = None) -> PlanSource:
        """A source that never reloads (tests, benchmarks)."""
        src = cls(None, snapshot.day, zone=zone)
        src.snapshot = snapshot
        return src

    def poll(self) -> bool:
        """Reload if the warehouse (its stamp; every poll when the engine has none) or the day changed; True
        when the snapshot was replaced."""
        if self.url is None:
            return False
        seen, day = warehouse_stamp(self.url), self.today()
        if seen is not None and seen == self._seen and day == self.snapshot.day:
            return False
        try:
            snap = load(self.url, day, self.plan_id).scaled(self.scale)
        except WarehouseError as e:  # the writer holds the lock, or the file is being replaced: retry later
            self.errors, self.last_error = self.errors + 1, str(e).splitlines()[0]
            if not self.snapshot.quotas:
                self.snapshot.problem = f"cannot read the warehouse: {self.last_error}"
            log.warning("plan reload deferred: %s", self.last_error)
            return False
        self._seen = seen
        old = self.snapshot
        if (snap.plan_id, snap.created_at, snap.day) == (old.plan_id, old.created_at, old.day) and old.quotas:
            return False
        if (snap.plan_id, snap.day, snap.problem, snap.quotas) == (
            old.plan_id,
            old.day,
            old.problem,
            old.quotas,
        ):
            self.snapshot = snap  # (same nothing as before: no new event)
            return False
        self.snapshot, self.reloads = snap, self.reloads + 1
        if snap.quotas:
            log.info("plan %s loaded for %s: %d creators, %d impressions", snap.plan_id, snap.day,
                     len(snap.quotas), snap.impressions)  # fmt: skip
        else:
            log.warning("no quotas to serve for %s: %s", snap.day, snap.problem)
        return True
