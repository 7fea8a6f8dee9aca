"""Growth-rights levels as a frozen value: ordered levels, their entry and keep rules, and their rights.

Hysteresis: a rule ``feature op value`` is the entry threshold; its keep threshold is ``keep`` when the file
gives one, else ``value`` relaxed by the file's margin (``>=``/``>``: value x (1 - margin); ``<=``/``<``:
value x (1 + margin)). To enter a level every entry rule must hold; to stay at it every keep rule must.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass

from guanghe.programs.model import show

COMPARE = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt}


@dataclass(frozen=True)
class LevelFeature:
    kind: str  # "int" or "float"
    description: str


# The features a level rule may test (computed by ``growth.level_features``), all over rolling windows.
LEVEL_FEATURES: dict[str, LevelFeature] = {
    "active_days_90d": LevelFeature("int", "Distinct platform days with a published work, last 90 days."),
    "works_30d": LevelFeature("int", "Works published in the 30 days ending as_of."),
    "works_90d": LevelFeature("int", "Works published in the 90 days ending as_of."),
    "followers": LevelFeature("int", "Followers as of the day."),
    "completion_rate": LevelFeature("float", "completed_plays / plays, last 90 days (0 without plays)."),
    "engagement_rate": LevelFeature("float", "(likes + comments + shares) / plays, last 90 days."),
    "originality": LevelFeature(
        "float", "Originality in [0, 1]: the creator features' `health` (1.0 until the detector scores it)."
    ),
    "violations_90d": LevelFeature("int", "creator_violations rows dated in the 90 days ending as_of."),
    "tenure_days": LevelFeature("int", "Days since the account was created."),
}


@dataclass(frozen=True)
class LevelRule:
    """``feature op value`` to enter a level; ``feature op keep`` to stay at it."""

    feature: str
    op: str
    value: float
    keep: float
    line: int = 0

    def holds(self, x: float | None, keep: bool = False) -> bool:
        return x is not None and bool(COMPARE[self.op](x, self.keep if keep else self.value))

    def text(self, keep: bool = False) -> str:
        return f"{self.feature} {self.op} {show(self.keep if keep else self.value)}"

    def __str__(self) -> str:
        return self.text()


@dataclass(frozen=True)
class Rights:
    ad_share: bool = False
    fee_discount_bps: int = 0
    task_center: bool = False
    traffic_coupon: int = 0  # percent: the allocator weighs impressions value by 1 + traffic_coupon / 100

    def to_dict(self) -> dict:
        return {"ad_share": self.ad_share, "fee_discount_bps": self.fee_discount_bps,
                "task_center": self.task_center, "traffic_coupon": self.traffic_coupon}  # fmt: skip


@dataclass(frozen=True)
class Level:
    rank: int
    name: str
    title: str
    rules: tuple[LevelRule, ...]  # empty for the base level (rank 0)
    rights: Rights
    line: int = 0


@dataclass(frozen=True)
class LevelRules:
    """The levels of a rules file, base level first; ``sha256`` of the file's bytes."""

    levels: tuple[Level, ...]
    margin: float
    source: str = ""
    sha256: str = ""

    @property
    def top(self) -> int:
        return len(self.levels) - 1

    def name(self, rank: int) -> str:
        return self.levels[rank].name

    def enters(self, rank: int, row: dict) -> bool:
        return all(r.holds(row.get(r.feature)) for r in self.levels[rank].rules)

    def keeps(self, rank: int, row: dict) -> bool:
        return all(r.holds(row.get(r.feature), keep=True) for r in self.levels[rank].rules)

    def assign(self, row: dict, previous: int) -> int:
        """The level after a run (the reference the Ibis query mirrors): the highest level whose entry rules
        hold, or the highest level at or below the previous one whose keep rules hold, whichever is higher."""
        entered = max(k for k in range(len(self.levels)) if self.enters(k, row))
        kept = max(k for k in range(min(previous, self.top) + 1) if self.keeps(k, row))
        return max(entered, kept)
