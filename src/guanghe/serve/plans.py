"""Today's quotas, snapshotted from the warehouse's newest plan, and reloaded when a new plan is written.

The service never holds the DuckDB file open (DuckDB allows one writer process, and ``guanghe allocate``
must be able to write): a load opens it read-only, copies the day's quotas and the quota creators' recent
works into memory, and closes it. ``PlanSource.poll()`` re-stats the file (and its ``.wal``); when the mtime
changed it reloads, and swaps the snapshot only if the newest plan (max ``created_at``) or the day changed.
A load that meets the writer's lock keeps the old snapshot and retries at the next poll.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import duckdb
import pyarrow as pa

from guanghe.config.clock import platform_day, platform_zone

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


def _has(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    return bool(
        con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [table]).fetchall()[0][0]
    )


def load(path: str, day: date, plan_id: str | None = None) -> Snapshot:
    """Snapshot the day's quotas of ``plan_id`` (default: the newest plan) from a DuckDB warehouse file."""
    if not os.path.exists(path):
        return Snapshot(day, problem=f"no warehouse at {os.path.abspath(path)}")
    con = duckdb.connect(path, read_only=True)
    try:
        none = f"no allocation plan in {os.path.abspath(path)} (run guanghe allocate)"
        if not (_has(con, "allocation_quotas") and _has(con, "allocation_programs")):
            return Snapshot(day, problem=none)
        q = "SELECT plan_id, max(created_at) FROM allocation_programs"
        found = con.execute(
            q + (" WHERE plan_id = ? GROUP BY 1" if plan_id else " GROUP BY 1 ORDER BY 2 DESC LIMIT 1"),
            [plan_id] if plan_id else [],
        ).fetchall()
        if not found:
            return Snapshot(
                day, problem=f"no plan {plan_id!r} in {os.path.abspath(path)}" if plan_id else none
            )
        row = found[0]
        rows = con.execute(
            "SELECT creator_id, program, impressions FROM allocation_quotas "
            "WHERE plan_id = ? AND date = ? AND impressions > 0 ORDER BY creator_id, program",
            [row[0], day],
        ).fetchall()
        quotas: dict[int, list[tuple[str, int]]] = {}
        for c, p, n in rows:
            quotas.setdefault(int(c), []).append((str(p), int(n)))
        snap = Snapshot(day, row[0], row[1], {c: tuple(v) for c, v in quotas.items()})
        if not quotas:
            first, last = con.execute(
                "SELECT min(date), max(date) FROM allocation_quotas WHERE plan_id = ? AND impressions > 0",
                [row[0]],
            ).fetchall()[0]
            span = f"its quotas cover {first}..{last}" if first else "it has no quotas"
            snap.problem = f"plan {row[0]!r} has no quotas for {day} ({span})"
        if quotas and _has(con, "works"):
            con.register("_quota_creators", pa.table({"creator_id": pa.array(list(quotas), pa.int64())}))
            works = con.execute(
                "SELECT creator_id, work_id, category FROM ("
                " SELECT w.creator_id, w.work_id, w.category, row_number() OVER"
                "  (PARTITION BY w.creator_id ORDER BY w.published_at DESC, w.work_id DESC) AS k"
                " FROM works w JOIN _quota_creators q USING (creator_id)"
                " WHERE w.published_at >= ? AND w.published_at < ?) WHERE k <= ? ORDER BY creator_id, k",
                [day - timedelta(days=RECENT_DAYS), day + timedelta(days=1), WORKS_PER_CREATOR],
            ).fetchall()
            by: dict[int, list[int]] = {}
            for c, w, cat in works:
                by.setdefault(int(c), []).append(int(w))
                snap.category.setdefault(int(c), str(cat))
            snap.works = {c: tuple(v) for c, v in by.items()}
        return snap
    finally:
        con.close()


def _mtime(path: str) -> tuple[float, float]:
    def one(p: str) -> float:
        try:
            return os.stat(p).st_mtime
        except FileNotFoundError:
            return 0.0

    return one(path), one(path + ".wal")


class PlanSource:
    """The current snapshot of a warehouse file, for a fixed day or for today (the platform's day in
    ``zone``: a platform in China serves 2023-07-03 from 2023-07-02T16:00Z on)."""

    def __init__(
        self, path: str | None, day: date | None = None, plan_id: str | None = None, scale: float = 1.0,
        zone: ZoneInfo | None = None, clock=time.time,
    ) -> None:  # fmt: skip
        self.path, self.fixed_day, self.plan_id, self.scale = path, day, plan_id, scale
        self.zone, self.clock = zone or platform_zone("UTC"), clock
        self.reloads, self.errors, self.last_error = 0, 0, ""
        self._seen: tuple[float, float] | None = None
        self.snapshot = Snapshot(self.today(), problem="no plan loaded yet")
        self.poll()

    def today(self) -> date:
        return self.fixed_day or platform_day(self.clock(), self.zone)

    @property
    def reason(self) -> str:
        """Why no quotas are served ('' when they are, or when no warehouse was configured)."""
        if self.snapshot.quotas or self.path is None:
            return ""
        return self.snapshot.problem or f"no quotas for {self.snapshot.day}"

    @classmethod
    def fixed(cls, snapshot: Snapshot, zone: ZoneInfo | None = None) -> PlanSource:
        """A source that never reloads (tests, benchmarks)."""
        src = cls(None, snapshot.day, zone=zone)
        src.snapshot = snapshot
        return src

    def poll(self) -> bool:
        """Reload if the file or the day changed; True when the snapshot was replaced."""
        if self.path is None:
            return False
        seen, day = _mtime(self.path), self.today()
        if seen == self._seen and day == self.snapshot.day:
            return False
        try:
            snap = load(self.path, day, self.plan_id).scaled(self.scale)
        except duckdb.Error as e:  # the writer holds the lock, or the file is being replaced: retry later
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
