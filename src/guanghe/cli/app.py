"""The Typer application and the shared console; command modules register on it."""

from __future__ import annotations

import sys

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from guanghe.config import Settings
from guanghe.data.warehouse import Warehouse, open_warehouse

app = typer.Typer(
    name="guanghe",
    help="Guanghe (光合): the open-source creator growth engine.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)
# Piped output (files, CI logs, tests) gets a wide fixed width instead of Rich's 80-column fallback.
_WIDTH = None if sys.stdout.isatty() else 160
console = Console(width=_WIDTH)
err_console = Console(stderr=True, width=_WIDTH)


def progress() -> Progress:
    """A Rich progress bar for steps that take more than a second."""
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=False,
    )


def warehouse_option() -> str:
    return Settings.from_env().warehouse


def open_or_exit(url: str) -> Warehouse:
    try:
        return open_warehouse(url)
    except Exception as e:
        err_console.print(f"[red]error:[/] {e}")
        raise typer.Exit(2) from e
