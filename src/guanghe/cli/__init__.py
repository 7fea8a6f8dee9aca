"""Command line: thin commands that parse, call the core, and print."""

from __future__ import annotations

from guanghe.cli import allocate, demo, ingest, ledger, metrics, programs, report, serve, synth  # noqa: F401 - registers commands
from guanghe.cli.app import app


def main() -> None:
    app()


__all__ = ["app", "main"]
