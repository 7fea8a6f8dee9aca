"""Read and validate a levels file (TOML): every problem is reported with file, line and field.

The machinery is the program files' (``programs.reader.Reader``, ``programs.errors.Issue``): the same
``file:line: field: message`` lines, all problems at once.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from pathlib import Path

from guanghe.growth.level_rules import COMPARE, LEVEL_FEATURES, Level, LevelRule, LevelRules, Rights
from guanghe.programs.errors import Issue, ProgramError
from guanghe.programs.reader import Reader

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
TOP_KEYS = ("hysteresis", "level", "rule")
LEVEL_KEYS = ("name", "title", "ad_share", "fee_discount_bps", "task_center", "traffic_coupon")
RULE_KEYS = ("level", "feature", "op", "value", "keep", "note")


class LevelsError(ProgramError):
    """A levels file is invalid; ``issues`` lists every problem (file, line, field, message)."""

    def _text(self) -> str:
        n = len(self.issues)
        return "\n".join([f"{n} problem{'s' if n != 1 else ''} in the levels file:",
                          *(f"  {i}" for i in self.issues)])  # fmt: skip


def _number(v: object) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _margin(r: Reader, doc: dict) -> float:
    h = r.table(doc, "hysteresis", ("margin", "note"), required=False) or {}
    m = h.get("margin", 0.0)
    if not _number(m) or not 0 <= m < 1:
        r.err(("hysteresis", "margin"), f"expected a share in [0, 1), got {m!r}")
        return 0.0
    return float(m)


def _rights(r: Reader, d: dict, i: int) -> Rights:
    out = {}
    for key in ("ad_share", "task_center"):
        v = d.get(key, False)
        if not isinstance(v, bool):
            r.err(("level", i, key), f"expected true or false, got {v!r}")
        out[key] = v is True
    for key, top in (("fee_discount_bps", 10_000), ("traffic_coupon", 1_000)):
        v = d.get(key, 0)
        if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= top:
            r.err(("level", i, key), f"expected an integer from 0 to {top}, got {v!r}")
            v = 0
        out[key] = v
    return Rights(**out)


def _levels(r: Reader, doc: dict) -> list[tuple[str, str, Rights, int]]:
    raw = doc.get("level")
    if not isinstance(raw, list) or not raw or not all(isinstance(x, dict) for x in raw):
        r.err(("level",), "expected [[level]] tables, base level first (name, title, rights)")
        return []
    out, seen = [], set()
    for i, d in enumerate(raw):
        r.unknown(d, ("level", i), LEVEL_KEYS)
        name = r.string(d, ("level", i, "name"))
        if name and not _NAME.match(name):
            r.err(("level", i, "name"), f"expected an identifier of a-z, 0-9 and _, got {name!r}")
        elif name in seen:
            r.err(("level", i, "name"), f"level {name!r} is declared twice")
        seen.add(name)
        title = r.string(d, ("level", i, "title"), required=False) or name
        out.append((name, title, _rights(r, d, i), r.loc.line(("level", i))))
    return out


def _rule(r: Reader, d: dict, j: int, names: list[str], margin: float) -> tuple[int, LevelRule] | None:
    path = ("rule", j)
    r.unknown(d, path, RULE_KEYS)
    missing = [k for k in ("level", "feature", "op", "value") if k not in d]
    for k in missing:
        r.err((*path, k), "missing; a rule needs level, feature, op and value")
    if missing:
        return None
    level, feature, op, value = d["level"], d["feature"], d["op"], d["value"]
    if level not in names:
        r.err((*path, "level"), f"unknown level {level!r}; expected one of: {', '.join(names)}")
        return None
    if names.index(level) == 0:
        r.err((*path, "level"), f"{level!r} is the base level (everyone has it); it takes no rules")
        return None
    if feature not in LEVEL_FEATURES:
        r.err(
            (*path, "feature"), f"unknown feature {feature!r}; expected one of: {', '.join(LEVEL_FEATURES)}"
        )
        return None
    if op not in COMPARE:
        r.err((*path, "op"), f"unknown operator {op!r}; expected one of: {', '.join(COMPARE)}")
        return None
    if not _number(value) or value < 0:
        r.err((*path, "value"), f"expected a number >= 0, got {value!r}")
        return None
    up = op in (">=", ">")
    keep = d.get("keep", value * (1 - margin) if up else value * (1 + margin))
    if not _number(keep) or keep < 0:
        r.err((*path, "keep"), f"expected a number >= 0, got {keep!r}")
        return None
    if (up and keep > value) or (not up and keep < value):
        r.err((*path, "keep"), f"a keep threshold is looser than the entry one: expected {op} {value} to imply "
                               f"{op} keep, i.e. keep {'<=' if up else '>='} {value}, got {keep!r}")  # fmt: skip
        return None
    note = d.get("note", "")
    if not isinstance(note, str):
        r.err((*path, "note"), f"expected a string, got {note!r}")
    line = r.loc.line((*path, "feature")) or r.loc.line(path)
    return names.index(level), LevelRule(feature, op, float(value), float(keep), line)


def parse_levels(text: str, file: str = "<string>") -> LevelRules:
    """Validate one levels document; raise LevelsError listing every problem."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        m = re.search(r"\(at line (\d+)", str(e))
        raise LevelsError([Issue(file, int(m.group(1)) if m else 0, "", f"not valid TOML: {e}")]) from e
    r = Reader(file, text)
    r.unknown(doc, (), TOP_KEYS)
    margin = _margin(r, doc)
    levels = _levels(r, doc)
    names = [name for name, *_ in levels]
    rules: dict[int, list[LevelRule]] = {k: [] for k in range(len(levels))}
    raw = doc.get("rule", [])
    if not isinstance(raw, list) or not all(isinstance(x, dict) for x in raw):
        r.err(("rule",), "expected [[rule]] tables (level, feature, op, value, keep)")
        raw = []
    for j, d in enumerate(raw):
        if (got := _rule(r, d, j, names, margin)) is not None:
            rules[got[0]].append(got[1])
    for k, (name, *_rest, line) in enumerate(levels):
        if k and not rules[k] and not any(i.line == line for i in r.issues):
            r.err(
                ("level", k, "name"), f"level {name!r} has no [[rule]]: every level above the base needs one"
            )
    if r.issues:
        raise LevelsError(r.issues)
    built = tuple(
        Level(k, name, title, tuple(rules[k]), rights, line)
        for k, (name, title, rights, line) in enumerate(levels)
    )
    sha = hashlib.sha256(text.encode()).hexdigest()
    return LevelRules(built, margin, file, sha)


def load_levels(path: str | Path) -> LevelRules:
    """One levels file (``examples/growth/levels.toml``); LevelsError names every problem."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise LevelsError([Issue(str(p), 0, "", f"cannot read the file: {e}")]) from e
    return parse_levels(text, str(p))


# The shipped levels: examples/growth/levels.toml of a source checkout.
LEVELS_FILE = Path(__file__).resolve().parents[3] / "examples" / "growth" / "levels.toml"
