"""Errors of program files: every problem found, each naming the file, line and field."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Issue:
    """One problem in a program file (``line`` 0 when it is not tied to a line)."""

    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class ProgramError(Exception):
    """One or more program files are invalid; ``issues`` lists every problem found."""

    def __init__(self, issues: list[Issue]) -> None:
        self.issues = list(issues)
        super().__init__(self._text())

    def _text(self) -> str:
        n = len(self.issues)
        head = f"{n} problem{'s' if n != 1 else ''} in program files:"
        return "\n".join([head, *(f"  {i}" for i in self.issues)])


@dataclass(frozen=True)
class Conflict:
    """Constraints of one program that cannot all hold."""

    program: str
    constraints: tuple[str, ...]  # the conflicting constraints, e.g. ("floors.tail", "caps.impressions")
    message: str

    def __str__(self) -> str:
        return f"{self.program}: {' vs '.join(self.constraints)}: {self.message}"


class InfeasibleProgram(ProgramError):
    """Programs whose rules cannot all hold on the platform at hand; rejected before solving."""

    def __init__(self, conflicts: list[Conflict], files: dict[str, str] | None = None) -> None:
        self.conflicts = list(conflicts)
        files = files or {}
        super().__init__([Issue(files.get(c.program, c.program), 0, "", str(c)) for c in conflicts])

    def _text(self) -> str:
        n = len(self.conflicts)
        head = f"{n} infeasible constraint set{'s' if n != 1 else ''} (rejected before solving):"
        return "\n".join([head, *(f"  {c}" for c in self.conflicts)])
