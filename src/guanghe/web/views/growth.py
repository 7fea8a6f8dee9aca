"""The growth room's sections of the creator center, through the growth room's own use cases: the level and
what the next level needs (``growth.level_explain.explain_rows``, as ``guanghe growth explain``), progress on the shipped tasks
(``growth.tasks.progress.creator_progress``), and the creator's flagged works (``work_originality``)."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from guanghe.data.growth_schema import CREATOR_LEVELS, WORK_ORIGINALITY
from guanghe.data.warehouse import Warehouse, WarehouseError
from guanghe.growth.level_explain import explain_rows
from guanghe.growth.level_features import level_features
from guanghe.growth.level_load import LEVELS_FILE, load_levels
from guanghe.growth.level_rules import LevelRules
from guanghe.growth.level_run import stored_runs
from guanghe.growth.tasks import TASKS_DIR, Task, load_tasks
from guanghe.growth.tasks.progress import creator_progress
from guanghe.programs import Program, load_programs
from guanghe.web.by_creator import ByCreator


@cache
def level_rules(path: Path = LEVELS_FILE) -> LevelRules:
    return load_levels(path)


@cache
def task_files(tasks: Path, programs: Path) -> tuple[list[Task], dict[str, Program]]:
    """The tasks of a folder and the programs their audiences may name (as ``guanghe tasks progress``)."""
    progs = load_programs(programs)
    return load_tasks(tasks, [p.name for p in progs]), {p.name: p for p in progs}


@dataclass(frozen=True)
class LevelRows:
    """What the level section reads, for one creator or all at once (the web's snapshot): each creator's
    ``level_features`` row on ``day`` and its ``creator_levels`` changes up to it."""

    day: date
    features: ByCreator
    history: ByCreator


def level_rows(
    wh: Warehouse, as_of: date, zone: ZoneInfo, creators: list[int] | None = None
) -> LevelRows | None:
    """The rows of ``creators`` (None: every creator); None when no levels were computed."""
    if not wh.has(CREATOR_LEVELS) or not stored_runs(wh):
        return None
    f = level_features(wh.tables(), as_of, zone)
    h = wh.table(CREATOR_LEVELS)
    h = h.filter(h.as_of <= as_of)
    if creators is not None:
        f, h = f.filter(f.creator_id.isin(creators)), h.filter(h.creator_id.isin(creators))
    return LevelRows(as_of, ByCreator(wh.fetch(f)), ByCreator(wh.fetch(h), then=("as_of",)))


def level_of(rows: LevelRows | None, creator_id: int) -> dict[str, Any] | None:
    """The creator's level as of the rows' day and the rules of the next level with the creator's values
    (``Explanation.to_dict``); None when no levels were computed; ``{"error": ...}`` for a creator the
    growth room does not know that day."""
    if rows is None:
        return None
    features = rows.features.rows(creator_id)
    try:
        found = explain_rows(level_rules(), creator_id, rows.day, features[0] if features else None,
                             rows.history.rows(creator_id)).to_dict()  # fmt: skip
    except WarehouseError as e:
        return {"error": str(e)}
    found["missing"] = [{**c, "shown": {k: figure(c[k]) for k in ("value", "threshold", "missing")}}
                        for c in found["next_level_entry"] if not c["holds"]]  # fmt: skip
    return found


def level(wh: Warehouse, creator_id: int, as_of: date, zone: ZoneInfo) -> dict[str, Any] | None:
    """``level_of`` one creator, read for that creator alone (``growth explain``'s answer)."""
    return level_of(level_rows(wh, as_of, zone, [creator_id]), creator_id)


def figure(x: float | int) -> str:
    """A rule's figure for a page: whole numbers with separators, others to 4 decimals (0.034, 1,234.5)."""
    return f"{int(x):,}" if float(x).is_integer() else f"{round(float(x), 4):,}"


def tasks(wh: Warehouse, creator_id: int, through: date, zone: ZoneInfo, programs: Path,
          folder: Path = TASKS_DIR) -> list[dict[str, Any]]:  # fmt: skip
    """The creator on every shipped task through ``through``: status, progress, completions, rewards."""
    found, progs = task_files(folder, programs)
    return [p.as_dict() for p in creator_progress(wh, found, creator_id, through, zone, progs)]


def flagged(wh: Warehouse, creator_id: int) -> list[dict[str, Any]] | None:
    """The creator's works counted as re-uploads (newest scan's rows), or None before any scan."""
    if not wh.has(WORK_ORIGINALITY):
        return None
    t = wh.table(WORK_ORIGINALITY)
    rows = t.filter((t.creator_id == creator_id) & t.flagged).order_by("work_id")
    return wh.fetch(rows.select("work_id", "original_work_id", "original_creator_id", "signal", "frame_share",
                                "decision", "detected_on")).to_pylist()  # fmt: skip


def studio_available() -> bool:
    """The creator studio's tools exist (the ``guanghe.studio`` room is installed)."""
    return importlib.util.find_spec("guanghe.studio") is not None
