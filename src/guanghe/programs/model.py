"""A support program as a frozen value: period, budgets, rules, caps, floors, outcome, delivery."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction

from guanghe.programs.catalog import BUDGET_KINDS


def show(value: object) -> str:
    """A rule value as written in TOML: true, 0.1, "waist", ["head", "waist"]."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple | list):
        return "[" + ", ".join(show(v) for v in value) + "]"
    if isinstance(value, str):
        return f'"{value}"'
    return f"{round(value, 4):g}" if isinstance(value, float) else str(value)


@dataclass(frozen=True)
class Rule:
    """One eligibility rule ``feature op value``; every rule of a program must hold."""

    feature: str
    op: str
    value: object
    line: int = 0
    note: str = ""

    def __str__(self) -> str:
        return f"{self.feature} {self.op} {show(self.value)}"


@dataclass(frozen=True)
class Delivery:
    start: date
    end: date
    hours: str  # profile name, or "custom" for explicit weights
    hour_weights: tuple[float, ...]  # 24 weights for the platform's hours 0..23, summing to 1


@dataclass(frozen=True)
class Program:
    """A validated program. Budgets and caps are integers (impressions, fen); floors are budget shares."""

    name: str
    title: str
    period_start: date
    period_end: date
    budget: dict[str, int]  # kind -> amount, for the kinds in BUDGET_KINDS the program has (> 0)
    eligibility: tuple[Rule, ...]
    caps: dict[str, int]  # kind -> per-creator maximum over the period
    floors: dict[str, float]  # tier -> minimum share of each budget
    outcome: dict[str, float]  # outcome -> weight (non-negative, summing to 1)
    delivery: Delivery
    full_scale_creators: int  # platform size the budgets are written for
    scale_factor: float = 1.0  # budgets here = file budgets x scale_factor
    description: str = ""
    source: str = ""  # the file it came from
    lines: dict[str, int] = field(default_factory=dict, compare=False)  # field -> line in the source file

    def scaled(self, factor: float) -> Program:
        """The program with its budgets multiplied by ``factor`` (rounded to whole impressions / fen).
        Per-creator caps and the floor shares do not change with platform size."""
        if factor <= 0:
            raise ValueError(f"scale factor must be > 0, got {factor}")
        budget = {k: round(v * factor) for k, v in self.budget.items()}
        return dataclasses.replace(self, budget=budget, scale_factor=self.scale_factor * factor)

    def floor_amount(self, tier: str, kind: str) -> int:
        """The minimum amount of budget ``kind`` that must go to ``tier``: ceil(share × budget), computed on
        the share as written (0.3 is 3/10, not the float just above it), so no float error adds a unit."""
        share = Fraction(repr(self.floors.get(tier, 0.0)))
        return math.ceil(share * self.budget.get(kind, 0))

    def line(self, name: str) -> int:
        """Line of a field in the source file (0 when unknown)."""
        return self.lines.get(name, 0)

    def where(self, name: str) -> str:
        n = self.line(name)
        return f"{self.source}:{n}" if n else self.source

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(k for k in BUDGET_KINDS if k in self.budget)
