"""The growth room's regular run over a warehouse, as the demo (and a platform's nightly job) does it: the trust
badges for the day, then the growth-rights levels at each of the last month ends up to it, oldest first (so
the hysteresis builds on the month before). Both feed the allocator as creator features, so they run before
it; the task center runs after the money accrual, since it pays (``growth.tasks.run.run_tasks``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from guanghe.data.warehouse import Warehouse
from guanghe.growth.badge_rules import RULES_FILE, load_badge_rules
from guanghe.growth.badges import BadgeDay, run_badges
from guanghe.growth.level_load import LEVELS_FILE, load_levels
from guanghe.growth.level_run import LevelRun, run_levels


@dataclass
class GrowthRun:
    badges: list[BadgeDay] = field(default_factory=list)
    levels: list[LevelRun] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "badges": [b.__dict__ | {"as_of": b.as_of.isoformat()} for b in self.badges],
            "levels": [{"as_of": r.as_of.isoformat(), "creators": r.creators, "counts": r.counts,
                        "promoted": r.promoted, "demoted": r.demoted} for r in self.levels],
        }  # fmt: skip


def month_ends(last: date, months: int) -> list[date]:
    """The ``months`` month ends up to ``last`` (itself first if it is one), oldest first.

    >>> month_ends(date(2023, 6, 30), 3)
    [datetime.date(2023, 4, 30), datetime.date(2023, 5, 31), datetime.date(2023, 6, 30)]
    """
    out, d = [], last
    while len(out) < months:
        out.append(d)
        d = d.replace(day=1) - timedelta(days=1)
    return out[::-1]


def run_growth(
    wh: Warehouse,
    as_of: date,
    zone: ZoneInfo,
    level_months: int = 3,
    levels_file: Path = LEVELS_FILE,
    badges_file: Path = RULES_FILE,
) -> GrowthRun:
    """Badges for ``as_of``, then levels at the last ``level_months`` month ends up to it (each stored)."""
    run = GrowthRun()
    run.badges = run_badges(wh, [as_of], load_badge_rules(badges_file), zone)
    rules = load_levels(levels_file)
    run.levels = [run_levels(wh, rules, d, zone) for d in month_ends(as_of, level_months)]
    return run
