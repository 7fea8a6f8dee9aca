"""Command line: thin commands that parse, call the core, and print."""

from __future__ import annotations

from guanghe.cli import (  # noqa: F401 - registers commands
    allocate,
    badges,
    db,
    demo,
    growth,
    ingest,
    ledger,
    market,
    metrics,
    money,
    money_settle,
    originality,
    programs,
    report,
    serve,
    simulate,
    studio,
    synth,
    tasks,
    web,
)
from guanghe.cli.app import app


def main() -> None:
    app()


__all__ = ["app", "main"]
