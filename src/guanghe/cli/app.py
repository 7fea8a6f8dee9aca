"""The Typer application and the shared console; command modules register on it."""

from __future__ import annotations

import sys
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from guanghe import __version__
from guanghe.config import SettingError, Settings, platform_zone
from guanghe.data.warehouse import Warehouse, open_warehouse
from guanghe.logs import setup_logging

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


FIRST_STEP = "run `guanghe ingest PATH` (or `guanghe demo`) first"


def open_or_exit(url: str, create: bool = False, need_data: bool = False) -> Warehouse:
    """The warehouse a command uses (exit 2 when it cannot): only writing commands pass ``create`` (a read
    never creates a store); ``need_data`` refuses a warehouse without creators or works."""
    try:
        wh = open_warehouse(url, create=create)
    except Exception as e:
        hint = f": {FIRST_STEP}" if str(e).startswith("no warehouse at") else ""
        err_console.print(f"[red]error:[/] {e}{hint}", soft_wrap=True)
        raise typer.Exit(2) from e
    if need_data:
        try:
            empty = [t for t in ("creators", "works") if wh.count(t) == 0]
        except Exception:
            wh.close()
            raise
        if empty:
            wh.close()
            err_console.print(
                f"[red]error:[/] no data in {url} (no {' or '.join(empty)}): {FIRST_STEP}", soft_wrap=True
            )
            raise typer.Exit(2)
    return wh


def zone_or_exit(flag: str | None) -> ZoneInfo:
    """The platform's time zone: ``--timezone`` if given, else ``GUANGHE_TIMEZONE`` (default UTC); exit 2 if unknown."""
    try:
        return platform_zone(flag) if flag is not None else Settings.from_env().zone
    except SettingError as e:
        what = f"--timezone {flag!r}" if flag is not None else "GUANGHE_TIMEZONE"
        err_console.print(f"[red]error:[/] {what}: expected an IANA time zone such as UTC or Asia/Shanghai")
        raise typer.Exit(2) from e


def _version(value: bool) -> None:
    if value:
        console.print(f"guanghe {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
    log_level: str = typer.Option(
        "WARNING",
        "--log-level",
        envvar="GUANGHE_LOG_LEVEL",
        help="Log level of the standard logging module: DEBUG, INFO, WARNING, ERROR.",
    ),
) -> None:
    """Guanghe (光合): the open-source creator growth engine."""
    try:
        setup_logging(log_level)
    except ValueError as e:
        err_console.print(f"[red]error:[/] --log-level: {e}")
        raise typer.Exit(2) from e
