"""The programs an operator edits: the program files (TOML) of the folder ``guanghe web`` was started with
(``--programs``), validated by ``programs.load`` (every problem with file:line:field), their eligible
creators (``programs.check_programs``), a preview of an edit (eligible creators before/after and the plan's
change: the allocator run on the edited set WITHOUT storing, compared with the stored plan) and the save
(the file replaced atomically). Budgets are scaled to the platform as ``guanghe allocate`` scales them."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from guanghe.allocate.plan import make_plan
from guanghe.allocate.summary import summary
from guanghe.data.warehouse import Warehouse
from guanghe.programs import (
    Issue,
    Program,
    ProgramCheck,
    ProgramError,
    check_programs,
    creator_features,
    load_programs,
    parse_program,
)
from guanghe.programs.features import last_activity_day
from guanghe.web.views.operator_cache import background, cached
from guanghe.web.views.operator_plans import latest_plan, plan_programs

MAX_TOML = 64_000  # characters of one program file


@dataclass(frozen=True)
class ProgramFile:
    file: str  # the file's name in the folder
    path: Path
    text: str
    sha: str  # of the text: a save names the version it edits


@dataclass
class Preview:
    """An edit's effect: eligible creators (program -> tier -> count) before and after, and per (program,
    kind) the stored plan's and the edited plan's budget, allocated and creators."""

    program: str
    day: date
    eligible_before: dict[str, int]
    eligible_after: dict[str, int]
    stored_plan: str | None
    rows: list[dict] = field(default_factory=list)
    certificate: dict = field(default_factory=dict)


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def files(directory: Path) -> list[ProgramFile]:
    """The folder's program files, by name."""
    out = []
    for p in sorted(Path(directory).glob("*.toml")):
        text = p.read_text(encoding="utf-8")
        out.append(ProgramFile(p.name, p, text, sha(text)))
    return out


def one_file(directory: Path, name: str | None) -> ProgramFile | None:
    """A file of the folder by its name (only names listed there: no other path is ever read)."""
    found = files(directory)
    if name is None:
        return found[0] if found else None
    return next((f for f in found if f.file == name), None)


def platform(wh: Warehouse, zone: ZoneInfo) -> tuple[date, int]:
    """The day ``guanghe allocate`` plans as of (the newest work's) and the creators joined by then."""

    def run() -> tuple[date, int]:
        tables = wh.tables()
        day = last_activity_day(tables, zone)
        if day is None:
            raise ProgramError([Issue(wh.url, 0, "", "the warehouse has no works: nothing to plan for")])
        c = tables["creators"]
        return day, int(c.filter(c.joined_on <= day).count().execute())

    return cached(wh.url, ("platform", str(zone)), run)


def _stamp(directory: Path) -> tuple:
    return tuple((f.file, f.sha) for f in files(directory))


def checks(wh: Warehouse, directory: Path, zone: ZoneInfo) -> list[ProgramCheck]:
    """Every program of the folder, scaled to the platform, with its eligible creators by tier."""

    def run() -> list[ProgramCheck]:
        day, n = platform(wh, zone)
        programs = load_programs(directory, platform_creators=n)
        return check_programs(creator_features(wh.tables(), day, zone), programs)

    return cached(wh.url, ("checks", str(directory), _stamp(directory), str(zone)), run)


def overview(url: str, directory: Path, zone: ZoneInfo, wait_s: float = 2.0
             ) -> tuple[tuple[date, int, list[ProgramCheck]] | None, bool]:  # fmt: skip
    """(day, creators, checks) computed in the background (``operator_cache.background``): None while the
    first computation runs; ProgramError when the folder's files are invalid."""

    def run(wh: Warehouse) -> tuple[date, int, list[ProgramCheck]]:
        day, n = platform(wh, zone)
        return day, n, checks(wh, directory, zone)

    return background(url, ("programs", str(directory), _stamp(directory), str(zone)), run, wait_s)


def edited_set(directory: Path, file: ProgramFile, text: str, n: int) -> list[Program]:
    """The folder's programs with ``file`` replaced by ``text``, scaled to ``n`` creators; ProgramError (the
    real file names and lines) when the edit or the set is invalid. Nothing is written to the folder."""
    if len(text) > MAX_TOML:
        raise ProgramError([Issue(str(file.path), 0, "", f"expected at most {MAX_TOML:,} characters")])
    edited = parse_program(text, str(file.path))  # the edit's own problems, with its real path
    old = parse_program(file.text, str(file.path))
    if edited.name != old.name:
        raise ProgramError([Issue(str(file.path), edited.line("name"), "name",
                                  f"expected {old.name!r}: a program is renamed by renaming its file")])  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="guanghe-programs-") as tmp:
        for f in files(directory):
            shutil.copyfile(f.path, Path(tmp) / f.file)
        (Path(tmp) / file.file).write_text(text, encoding="utf-8")
        try:
            return load_programs(tmp, platform_creators=n)
        except ProgramError as e:
            raise ProgramError([Issue(i.file.replace(tmp, str(directory)), i.line, i.field, i.message)
                                for i in e.issues]) from None  # fmt: skip


def preview(wh: Warehouse, directory: Path, file: ProgramFile, text: str, zone: ZoneInfo,
            tol: float = 1e-4) -> Preview:  # fmt: skip
    """Validate the edit, count the eligible creators before and after, plan the edited set (not stored)
    and set it beside the stored plan. Raises ProgramError (also InfeasibleProgram) on a bad edit."""
    day, n = platform(wh, zone)
    after_set = edited_set(directory, file, text, n)
    name = parse_program(text, str(file.path)).name
    before = {c.program.name: c.eligible for c in checks(wh, directory, zone)}
    tables = wh.tables()
    after = check_programs(creator_features(tables, day, zone), [p for p in after_set if p.name == name])[0]
    plan = make_plan(tables, after_set, day, "preview", tol, zone)  # (raises InfeasibleProgram first)
    doc = summary(plan, {})
    stored = latest_plan(wh)
    old = {(r["program"], r["kind"]): r for r in plan_programs(wh, stored)} if stored else {}
    rows = []
    for p in doc["programs"]:
        o = old.pop((p["program"], p["kind"]), None)
        rows.append(_row(p["program"], p["kind"], o, p))
    rows += [_row(prog, kind, o, None) for (prog, kind), o in old.items()]
    return Preview(name, day, before.get(name, {}), after.eligible, stored, sorted(rows, key=_order),
                   doc["certificate"])  # fmt: skip


def _order(r: dict) -> tuple:
    return (r["program"], r["kind"])


def _row(program: str, kind: str, old: dict | None, new: dict | None) -> dict:
    out = {"program": program, "kind": kind}
    for k in ("budget", "allocated", "creators"):
        a = None if old is None else int(old[k])
        b = None if new is None else int(new[k])
        out[f"{k}_before"], out[f"{k}_after"] = a, b
        out[f"{k}_change"] = None if a is None or b is None else b - a
    out["changed"] = any(out[f"{k}_change"] != 0 for k in ("budget", "allocated", "creators"))
    return out


class StaleEdit(Exception):
    """The file changed since the page was opened: reload and edit again."""


def save(directory: Path, file: ProgramFile, text: str, base_sha: str, n: int) -> Path:
    """Validate the edited set again and replace the file atomically (a temp file in the same folder, then
    ``os.replace``); StaleEdit when the file is no longer the version the edit started from."""
    current = one_file(directory, file.file)
    if current is None or current.sha != base_sha:
        raise StaleEdit(f"{file.file} changed since it was opened: reload it and edit again")
    edited_set(directory, current, text, n)
    fd, tmp = tempfile.mkstemp(prefix=f".{file.file}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, current.path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return current.path
