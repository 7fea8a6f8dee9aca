"""Read and validate program files (TOML): every problem is reported with file, line and field.

``load_program(path, scale=...)`` / ``load_programs(directory, scale=...)``: the files are written at full
scale (``[scale] creators``); ``scale`` multiplies the budgets, or ``platform_creators`` sets the factor to
platform creators / full-scale creators per file. Either every file loads or ProgramError lists all problems.
"""

from __future__ import annotations

import re
import tomllib
from datetime import date
from pathlib import Path

from guanghe.programs.catalog import (
    BUDGET_KINDS,
    FEATURES,
    OPS,
    ORDER_OPS,
    OUTCOMES,
    TIER_NAMES,
    expected,
    value_fits,
)
from guanghe.programs.errors import Issue, ProgramError
from guanghe.programs.hours import PROFILES, normalise
from guanghe.programs.model import Delivery, Program, Rule
from guanghe.programs.reader import Reader

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
TOP_KEYS = ("name", "title", "description", "period", "scale", "budget", "eligibility", "caps", "floors",
            "outcome", "delivery")  # fmt: skip


def _rules(r: Reader, doc: dict) -> tuple[Rule, ...]:
    raw = doc.get("eligibility", [])
    if not isinstance(raw, list) or not all(isinstance(x, dict) for x in raw):
        r.err(("eligibility",), "expected [[eligibility]] tables (feature, op, value)")
        return ()
    rules = []
    for i, d in enumerate(raw):
        path = ("eligibility", i)
        r.unknown(d, path, ("feature", "op", "value", "note"))
        ok = True
        for key in ("feature", "op", "value"):
            if key not in d:
                r.err((*path, key), "missing; a rule needs feature, op and value")
                ok = False
        if not ok:
            continue
        name, op, value = d["feature"], d["op"], d["value"]
        if name not in FEATURES:
            r.err((*path, "feature"), f"unknown feature {name!r}; expected one of: {', '.join(FEATURES)}")
            continue
        feat = FEATURES[name]
        if op not in OPS:
            r.err((*path, "op"), f"unknown operator {op!r}; expected one of: {', '.join(OPS)}")
            continue
        if op in ORDER_OPS and feat.kind not in ("int", "float"):
            r.err(
                (*path, "op"), f"{op!r} needs a numeric feature; {name} is {feat.kind} (use == != in not_in)"
            )
            continue
        if op in ("in", "not_in"):
            good = isinstance(value, list) and value and all(value_fits(feat, v) for v in value)
            if not good:
                r.err((*path, "value"), f"{op} needs a non-empty list, each {expected(feat)}; got {value!r}")
                continue
            value = tuple(value)
        elif not value_fits(feat, value):
            r.err((*path, "value"), f"{name} is compared with {expected(feat)}; got {value!r}")
            continue
        note = d.get("note", "")
        if not isinstance(note, str):
            r.err((*path, "note"), f"expected a string, got {note!r}")
            continue
        rules.append(Rule(name, op, value, r.loc.line((*path, "feature")) or r.loc.line(path), note))
    return tuple(rules)


def _amounts(r: Reader, d: dict | None, key: str, what: str, minimum: int) -> dict[str, int]:
    out: dict[str, int] = {}
    for kind in BUDGET_KINDS:
        if d is not None and kind in d:
            unit = "impressions" if kind == "impressions" else "fen"
            v = r.integer(d, (key, kind), f"{what} in {unit}", minimum)
            if v:
                out[kind] = v
    return out


def parse_program(text: str, file: str = "<string>") -> Program:
    """Validate one program document; raise ProgramError listing every problem."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        m = re.search(r"\(at line (\d+)", str(e))
        raise ProgramError([Issue(file, int(m.group(1)) if m else 0, "", f"not valid TOML: {e}")]) from e
    r = Reader(file, text)
    r.unknown(doc, (), TOP_KEYS)
    name = r.string(doc, ("name",))
    if name and not _NAME.match(name):
        r.err(("name",), f"expected an identifier of a-z, 0-9 and _ starting with a letter, got {name!r}")
    title = r.string(doc, ("title",))
    description = r.string(doc, ("description",), required=False)

    period = r.table(doc, "period", ("start", "end")) or {}
    start = r.day(period, ("period", "start")) if period else None
    end = r.day(period, ("period", "end")) if period else None
    if start and end and start > end:
        r.err(("period", "end"), f"expected a date on or after period.start {start}, got {end}")

    scale = r.table(doc, "scale", ("creators", "note")) or {}
    creators = (
        r.integer(scale, ("scale", "creators"), "the full-scale creator count", 1)
        if "creators" in scale
        else None
    )
    if scale and "creators" not in scale:
        r.err(("scale", "creators"), "missing; expected the creator count the budgets are written for")

    budget_t = r.table(doc, "budget", BUDGET_KINDS)
    budget = _amounts(r, budget_t, "budget", "a budget", 0)
    if budget_t is not None and not budget and not any(i.field.startswith("budget") for i in r.issues):
        r.err(("budget",), "expected a positive impressions and/or cash_fen budget")
    caps_t = r.table(doc, "caps", BUDGET_KINDS, required=False)
    caps = _amounts(r, caps_t, "caps", "a per-creator cap", 1)
    for kind in caps:
        if kind not in (budget_t or {}) or budget_t[kind] == 0:
            r.err(("caps", kind), f"a {kind} cap but the program has no {kind} budget")

    floors_t = r.table(doc, "floors", TIER_NAMES, required=False) or {}
    floors = {
        t: v for t in TIER_NAMES if t in floors_t and (v := r.share(floors_t, ("floors", t))) is not None
    }
    if sum(floors.values()) > 1 + 1e-9:
        shares = " + ".join(f"{t} {v:g}" for t, v in floors.items())
        r.err(
            ("floors",),
            f"floors sum to {sum(floors.values()):g} of the budget ({shares}); expected at most 1",
        )

    outcome_t = r.table(doc, "outcome", OUTCOMES) or {}
    outcome = {o: 0.0 for o in OUTCOMES}
    for o in OUTCOMES:
        if o in outcome_t:
            v = outcome_t[o]
            if isinstance(v, bool) or not isinstance(v, int | float) or v < 0:
                r.err(("outcome", o), f"expected a non-negative weight, got {v!r}")
            else:
                outcome[o] = float(v)
    if (
        outcome_t
        and abs(sum(outcome.values()) - 1) > 1e-6
        and not any(i.field.startswith("outcome") for i in r.issues)
    ):
        r.err(("outcome",), f"weights sum to {sum(outcome.values()):g}; expected them to sum to 1")

    delivery = _delivery(r, doc, start, end)
    rules = _rules(r, doc)
    if r.issues:
        raise ProgramError(r.issues)
    for key in ("name", "title"):
        r.lines[key] = r.loc.line((key,))
    for kind in BUDGET_KINDS:
        r.lines[f"budget.{kind}"] = r.loc.line(("budget", kind))
        r.lines[f"caps.{kind}"] = r.loc.line(("caps", kind))
    for t in TIER_NAMES:
        r.lines[f"floors.{t}"] = r.loc.line(("floors", t))
    return Program(
        name=name, title=title, period_start=start, period_end=end, budget=budget, eligibility=rules,
        caps=caps, floors=floors, outcome=outcome, delivery=delivery, full_scale_creators=creators,
        description=description, source=file, lines=r.lines,
    )  # fmt: skip


def _delivery(r: Reader, doc: dict, start: date | None, end: date | None) -> Delivery | None:
    d = r.table(doc, "delivery", ("start", "end", "hours"), required=False) or {}
    s = r.day(d, ("delivery", "start"), default=start) if start else None
    e = r.day(d, ("delivery", "end"), default=end) if end else None
    if start and end and s and e:
        if not start <= s <= end:
            r.err(("delivery", "start"), f"expected a date within the period {start}..{end}, got {s}")
        if not start <= e <= end:
            r.err(("delivery", "end"), f"expected a date within the period {start}..{end}, got {e}")
        if s > e:
            r.err(("delivery", "end"), f"expected a date on or after delivery.start {s}, got {e}")
    hours = d.get("hours", "audience")
    if isinstance(hours, str):
        if hours not in PROFILES:
            r.err(
                ("delivery", "hours"),
                f"unknown profile {hours!r}; expected one of {', '.join(PROFILES)} or 24 weights",
            )
            return None
        return Delivery(s, e, hours, PROFILES[hours]) if s and e else None
    good = isinstance(hours, list) and len(hours) == 24
    good = good and all(isinstance(w, int | float) and not isinstance(w, bool) and w >= 0 for w in hours)
    if not good or sum(hours) <= 0:
        r.err(
            ("delivery", "hours"),
            "expected a profile name or 24 non-negative weights (the platform's hours 0..23) with a positive sum, "
            f"got {hours!r}",
        )
        return None
    return Delivery(s, e, "custom", normalise(hours)) if s and e else None


def _factor(program: Program, scale: float | None, platform_creators: int | None) -> float:
    if platform_creators is not None:
        return platform_creators / program.full_scale_creators
    return 1.0 if scale is None else scale


def load_program(
    path: str | Path, scale: float | None = None, *, platform_creators: int | None = None
) -> Program:
    """One program file, its budgets multiplied by ``scale`` (or by platform_creators / [scale] creators)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise ProgramError([Issue(str(p), 0, "", f"cannot read the file: {e}")]) from e
    program = parse_program(text, str(p))
    factor = _factor(program, scale, platform_creators)
    if factor <= 0:
        raise ProgramError([Issue(str(p), 0, "scale", f"expected a scale factor > 0, got {factor}")])
    return program if factor == 1.0 else program.scaled(factor)


def load_programs(
    directory: str | Path, scale: float | None = None, *, platform_creators: int | None = None
) -> list[Program]:
    """Every ``*.toml`` of a directory, by name; all load, or ProgramError lists every problem."""
    d = Path(directory)
    if not d.is_dir():
        raise ProgramError([Issue(str(d), 0, "", "not a directory of program files (*.toml)")])
    files = sorted(d.glob("*.toml"))
    if not files:
        raise ProgramError([Issue(str(d), 0, "", "no program files (*.toml) in the directory")])
    programs, issues, seen = [], [], {}
    for f in files:
        try:
            prog = load_program(f, scale, platform_creators=platform_creators)
        except ProgramError as e:
            issues.extend(e.issues)
            continue
        if prog.name in seen:
            issues.append(
                Issue(
                    str(f),
                    prog.line("name"),
                    "name",
                    f"program {prog.name!r} already defined in {seen[prog.name]}",
                )
            )
        seen[prog.name] = str(f)
        programs.append(prog)
    if issues:
        raise ProgramError(issues)
    return sorted(programs, key=lambda p: p.name)
