"""``guanghe growth levels|explain``: growth-rights levels as of a day, and why a creator is at its level."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import typer
from rich.table import Table

from guanghe.cli.app import app, console, err_console, open_or_exit, progress, warehouse_option, zone_or_exit
from guanghe.data.warehouse import WarehouseError
from guanghe.growth.level_explain import explain_creator
from guanghe.growth.level_load import LEVELS_FILE, LevelsError, load_levels
from guanghe.growth.level_rules import LevelRules
from guanghe.growth.level_run import run_levels

EXIT_BAD_INPUT = 2
growth_app = typer.Typer(help="Growth and health: growth-rights levels.", no_args_is_help=True)
app.add_typer(growth_app, name="growth")

RULES_OPTION = typer.Option(LEVELS_FILE, "--rules", "-r", help="The levels file (TOML).")
TZ_HELP = "The platform's time zone: days are counted in it (default: $GUANGHE_TIMEZONE, else UTC)."


def _fail(message: object) -> typer.Exit:
    err_console.print(f"[red]error:[/] {message}", markup=True, highlight=False, soft_wrap=True)
    return typer.Exit(EXIT_BAD_INPUT)


def _rules(path: Path) -> LevelRules:
    try:
        return load_levels(path)
    except LevelsError as e:
        raise _fail(e) from e


def _day(text: str | None, flag: str = "--as-of") -> date | None:
    try:
        return None if text is None else date.fromisoformat(text)
    except ValueError as e:
        raise _fail(f"{flag}: expected a date like 2023-06-30, got {text!r}") from e


@growth_app.command("levels")
def levels_command(
    as_of: str = typer.Option(..., "--as-of", help="Compute the levels as of this day."),
    rules_file: Path = RULES_OPTION,
    warehouse: str = typer.Option(warehouse_option, "--warehouse", "-w", help="Warehouse URL."),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Compute and print, store nothing (any warehouse)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    timezone: str | None = typer.Option(None, "--timezone", help=TZ_HELP),
) -> None:
    """Every creator's level as of a day; stores the changes with their reasons (reruns replace the day)."""
    zone = zone_or_exit(timezone)
    day = _day(as_of)
    rules = _rules(rules_file)
    wh = open_or_exit(warehouse, need_data=True)
    try:
        with progress() as bar:
            task = bar.add_task(f"levels as of {day}", total=1)
            run = run_levels(wh, rules, day, zone, store=not dry_run)
            bar.advance(task)
    except WarehouseError as e:
        raise _fail(e) from e
    finally:
        wh.close()
    if as_json:
        typer.echo(json.dumps(run.to_dict(), ensure_ascii=False, indent=2))
        return
    t = Table(title=f"Growth levels as of {day} ({run.creators:,} creators)", title_justify="left")
    for col in ("rank", "level", "title", "creators", "ad share", "fee discount", "task center", "coupon"):
        t.add_column(
            col, justify="right" if col in ("rank", "creators", "fee discount", "coupon") else "left"
        )
    for lv in rules.levels:
        r = lv.rights
        t.add_row(str(lv.rank), lv.name, lv.title, f"{run.counts[lv.name]:,}", "yes" if r.ad_share else "-",
                  f"{r.fee_discount_bps / 100:g}%", "yes" if r.task_center else "-", f"+{r.traffic_coupon}%")  # fmt: skip
    console.print(t)
    verb = "stored" if run.stored else "not stored (--dry-run)"
    console.print(f"{run.promoted:,} promoted, {run.demoted:,} demoted: {run.changes.num_rows:,} changes {verb} "
                  f"({run.seconds:.1f} s)", highlight=False)  # fmt: skip


@growth_app.command("explain")
def explain_command(
    creator: int = typer.Argument(..., help="Creator id."),
    as_of: str | None = typer.Option(None, "--as-of", help="As of this day (default: the newest run)."),
    rules_file: Path = RULES_OPTION,
    warehouse: str = typer.Option(warehouse_option, "--warehouse", "-w", help="Warehouse URL."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    timezone: str | None = typer.Option(None, "--timezone", help=TZ_HELP),
) -> None:
    """A creator's level, the path to it, and what is missing for the next level."""
    zone = zone_or_exit(timezone)
    day = _day(as_of)
    rules = _rules(rules_file)
    wh = open_or_exit(warehouse, need_data=True)
    try:
        ex = explain_creator(wh, rules, creator, day, zone)
    except WarehouseError as e:
        raise _fail(e) from e
    finally:
        wh.close()
    if as_json:
        typer.echo(json.dumps(ex.to_dict(), ensure_ascii=False, indent=2, default=str))
        return
    since = f" since {ex.since}" if ex.since else ""
    console.print(f"creator {creator} as of {ex.as_of}: [bold]{ex.level}[/] (rank {ex.rank}){since}")
    console.print(f"  why: {ex.reason}", highlight=False)
    for h in ex.history:
        console.print(
            f"  {h['as_of']}: {h['previous_level']} -> {h['level']}: {h['reason']}", highlight=False
        )
    if ex.keep:
        console.print(f"keeps {ex.level} while every keep rule holds:")
        for c in ex.keep:
            console.print(f"  {rules.source}:{c.rule.line}: {c}", highlight=False)
    if ex.next_level is None:
        console.print("top level: nothing above it")
        return
    missing = sum(not c.holds for c in ex.entry)
    console.print(f"next level {ex.next_level}: {missing} of {len(ex.entry)} entry rules missing")
    for c in ex.entry:
        console.print(f"  {rules.source}:{c.rule.line}: {c}", highlight=False)
