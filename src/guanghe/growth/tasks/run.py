"""``guanghe tasks run --through D``: detect completions, store them with their rewards in one warehouse
transaction (``task_completions`` and ``task_rewards``), then pay the rewards by accruing the task channel
through D on the ledger (deterministic ids: a rerun, an overlapping run or a retry after kill -9 answers
``exists`` and pays nothing twice). Settlement (``guanghe money settle``) then settles them with the other
channels.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo

import pyarrow as pa

from guanghe.data.growth_schema import TASK_COMPLETIONS
from guanghe.data.schema import TABLES
from guanghe.data.warehouse import Warehouse
from guanghe.growth.tasks.detect import Completion, assign, candidates, stored
from guanghe.growth.tasks.model import Task
from guanghe.ledger import LedgerStore
from guanghe.money.accrue import BATCH, AccrueReport, accrue
from guanghe.money.rules import ChannelRules
from guanghe.programs import Program

log = logging.getLogger(__name__)
TASK_REWARDS = TABLES["task_rewards"]


class RewardConflict(Exception):
    """A reward id is already stored for another completion (or differs): nothing was written."""


@dataclass
class TaskOutcome:
    task_id: str
    completions: int = 0  # every completion through the day (stored before + new)
    stored: int = 0  # stored before this run
    new: int = 0
    rewarded: int = 0  # new completions with a reward
    reward_fen: int = 0  # their rewards

    def as_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class TasksReport:
    through: date
    tasks: list[TaskOutcome] = field(default_factory=list)
    accrual: AccrueReport | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.accrual is None or self.accrual.ok

    def as_dict(self) -> dict:
        return {"through": self.through.isoformat(), "ok": self.ok, "seconds": round(self.seconds, 3),
                "tasks": [t.as_dict() for t in self.tasks],
                "accrual": self.accrual.as_dict() if self.accrual else None}  # fmt: skip


def detect(wh: Warehouse, tasks: list[Task], through: date, zone: ZoneInfo, programs: Mapping[str, Program],
           tick: Callable[[str], None] | None = None) -> tuple[list[TaskOutcome], list[Completion]]:  # fmt: skip
    """Per task, its completions through ``through`` and the new ones with their rewards (nothing written)."""
    outcomes, new = [], []
    for t in tasks:
        kept, found = stored(wh, t.task_id), candidates(wh, t, through, zone, programs)
        added = assign(t, found, kept)
        rewarded = [c for c in added if c.reward_fen]
        outcomes.append(TaskOutcome(t.task_id, len(kept) + len(added), len(kept), len(added), len(rewarded),
                                    sum(c.reward_fen for c in rewarded)))  # fmt: skip
        new += added
        if tick is not None:
            tick(t.task_id)
    return outcomes, new


def store(wh: Warehouse, new: list[Completion], through: date) -> None:
    """Write the new completions and their task_rewards rows in one transaction; a reward id already stored
    with other values (a collision) writes nothing and raises RewardConflict."""
    ids = [c.reward_id for c in new if c.reward_id is not None]
    if len(set(ids)) != len(ids):
        raise RewardConflict("two completions hash to one reward id; nothing was written")
    rows = pa.Table.from_pylist([{**c.__dict__, "run_through": through} for c in new],
                                schema=TASK_COMPLETIONS.arrow_schema())  # fmt: skip
    rewards = pa.Table.from_pylist([{"reward_id": c.reward_id, "task_id": c.task_id, "creator_id": c.creator_id,
                                     "completed_at": c.completed_at, "reward_fen": c.reward_fen}
                                    for c in new if c.reward_id is not None], schema=TASK_REWARDS.arrow_schema())  # fmt: skip
    if not rows.num_rows:
        return
    with wh.writer() as w:
        w.ensure(TASK_COMPLETIONS)
        done = w.merge(TASK_COMPLETIONS.name, rows)
        paid = w.merge(TASK_REWARDS.name, rewards) if rewards.num_rows else None
        clash = paid.conflicts.column("reward_id").to_pylist()[:5] if paid and paid.conflicts.num_rows else []
        if done.conflicts.num_rows or done.duplicates or clash:
            raise RewardConflict(f"completions or reward ids {clash} already stored with other values; "
                                 "nothing was written")  # fmt: skip
    log.info("tasks through %s: stored %d completions, %d rewards", through, rows.num_rows, rewards.num_rows)


def run_tasks(wh: Warehouse, ledger: LedgerStore, tasks: list[Task], rules: ChannelRules, programs: list[Program],
              through: date, zone: ZoneInfo, batch: int = BATCH,
              progress: Callable[[str, int, int], None] | None = None) -> TasksReport:  # fmt: skip
    """Detect, store, then pay through ``through`` (see the module). ``progress(step, done, total)``."""
    started = time.perf_counter()
    by_name = {p.name: p for p in programs}
    report = TasksReport(through)
    count = iter(range(1, len(tasks) + 1))
    report.tasks, new = detect(wh, tasks, through, zone, by_name,
                               tick=lambda _: progress and progress("detect", next(count), len(tasks)))  # fmt: skip
    store(wh, new, through)

    def paying(channel: str, done: int, total: int) -> None:
        log.debug("tasks through %s: paid %d/%d transfers", through, done, total)
        if progress is not None:
            progress("pay", done, total)

    report.accrual = accrue(wh, ledger, rules, [p.name for p in programs], through, zone, batch, paying,
                            channels=("task",))  # fmt: skip
    report.seconds = time.perf_counter() - started
    return report
