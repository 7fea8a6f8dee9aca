"""Command line: thin commands that parse, call the core, and print."""

from __future__ import annotations

from guanghe.cli import (  # noqa: F401 - registers commands
    allocate,
    db,
    demo,
    ingest,
    ledger,
    market,
    metrics,
    money,
    money_settle,
    programs,
    report,
    serve,
    studio,
    synth,
)
from guanghe.cli.app import app


def main() -> None:
    app()


__all__ = ["app", "main"]
