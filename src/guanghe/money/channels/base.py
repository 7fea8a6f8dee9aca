"""What every channel's rule code shares: the run's context, the events it read, funding of budgets."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from zoneinfo import ZoneInfo

import numpy as np

from guanghe.data.warehouse import Warehouse
from guanghe.money.chart import Kind, program_code
from guanghe.money.days import day_number, utc_end
from guanghe.money.inputs import Membership, Plan, Tiers
from guanghe.money.legs import Chunk, Side
from guanghe.money.levels import LevelRights
from guanghe.money.rules import ChannelRules

SHOWN_REASONS = 20


@dataclass
class Context:
    """One accrual run: the warehouse, the platform's zone, the last business day, the rules."""

    wh: Warehouse
    zone: ZoneInfo
    through: date
    rules: ChannelRules
    programs: set[str]  # names of the loaded programs

    @property
    def last(self) -> int:
        """The last business day accrued (a day number)."""
        return day_number(self.through)

    @property
    def end_utc(self):
        """The first UTC instant after ``through`` (naive): events at or after it are not read."""
        return utc_end(self.through, self.zone)

    @cached_property
    def plan(self) -> Plan:
        return Plan(self.wh)

    @cached_property
    def membership(self) -> Membership:
        return Membership(self.wh, self.rules.programs(), self.plan)

    @cached_property
    def levels(self) -> LevelRights:
        return LevelRights(self.wh)

    @cached_property
    def tiers(self) -> Tiers:
        return Tiers(self.wh, self.through)


@dataclass
class Read:
    """The events a channel read (business start on or before ``through``) and those it could not use."""

    channel: str
    events: int = 0
    skipped: int = 0
    reasons: list[str] = field(default_factory=list)  # the first few, "<table>/<key>: why"

    def skip(self, source: str, keys: np.ndarray, why: str) -> None:
        self.skipped += len(keys)
        room = SHOWN_REASONS - len(self.reasons)
        self.reasons += [f"{source}/{k}: {why}" for k in keys[: max(room, 0)].tolist()]


def sums_by(groups: np.ndarray, amounts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(distinct groups, sum of amounts per group) in int64."""
    uniq, inv = np.unique(groups, return_inverse=True)
    out = np.zeros(len(uniq), np.int64)
    np.add.at(out, inv, amounts.astype(np.int64))
    return uniq, out


def funding(channel: str, program: str, days: np.ndarray, amounts: np.ndarray, tag: str) -> Chunk:
    """PLATFORM_FUNDING -> PROGRAM_BUDGET[program], one transfer per business day equal to that day's amounts
    paid (or held) from the budget: first in the linked chain ``tag`` of that day, before what it funds."""
    keep = amounts > 0
    uniq, total = sums_by(days[keep], amounts[keep])
    code = program_code(program)
    return Chunk(channel, 402, "funding", channel, np.full(len(uniq), code, np.int64), uniq.astype(np.int32),
                 np.zeros(len(uniq), np.int64), Side(Kind.PLATFORM_FUNDING), Side(Kind.PROGRAM_BUDGET, code),
                 total, program=program, id_day=uniq.astype(np.int32), chain=uniq.astype(np.int64), tag=tag, order=0)  # fmt: skip
