"""The room table of docs/architecture.md, checked on the source: every ``import`` of every module of the
package (at any depth: function-level imports too) must be one its room's row allows, and each "— `a`, `b` —
imports only …" core imports nothing of ours but itself. A failure names the file and line."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import guanghe

SRC = Path(guanghe.__file__).parent
DOC = Path(__file__).resolve().parents[1] / "docs" / "architecture.md"
EVERY = ("every room", "everything")
NOTHING = "nothing of ours"
CORE = re.compile(r"— ((?:`[\w.]+`(?:, )?)+) — imports only")


def modules() -> dict[str, Path]:
    """Every module of the package by dotted name (a package by its ``__init__``)."""
    out = {}
    for f in sorted(SRC.rglob("*.py")):
        parts = f.relative_to(SRC).with_suffix("").parts
        out[".".join(("guanghe", *(parts[:-1] if parts[-1] == "__init__" else parts)))] = f
    return out


MODULES = modules()


def room_of(module: str) -> str:
    """``guanghe.allocate.dual`` -> ``allocate``; the package itself -> ``''``."""
    return module.split(".")[1] if "." in module else ""


@dataclass
class Row:
    room: str
    allowed: tuple[str, ...] | None  # dotted module prefixes (without guanghe.); None: every room
    cores: list[tuple[str, ...]]  # groups of modules that import nothing of ours but each other


def names_in(text: str) -> list[str]:
    return re.findall(r"`([^`]+)`", text)


def as_module(name: str) -> str | None:
    """A backticked name as a module of ours (``allocate.store``, ``data/growth_schema.py``), else None."""
    dotted = name.removesuffix(".py").rstrip("/").replace("/", ".")
    return dotted if f"guanghe.{dotted}" in MODULES else None


def core_module(room: str, name: str) -> str:
    """A core clause's short name (``dual``, ``hashing``) as the one module of the room it names."""
    found = [m for m in MODULES if room_of(m) == room and m.split(".")[-1] == name]
    assert len(found) == 1, f"docs/architecture.md: `{name}` in the {room} row names {found or 'no module'}"
    return found[0].removeprefix("guanghe.")


def rows() -> dict[str, Row]:
    """The room table: the first column names the room (``data/``, ``demo.py``), the second what it may import."""
    lines = DOC.read_text(encoding="utf-8").splitlines()
    start = lines.index("| room | may import | swappable piece (setting) |")
    out = {}
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip("|").split(" | ")]
        room = names_in(cells[0])[0].removesuffix("/").removesuffix(".py")
        assert f"guanghe.{room}" in MODULES, f"docs/architecture.md names a room {room!r} the package lacks"
        head = cells[1].split(";")[0]
        if any(p in head for p in EVERY):
            allowed = None
        else:
            allowed = tuple(m for n in names_in(head) if (m := as_module(n)) is not None)
            assert allowed or NOTHING in head, f"docs/architecture.md: the {room} row allows nothing it names"
        cores = [tuple(core_module(room, n) for n in names_in(g)) for g in CORE.findall(cells[1])]
        out[room] = Row(room, allowed, cores)
    return out


def imports(path: Path, module: str) -> list[tuple[int, str]]:
    """(line, module imported) for every import of ours in the file; ``from guanghe.x import y`` imports
    ``guanghe.x.y`` when that is a module, else ``guanghe.x``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names if a.name.split(".")[0] == "guanghe"]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*up, base] if base else up)
            if base.split(".")[0] != "guanghe":
                continue
            for a in node.names:
                sub = f"{base}.{a.name}"
                out.append((node.lineno, sub if sub in MODULES else base))
    return out


def within(target: str, prefixes: tuple[str, ...]) -> bool:
    return any(target == p or target.startswith(p + ".") for p in prefixes)


def violations(mods: dict[str, Path] = MODULES) -> list[str]:
    """``file:line: what`` for every import the table forbids."""
    table = rows()
    found = []
    for module, path in mods.items():
        room = room_of(module)
        where = path.relative_to(SRC.parent) if SRC.parent in path.parents else path
        row = table.get(room)
        if row is None and room:
            found.append(f"{where}: room {room!r} has no row in docs/architecture.md")
            continue
        for line, target in imports(path, module):
            short = target.removeprefix("guanghe.")
            if target == "guanghe" or room_of(target) == room:
                pass
            elif row is None or (row.allowed is not None and not within(short, row.allowed)):
                found.append(f"{where}:{line}: imports {target}, which the {room or 'package'} row forbids")
            for core in row.cores if row else []:
                if within(module.removeprefix("guanghe."), core) and not within(short, core):
                    found.append(
                        f"{where}:{line}: imports {target} but is of a core that imports only itself"
                    )
    return found


def test_the_room_table_is_read_as_documented() -> None:
    table = rows()
    assert table["config"].allowed == () and table["cli"].allowed is None and table["web"].allowed is None
    assert table["serve"].allowed == ("allocate.store", "programs.hours", "data", "config", "logs")
    assert "allocate.store" in (table["metrics"].allowed or ()) and "metrics" not in (
        table["growth"].allowed or ()
    )
    assert table["allocate"].cores[0][:2] == ("allocate.problem", "allocate.dual")
    assert table["growth"].cores == [tuple(f"growth.originality.{m}" for m in
                                           ("hashing", "index", "match", "resolve", "titles", "audio"))]  # fmt: skip
    assert set(table) >= {room_of(m) for m in MODULES if room_of(m)}  # every room has a row


def test_every_import_is_one_the_table_allows() -> None:
    assert violations() == []


def test_a_forbidden_import_is_reported_with_its_file_and_line(tmp_path: Path) -> None:
    """Function-level and relative imports are seen; a synth module importing metrics (as ``synth/figures.py``
    did) and an allocate core module importing beyond its core fail, each with its file and line."""
    f = tmp_path / "figures.py"
    f.write_text(
        "import os\n\ndef f():\n    from guanghe.metrics import Period\n    from . import calibrate\n"
    )
    assert imports(f, "guanghe.synth.figures") == [(4, "guanghe.metrics"), (5, "guanghe.synth.calibrate")]
    g = tmp_path / "dual.py"
    g.write_text("from guanghe.allocate import response\nfrom guanghe.allocate.plan import run\n")
    assert violations({"guanghe.synth.figures": f, "guanghe.allocate.dual": g}) == [
        f"{f}:4: imports guanghe.metrics, which the synth row forbids",
        f"{g}:2: imports guanghe.allocate.plan but is of a core that imports only itself",
    ]
