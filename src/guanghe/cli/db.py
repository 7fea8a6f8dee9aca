"""``guanghe db upgrade|current``: the application database's migrations (principals, API keys)."""

from __future__ import annotations

import json
from typing import Any, NoReturn

import typer
from rich.markup import escape

from guanghe.appdb import AppDb, AppDbError, current_revision, open_appdb, upgrade
from guanghe.appdb.engine import connect
from guanghe.cli.app import app, console, err_console
from guanghe.config import SettingError, Settings

db_app = typer.Typer(
    name="db",
    help="The application database (principals, API keys): migrate it, show its revision.",
    no_args_is_help=True,
)
app.add_typer(db_app, name="db")

DB = typer.Option(
    lambda: Settings.from_env().db,
    "--db",
    help="Application database URL: sqlite:///FILE or postgresql://user@host:port/db[?schema=NAME] "
    "(env GUANGHE_DB).",
)
JSON = typer.Option(False, "--json", help="Print JSON.")


def fail(message: str, code: int = 2) -> NoReturn:
    """One line on stderr, exit 2 (bad input, missing database) unless told otherwise."""
    err_console.print(f"[red]error:[/] {escape(message)}", soft_wrap=True, highlight=False)
    raise typer.Exit(code)


def open_or_exit(url: str) -> AppDb:
    """The migrated application database a command uses (exit 2 when it cannot; nothing is created)."""
    try:
        return open_appdb(url)
    except SettingError as e:
        fail(f"--db: {e}")
    except AppDbError as e:
        fail(str(e))


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, default=str))


@db_app.command("upgrade")
def upgrade_command(url: str = DB, as_json: bool = JSON) -> None:
    """Create the database if it is missing and migrate it to the newest revision (a no-op when it is there)."""
    try:
        with connect(url, create=True) as db:
            before, after = upgrade(db)
            where = db.where
    except SettingError as e:
        fail(f"--db: {e}")
    except AppDbError as e:
        fail(str(e))
    if as_json:
        print_json({"url": url, "from": before.current, "to": after.current, "head": after.head})
    elif before.current == after.current:
        console.print(f"{escape(where)}: already at revision {after.current} (head)", highlight=False)
    else:
        console.print(
            f"{escape(where)}: migrated from {before.current or 'empty'} to {after.current} (head)",
            highlight=False,
        )


@db_app.command("current")
def current_command(url: str = DB, as_json: bool = JSON) -> None:
    """Print the database's revision (read only: a missing database is an error and is not created)."""
    try:
        rev = current_revision(url)
    except SettingError as e:
        fail(f"--db: {e}")
    except AppDbError as e:
        fail(str(e))
    if as_json:
        print_json({"revision": rev.current, "head": rev.head, "at_head": rev.at_head})
    elif rev.at_head:
        console.print(f"{rev.current} (head)", highlight=False)
    else:
        console.print(f"{rev.current} (head is {rev.head}: run guanghe db upgrade)", highlight=False)
