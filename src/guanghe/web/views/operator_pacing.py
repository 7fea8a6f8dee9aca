"""Live pacing: per program, boosted impressions delivered on a day against the newest plan's quotas for
that day, hour by hour. Delivered = ``serve_deliveries`` (what ``guanghe serve`` flushed), each batch in
the hour (platform zone) its ``serve_flushes.written_at`` was written; the hourly target = the day's quota
times the cumulative share of the program's delivery-hours profile (``programs.hours``) by the end of the
hour. A program is OVERSOLD when delivered > quota, BEHIND when delivered < (1 - MARGIN) x the target due
by the last complete hour (today) or by the day's end (a past day)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from guanghe.allocate.store import QUOTAS
from guanghe.data.warehouse import Warehouse
from guanghe.programs import Program
from guanghe.programs.hours import PROFILES
from guanghe.serve.flush import DELIVERIES, FLUSHES
from guanghe.web.views.operator_plans import latest_plan

MARGIN = 0.10  # behind: more than 10% short of the target due by now
DEFAULT_PROFILE = PROFILES["audience"]  # programs not in the folder: the service's default curve


@dataclass
class ProgramPace:
    program: str
    quota: int
    delivered: int
    hourly: list[int]  # delivered per hour 0..23
    target: list[int]  # cumulative target by the end of each hour
    due: int  # target due by now (the last complete hour; the whole quota for a past day)
    status: str  # ok, oversold, behind

    @property
    def share(self) -> float | None:
        return self.delivered / self.quota if self.quota else None


@dataclass
class Pacing:
    day: date
    plan_id: str | None
    served: bool  # any serving data for the day
    hours_done: int  # complete hours of the day (24 for a past day)
    programs: list[ProgramPace] = field(default_factory=list)

    @property
    def warnings(self) -> list[ProgramPace]:
        return [p for p in self.programs if p.status != "ok"]


def serving_days(wh: Warehouse) -> list[date]:
    """Days with flushed deliveries, newest first."""
    if not wh.has(DELIVERIES):
        return []
    t = wh.table(DELIVERIES)
    return sorted(wh.fetch(t.select("date").distinct()).column("date").to_pylist(), reverse=True)


def cumulative(profile: tuple[float, ...]) -> list[float]:
    """Share of the day's quota due by the end of each hour 0..23."""
    out, acc = [], 0.0
    for w in profile:
        acc += w
        out.append(acc)
    out[-1] = 1.0
    return out


def hours_done(day: date, zone: ZoneInfo, now: datetime | None = None) -> int:
    """Complete hours of ``day`` at ``now``: 0 before it starts, 24 after it ends."""
    local = (now or datetime.now(UTC)).astimezone(zone)
    if local.date() < day:
        return 0
    if local.date() > day:
        return 24
    return local.hour


def pacing(wh: Warehouse, day: date, zone: ZoneInfo, programs: dict[str, Program],
           now: datetime | None = None) -> Pacing:  # fmt: skip
    """The day's pacing per program (``programs``: the folder's, for their delivery-hours profiles)."""
    plan = latest_plan(wh)
    done = hours_done(day, zone, now)
    out = Pacing(day, plan, False, done)
    delivered: dict[str, list[int]] = {}
    if wh.has(DELIVERIES) and wh.has(FLUSHES):
        d, f = wh.table(DELIVERIES), wh.table(FLUSHES)
        j = d.filter(d.date == day).join(f.select("batch_id", "written_at"), "batch_id")
        rows = wh.fetch(j.group_by(["program", "written_at"]).aggregate(n=j.impressions.sum())).to_pylist()
        out.served = bool(rows)
        for r in rows:
            hour = r["written_at"].replace(tzinfo=UTC).astimezone(zone).hour
            delivered.setdefault(r["program"], [0] * 24)[hour] += int(r["n"])
    quotas: dict[str, int] = {}
    if plan is not None and wh.has(QUOTAS):
        q = wh.table(QUOTAS)
        got = wh.fetch(q.filter((q.plan_id == plan) & (q.date == day)).group_by("program")
                       .aggregate(n=q.impressions.sum())).to_pylist()  # fmt: skip
        quotas = {r["program"]: int(r["n"]) for r in got if r["n"]}
    for name in sorted(set(quotas) | set(delivered)):
        prog = programs.get(name)
        cum = cumulative(prog.delivery.hour_weights if prog and prog.delivery else DEFAULT_PROFILE)
        quota, hourly = quotas.get(name, 0), delivered.get(name, [0] * 24)
        target = [round(quota * c) for c in cum]
        due = target[done - 1] if done else 0
        total = sum(hourly)
        status = "oversold" if total > quota else "behind" if total < (1 - MARGIN) * due else "ok"
        out.programs.append(ProgramPace(name, quota, total, hourly, target, due, status))
    return out
