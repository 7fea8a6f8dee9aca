"""Reading typed fields of one parsed program document, collecting every problem with its line."""

from __future__ import annotations

import contextlib
from datetime import date, datetime

from guanghe.programs.errors import Issue
from guanghe.programs.locate import Locator
from guanghe.programs.locate import Path as KeyPath

MISSING = object()


def field_name(path: KeyPath) -> str:
    out = ""
    for p in path:
        out += f"[{p + 1}]" if isinstance(p, int) else (f".{p}" if out else p)
    return out


class Reader:
    """Collects issues while reading one file's parsed document."""

    def __init__(self, file: str, text: str) -> None:
        self.file, self.loc, self.issues = file, Locator(text), []
        self.lines: dict[str, int] = {}

    def err(self, path: KeyPath, message: str) -> None:
        self.issues.append(Issue(self.file, self.loc.line(path), field_name(path), message))

    def table(self, doc: dict, key: str, allowed: tuple[str, ...], required: bool = True) -> dict | None:
        value = doc.get(key, MISSING)
        if value is MISSING:
            if required:
                self.err((key,), f"missing; expected a [{key}] table")
            return None
        if not isinstance(value, dict):
            self.err((key,), f"expected a table, got {type(value).__name__}")
            return None
        self.unknown(value, (key,), allowed)
        self.lines[key] = self.loc.line((key,))
        return value

    def unknown(self, d: dict, path: KeyPath, allowed: tuple[str, ...]) -> None:
        for k in d:
            if k not in allowed:
                self.err((*path, k), f"unknown key {k!r}; expected one of: {', '.join(allowed)}")

    def string(self, d: dict, path: KeyPath, required: bool = True) -> str:
        v = d.get(path[-1], MISSING)
        if v is MISSING:
            if required:
                self.err(path, "missing; expected a string")
            return ""
        if not isinstance(v, str) or (required and not v.strip()):
            self.err(path, f"expected a non-empty string, got {v!r}")
            return ""
        return v

    def day(self, d: dict, path: KeyPath, default: date | None = None) -> date | None:
        v = d.get(path[-1], MISSING)
        if v is MISSING:
            if default is None:
                self.err(path, "missing; expected a date like 2023-07-01")
            return default
        if isinstance(v, str):
            with contextlib.suppress(ValueError):
                v = date.fromisoformat(v)
        if isinstance(v, datetime) or not isinstance(v, date):
            self.err(path, f"expected a date like 2023-07-01, got {v!r}")
            return None
        return v

    def integer(self, d: dict, path: KeyPath, what: str, minimum: int = 0) -> int | None:
        v = d[path[-1]]
        if isinstance(v, bool) or not isinstance(v, int) or v < minimum:
            self.err(path, f"expected {what} (an integer >= {minimum}), got {v!r}")
            return None
        return v

    def share(self, d: dict, path: KeyPath) -> float | None:
        v = d[path[-1]]
        if isinstance(v, bool) or not isinstance(v, int | float) or not 0 <= v <= 1:
            self.err(path, f"expected a share between 0 and 1, got {v!r}")
            return None
        return float(v)
