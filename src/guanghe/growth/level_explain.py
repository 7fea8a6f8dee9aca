"""``guanghe growth explain CREATOR``: a creator's stored level, its path, and what the next level needs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from guanghe.data.growth_schema import CREATOR_LEVELS
from guanghe.data.warehouse.base import Warehouse, WarehouseError
from guanghe.growth.level_features import level_features
from guanghe.growth.level_rules import LevelRule, LevelRules
from guanghe.growth.level_run import stored_runs
from guanghe.programs.ibis_util import UTC_ZONE
from guanghe.programs.model import show


@dataclass(frozen=True)
class Check:
    """One rule against the creator's value; ``missing``: how far the value is from the threshold (0 if met)."""

    rule: LevelRule
    keep: bool  # the keep threshold (staying) rather than the entry one
    value: float | int
    holds: bool

    @property
    def missing(self) -> float:
        if self.holds:
            return 0.0
        t = self.rule.keep if self.keep else self.rule.value
        gap = t - self.value if self.rule.op in (">=", ">") else self.value - t
        return gap if self.rule.op in (">=", "<=") else gap + (1 if isinstance(self.value, int) else 0)

    def __str__(self) -> str:
        mark = "ok  " if self.holds else "MISS"
        extra = "" if self.holds else f"  (missing {show(round(self.missing, 4))})"
        return f"{mark} {self.rule.text(self.keep)}: {self.rule.feature} is {show(self.value)}{extra}"

    def to_dict(self) -> dict:
        return {"feature": self.rule.feature, "op": self.rule.op,
                "threshold": self.rule.keep if self.keep else self.rule.value, "value": self.value,
                "holds": self.holds, "missing": self.missing, "line": self.rule.line}  # fmt: skip


@dataclass
class Explanation:
    creator_id: int
    as_of: date
    level: str
    rank: int
    since: date | None  # the day of the change that set the level (None: the base level, never changed)
    reason: str
    history: list[dict]  # the creator's stored changes, oldest first
    keep: list[Check]  # the current level's keep rules
    next_level: str | None
    entry: list[Check]  # the next level's entry rules
    features: dict

    def to_dict(self) -> dict:
        return {"creator_id": self.creator_id, "as_of": self.as_of.isoformat(), "level": self.level,
                "rank": self.rank, "since": self.since.isoformat() if self.since else None, "reason": self.reason,
                "history": self.history, "keep": [c.to_dict() for c in self.keep], "next_level": self.next_level,
                "next_level_entry": [c.to_dict() for c in self.entry], "features": self.features}  # fmt: skip


def _checks(rules: LevelRules, rank: int, row: dict, keep: bool) -> list[Check]:
    return [Check(r, keep, row[r.feature], r.holds(row[r.feature], keep)) for r in rules.levels[rank].rules]


def explain_creator(
    wh: Warehouse, rules: LevelRules, creator_id: int, as_of: date | None = None, zone: ZoneInfo = UTC_ZONE
) -> Explanation:
    """The level stored for ``creator_id`` as of ``as_of`` (default: the newest run), its history up to that
    day, and its rule values that day: the keep rules of its level and the entry rules of the next."""
    runs = stored_runs(wh)
    if not runs:
        raise WarehouseError(f"no levels stored in {wh.url}: run `guanghe growth levels --as-of DATE` first")
    day = as_of or runs[-1]
    f = level_features(wh.tables(), day, zone)
    found = wh.fetch(f.filter(f.creator_id == creator_id)).to_pylist()
    h = wh.table(CREATOR_LEVELS)
    hist = wh.fetch(h.filter((h.creator_id == creator_id) & (h.as_of <= day)).order_by("as_of")).to_pylist()
    return explain_rows(rules, creator_id, day, found[0] if found else None, hist)


def explain_rows(
    rules: LevelRules, creator_id: int, day: date, features: dict | None, hist: list[dict]
) -> Explanation:
    """The explanation from the creator's ``level_features`` row that day (None: not in the warehouse) and its
    ``creator_levels`` rows dated on or before it, oldest first — what ``explain_creator`` reads, for callers
    that read every creator's rows at once (the web's creator pages)."""
    if features is None:
        raise WarehouseError(f"creator {creator_id} is not in the warehouse (or had not joined by {day})")
    row = {k: v for k, v in features.items() if k != "creator_id"}
    history = [{**r, "as_of": r["as_of"].isoformat()} for r in hist]
    last = hist[-1] if hist else None
    rank = min(last["rank"], rules.top) if last else 0
    nxt = rank + 1 if rank < rules.top else None
    return Explanation(
        creator_id=creator_id, as_of=day, level=rules.name(rank), rank=rank,
        since=last["as_of"] if last else None, reason=last["reason"] if last else "base level: never promoted",
        history=history, keep=_checks(rules, rank, row, keep=True), next_level=rules.name(nxt) if nxt else None,
        entry=_checks(rules, nxt, row, keep=False) if nxt else [], features=row,
    )  # fmt: skip
