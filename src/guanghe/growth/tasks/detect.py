"""Completions of a task from the warehouse, and which of the new ones earn a reward.

A completion is the ``seq``-th time a creator gathers the goal's ``count`` events (and ``amount``): the events of
one creator in (at, key) order, ``level`` = how many completions they make so far (capped by the per-creator
limit); completion ``seq`` happens at the first event reaching level ``seq``. Stored completions are never
recomputed: only new (task, creator, seq) keys are added, ranked by (completed_at, creator_id, seq), and they
take the reward slots (first K) and budget the stored ones left.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from hashlib import blake2b
from zoneinfo import ZoneInfo

import ibis
import numpy as np

from guanghe.data.growth_schema import TASK_CENTER_ID_BIT, TASK_COMPLETIONS
from guanghe.data.warehouse import Warehouse
from guanghe.growth.tasks.audience import audience
from guanghe.growth.tasks.goals import Goal, Scope
from guanghe.growth.tasks.model import Task
from guanghe.money.days import day_start_utc, utc_end
from guanghe.programs import Program

_LOW = (1 << 62) - 1


def reward_id(task_id: str, creator_id: int, seq: int) -> int:
    """The task center's reward id of (task, creator, seq): 62 bits of a hash with ``TASK_CENTER_ID_BIT`` set
    (the platform's own task_rewards ids stay below it)."""
    h = int.from_bytes(blake2b(f"{task_id}|{creator_id}|{seq}".encode(), digest_size=8).digest(), "big")
    return TASK_CENTER_ID_BIT | (h & _LOW)


@dataclass(frozen=True)
class Completion:
    task_id: str
    creator_id: int
    seq: int
    completed_at: datetime  # naive UTC
    reward_fen: int = 0
    reward_id: int | None = None


def levels(events: ibis.Table, goal: Goal, per_creator: int) -> ibis.Table:
    """creator_id, level, at: the first event at which each creator reaches each level (1 .. per_creator)."""
    w = ibis.cumulative_window(group_by="creator_id", order_by=["at", "key"])
    n = ibis.row_number().over(w) + 1
    lvl = ibis.least(n // goal.count, ibis.literal(per_creator, "int64"))
    if goal.amount:
        lvl = ibis.least(lvl, events.amount.sum().over(w) // goal.amount)
    e = events.mutate(level=lvl.cast("int64"))
    e = e.filter(e.level >= 1)
    return e.group_by(["creator_id", "level"]).aggregate(at=e.at.min())


def candidates(wh: Warehouse, task: Task, through: date, zone: ZoneInfo,
               programs: Mapping[str, Program]) -> list[Completion]:  # fmt: skip
    """Every completion of the task through ``through`` (stored or not), by (completed_at, creator_id, seq)."""
    if through < task.start:
        return []
    last = task.last_day(through)
    events = task.goal.events(Scope(wh, task.start, last, zone))
    events = events.semi_join(audience(wh, task.audience, last, zone, programs), "creator_id")
    rows = wh.fetch(levels(events, task.goal, task.per_creator).order_by(["creator_id", "level"]))
    creators, lvls = rows.column("creator_id").to_pylist(), rows.column("level").to_pylist()
    at = rows.column("at").to_numpy().astype("datetime64[us]")
    if task.goal.day_grain and len(at):  # naive midnights of platform days -> the days' UTC starts
        at = day_start_utc(at.astype("datetime64[D]").astype(np.int64).astype(np.int32), zone)
    end = np.datetime64(utc_end(through, zone), "us")
    out: list[Completion] = []
    done: dict[int, int] = {}
    for c, lv, t in zip(
        creators, lvls, at.tolist(), strict=True
    ):  # levels may jump (a large order): fill seqs
        if np.datetime64(t, "us") >= end:
            continue
        for seq in range(done.get(c, 0) + 1, lv + 1):
            out.append(Completion(task.task_id, c, seq, t))
        done[c] = max(done.get(c, 0), lv)
    return sorted(out, key=lambda x: (x.completed_at, x.creator_id, x.seq))


def stored(wh: Warehouse, task_id: str) -> list[Completion]:
    """The task's completions already stored."""
    if not wh.has(TASK_COMPLETIONS):
        return []
    t = wh.table(TASK_COMPLETIONS)
    rows = wh.fetch(t.filter(t.task_id == task_id)).to_pylist()
    return [Completion(r["task_id"], r["creator_id"], r["seq"], r["completed_at"], r["reward_fen"], r["reward_id"])
            for r in rows]  # fmt: skip


def assign(task: Task, found: list[Completion], kept: list[Completion]) -> list[Completion]:
    """The new completions (keys not in ``kept``) in rank order, each with its reward: while reward slots (first
    K, counting the stored rewarded ones) and budget (counting the stored rewards) remain."""
    keys = {(k.creator_id, k.seq) for k in kept}
    rewarded = sum(1 for k in kept if k.reward_fen > 0)
    spent = sum(k.reward_fen for k in kept)
    out = []
    for c in found:
        if (c.creator_id, c.seq) in keys:
            continue
        slot = task.first is None or rewarded < task.first
        money = task.budget_fen is None or spent + task.reward_fen <= task.budget_fen
        if slot and money:
            rewarded, spent = rewarded + 1, spent + task.reward_fen
            c = Completion(c.task_id, c.creator_id, c.seq, c.completed_at, task.reward_fen,
                           reward_id(c.task_id, c.creator_id, c.seq))  # fmt: skip
        out.append(c)
    return out
