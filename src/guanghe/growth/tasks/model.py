"""A task of the task center (任务中心) as data: who it is for, when, the goal, the reward and its limits."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from guanghe.growth.tasks.goals import Goal


@dataclass(frozen=True)
class Audience:
    """Who is enrolled (automatically): every creator matching all the filters given (none: everyone)."""

    categories: tuple[str, ...] = ()  # creators.category among these
    regions: tuple[str, ...] = ()  # creators.region among these
    joined_from: date | None = None  # joined on or after (新人 tasks)
    program: str | None = None  # eligible for this program (programs' eligibility rules)
    min_level: int | None = None  # creator feature ``level`` >= this (growth-rights levels)

    @property
    def needs_features(self) -> bool:
        return self.program is not None or self.min_level is not None

    def describe(self) -> str:
        parts = []
        if self.categories:
            parts.append("category in " + ",".join(self.categories))
        if self.regions:
            parts.append("region in " + ",".join(self.regions))
        if self.joined_from:
            parts.append(f"joined from {self.joined_from}")
        if self.program:
            parts.append(f"eligible for {self.program}")
        if self.min_level is not None:
            parts.append(f"level >= {self.min_level}")
        return "; ".join(parts) or "all creators"


@dataclass(frozen=True)
class Task:
    task_id: str
    title: str
    start: date  # the window's first and last platform days
    end: date
    goal: Goal
    reward_fen: int
    audience: Audience = field(default_factory=Audience)
    first: int | None = None  # only the first K completers are rewarded (None: all)
    per_creator: int = 1  # completions a creator may make
    budget_fen: int | None = None  # rewards of the task never exceed this (None: no cap)
    description: str = ""
    source: str = ""
    lines: dict[str, int] = field(default_factory=dict, compare=False, hash=False)

    def last_day(self, through: date) -> date:
        """The last day a run through ``through`` looks at."""
        return min(self.end, through)

    def as_dict(self) -> dict:
        return {"task_id": self.task_id, "title": self.title, "start": self.start.isoformat(),
                "end": self.end.isoformat(), "audience": self.audience.describe(), "goal": self.goal.describe(),
                "goal_kind": self.goal.kind, "reward_fen": self.reward_fen, "first": self.first,
                "per_creator": self.per_creator, "budget_fen": self.budget_fen, "source": self.source}  # fmt: skip
