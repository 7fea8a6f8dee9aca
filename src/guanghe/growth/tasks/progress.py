"""``guanghe tasks progress CREATOR``: where one creator stands on every task through a day."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from guanghe.data.warehouse import Warehouse
from guanghe.growth.tasks.audience import audience
from guanghe.growth.tasks.detect import stored
from guanghe.growth.tasks.goals import Scope
from guanghe.growth.tasks.model import Task
from guanghe.programs import Program


@dataclass
class TaskProgress:
    task_id: str
    title: str
    status: str  # not_started, not_enrolled, in_progress, completed, ended
    have: int  # towards the next completion (the goal's unit)
    need: int
    unit: str
    completions: int  # stored completions of the creator
    reward_fen: int  # stored rewards of the creator

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def creator_progress(wh: Warehouse, tasks: list[Task], creator_id: int, through: date, zone: ZoneInfo,
                     programs: Mapping[str, Program]) -> list[TaskProgress]:  # fmt: skip
    """Per task: the creator's enrolment, progress over the window through ``through``, stored completions."""
    out = []
    for t in tasks:
        mine = [c for c in stored(wh, t.task_id) if c.creator_id == creator_id]
        done, fen = len(mine), sum(c.reward_fen for c in mine)
        unit = t.goal.unit()
        if through < t.start:
            out.append(TaskProgress(t.task_id, t.title, "not_started", 0, 0, unit, done, fen))
            continue
        last = t.last_day(through)
        members = audience(wh, t.audience, last, zone, programs)
        enrolled = (
            wh.fetch(members.filter(members.creator_id == creator_id).count().as_table()).column(0)[0].as_py()
        )
        have, need = t.goal.progress(Scope(wh, t.start, last, zone), creator_id)
        if not enrolled:
            status = "not_enrolled"
        elif done >= t.per_creator:
            status = "completed"
        else:
            status = "ended" if through > t.end else "in_progress"
        out.append(TaskProgress(t.task_id, t.title, status, have, need, unit, done, fen))
    return out
