"""Read and validate task files (TOML), every problem as ``file:line: field: message`` (the programs' reader).

``load_tasks(directory, programs)``: every ``*.toml``; either every file loads or ``TaskError`` lists all
problems. ``programs``: the names an ``audience.program`` may name.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from pathlib import Path

from guanghe.data.schema import CATEGORIES, REGIONS
from guanghe.growth.tasks.goals import GOALS
from guanghe.growth.tasks.model import Audience, Task
from guanghe.programs.catalog import FEATURES
from guanghe.programs.errors import Issue, ProgramError
from guanghe.programs.reader import Reader

_ID = re.compile(r"^[a-z][a-z0-9_]*$")
TOP_KEYS = ("id", "title", "description", "window", "audience", "goal", "reward", "limits")
AUDIENCE_KEYS = ("categories", "regions", "joined_from", "program", "min_level")
LEVEL_FEATURE = "level"


class TaskError(ProgramError):
    """One or more task files are invalid; ``issues`` lists every problem found."""

    def _text(self) -> str:
        n = len(self.issues)
        return "\n".join(
            [f"{n} problem{'s' if n != 1 else ''} in task files:", *(f"  {i}" for i in self.issues)]
        )


def _names(r: Reader, d: dict, key: str, allowed: tuple[str, ...]) -> tuple[str, ...]:
    v = d.get(key, [])
    if not isinstance(v, list) or not all(isinstance(x, str) and x in allowed for x in v):
        r.err(("audience", key), f"expected a list of {', '.join(allowed)}; got {v!r}")
        return ()
    return tuple(v)


def _audience(r: Reader, doc: dict, programs: set[str]) -> Audience:
    d = r.table(doc, "audience", AUDIENCE_KEYS, required=False) or {}
    joined = r.day(d, ("audience", "joined_from")) if "joined_from" in d else None
    program = r.string(d, ("audience", "program")) if "program" in d else None
    if program and program not in programs:
        r.err(
            ("audience", "program"),
            f"unknown program {program!r}; expected one of: {', '.join(sorted(programs))}",
        )
    level = None
    if "min_level" in d:
        if LEVEL_FEATURE not in FEATURES:
            r.err(("audience", "min_level"), "the creator feature 'level' does not exist (no growth-rights levels "
                  "in this installation); remove min_level")  # fmt: skip
        else:
            level = r.integer(d, ("audience", "min_level"), "a level", 0)
    return Audience(_names(r, d, "categories", CATEGORIES), _names(r, d, "regions", REGIONS), joined,
                    program or None, level)  # fmt: skip


def _goal(r: Reader, doc: dict):
    d = doc.get("goal")
    if not isinstance(d, dict):
        r.err(("goal",), "missing; expected a [goal] table with kind = " + " | ".join(GOALS))
        return None
    kind = d.get("kind")
    if kind not in GOALS:
        r.err(("goal", "kind"), f"unknown goal kind {kind!r}; expected one of: {', '.join(GOALS)}")
        return None
    cls = GOALS[kind]
    r.unknown(d, ("goal",), ("kind", *cls.params))
    return cls.parse(r, d)


def _optional_int(r: Reader, d: dict, table: str, key: str, what: str, minimum: int) -> int | None:
    return r.integer(d, (table, key), what, minimum) if key in d else None


def parse_task(text: str, file: str = "<string>", programs: Iterable[str] = ()) -> Task:
    """Validate one task document; raise TaskError listing every problem."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        m = re.search(r"\(at line (\d+)", str(e))
        raise TaskError([Issue(file, int(m.group(1)) if m else 0, "", f"not valid TOML: {e}")]) from e
    r = Reader(file, text)
    r.unknown(doc, (), TOP_KEYS)
    task_id = r.string(doc, ("id",))
    if task_id and not _ID.match(task_id):
        r.err(("id",), f"expected an identifier of a-z, 0-9 and _ starting with a letter, got {task_id!r}")
    title = r.string(doc, ("title",))
    description = r.string(doc, ("description",), required=False)
    window = r.table(doc, "window", ("start", "end")) or {}
    start = r.day(window, ("window", "start")) if window else None
    end = r.day(window, ("window", "end")) if window else None
    if start and end and start > end:
        r.err(("window", "end"), f"expected a date on or after window.start {start}, got {end}")
    audience = _audience(r, doc, set(programs))
    goal = _goal(r, doc)
    reward = r.table(doc, "reward", ("fen", "first")) or {}
    fen = r.integer(reward, ("reward", "fen"), "the reward in fen", 1) if "fen" in reward else None
    if reward and "fen" not in reward:
        r.err(("reward", "fen"), "missing; expected the reward in fen (an integer >= 1)")
    first = _optional_int(r, reward, "reward", "first", "the number of completers rewarded", 1)
    limits = r.table(doc, "limits", ("per_creator", "budget_fen"), required=False) or {}
    per_creator = _optional_int(r, limits, "limits", "per_creator", "completions per creator", 1)
    budget = _optional_int(r, limits, "limits", "budget_fen", "the task's budget in fen", 1)
    if budget is not None and fen is not None and budget < fen:
        r.err(("limits", "budget_fen"), f"expected at least one reward ({fen} fen), got {budget}")
    if r.issues:
        raise TaskError(r.issues)
    for key in ("id", "title"):
        r.lines[key] = r.loc.line((key,))
    assert start and end and goal and fen  # no issues: every required field was read
    return Task(task_id, title, start, end, goal, fen, audience, first, per_creator or 1, budget, description,
                file, r.lines)  # fmt: skip


def load_task(path: str | Path, programs: Iterable[str] = ()) -> Task:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise TaskError([Issue(str(p), 0, "", f"cannot read the file: {e}")]) from e
    return parse_task(text, str(p), programs)


def load_tasks(directory: str | Path, programs: Iterable[str] = ()) -> list[Task]:
    """Every ``*.toml`` of a directory, by id; all load, or TaskError lists every problem."""
    d, names = Path(directory), list(programs)
    if not d.is_dir():
        raise TaskError([Issue(str(d), 0, "", "not a directory of task files (*.toml)")])
    files = sorted(d.glob("*.toml"))
    if not files:
        raise TaskError([Issue(str(d), 0, "", "no task files (*.toml) in the directory")])
    tasks, issues, seen = [], [], {}
    for f in files:
        try:
            t = load_task(f, names)
        except TaskError as e:
            issues.extend(e.issues)
            continue
        if t.task_id in seen:
            issues.append(
                Issue(
                    str(f),
                    t.lines.get("id", 0),
                    "id",
                    f"task {t.task_id!r} already defined in {seen[t.task_id]}",
                )
            )
        seen[t.task_id] = str(f)
        tasks.append(t)
    if issues:
        raise TaskError(issues)
    return sorted(tasks, key=lambda t: t.task_id)
