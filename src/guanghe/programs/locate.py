"""Line numbers for TOML values: tomllib gives none, so scan the text for headers and keys.

>>> loc = Locator('name = "x"\\n[[eligibility]]\\nfeature = "tier"\\n[[eligibility]]\\nop = "in"\\n')
>>> loc.line(("eligibility", 1, "op")), loc.line(("name",))
(5, 1)
"""

from __future__ import annotations

import re

_HEADER = re.compile(r"^\s*(\[\[|\[)\s*([^\[\]]+?)\s*(\]\]|\])\s*(#.*)?$")
_KEY = re.compile(
    r"""^\s*((?:"[^"]*"|'[^']*'|[A-Za-z0-9_-]+)(?:\s*\.\s*(?:"[^"]*"|'[^']*'|[A-Za-z0-9_-]+))*)\s*="""
)
Path = tuple[str | int, ...]


def _parts(dotted: str) -> list[str]:
    return [p.strip().strip("\"'") for p in re.findall(r"""\"[^\"]*\"|'[^']*'|[^.]+""", dotted)]


class Locator:
    """Maps a value's path — ``("period", "start")``, ``("eligibility", 2, "op")`` — to its 1-based line."""

    def __init__(self, text: str) -> None:
        self.headers: dict[tuple[str, int | None], int] = {}
        self.keys: dict[tuple[str, int | None, str], int] = {}
        counts: dict[str, int] = {}
        table: tuple[str, int | None] = ("", None)
        in_multiline = False
        for n, raw in enumerate(text.splitlines(), start=1):
            if raw.count('"""') % 2 or raw.count("'''") % 2:
                in_multiline = not in_multiline
                if not in_multiline:
                    continue
            elif in_multiline:
                continue
            if h := _HEADER.match(raw):
                name = ".".join(_parts(h.group(2)))
                if h.group(1) == "[[":
                    counts[name] = counts.get(name, 0) + 1
                    table = (name, counts[name] - 1)
                else:
                    table = (name, None)
                self.headers.setdefault(table, n)
            elif k := _KEY.match(raw):
                parts = _parts(k.group(1))
                self.keys.setdefault((*table, ".".join(parts)), n)
                for i in range(1, len(parts)):  # dotted keys: a.b = 1 also defines table a
                    sub = (".".join([table[0], *parts[:i]]).lstrip("."), table[1] if not table[0] else None)
                    self.keys.setdefault((*sub, ".".join(parts[i:])), n)

    def line(self, path: Path) -> int:
        """The line of the key at ``path``, else of its table (header or inline-table key), else 0."""
        names = [p for p in path if isinstance(p, str)]
        index = next((p for p in path if isinstance(p, int)), None)
        if not names:
            return 0
        if len(names) == 1 and index is None:
            return self.keys.get(("", None, names[0])) or self.headers.get((names[0], None), 0)
        table, rest = names[0], ".".join(names[1:])
        if rest and (n := self.keys.get((table, index, rest))):
            return n
        if n := self.headers.get((table, index)):
            return n
        return self.keys.get(("", None, table), 0)
