"""``guanghe money ...``: accrual, settlement, payouts, statements and balances (thin commands)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from guanghe.cli.app import app, console, err_console, open_or_exit, progress, warehouse_option, zone_or_exit
from guanghe.config import Settings
from guanghe.money.rules import CHANNELS_DIR
from guanghe.programs import PROGRAMS_DIR

money_app = typer.Typer(
    name="money",
    help="Money flows: accrue channels on the ledger, settle months, pay out, statements, balances.",
    no_args_is_help=True,
)
app.add_typer(money_app, name="money")


# -- accrue and export-income (channels on the ledger, income from the ledger) -------------------------------
def _fail(message: object, code: int = 2) -> typer.Exit:
    """One line on stderr (bad input: exit 2)."""
    err_console.print(f"[red]error:[/] {escape(str(message))}", soft_wrap=True, highlight=False)
    return typer.Exit(code)


def _rules(channels: Path, programs: Path):
    from guanghe.money.rules_load import load_rules
    from guanghe.programs import ProgramError

    try:
        return load_rules(channels, programs)
    except ProgramError as e:
        err_console.print(f"[red]error:[/] {escape(str(e))}", soft_wrap=True, highlight=False)
        raise typer.Exit(2) from e


def _ledger(url: str, create: bool):
    from guanghe.ledger import LedgerError, open_ledger

    try:
        return open_ledger(url, create=create)
    except LedgerError as e:
        raise _fail(f"--ledger: {e}") from e


def _through(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as e:
        raise _fail(f"--through: expected a date like 2023-06-30, got {text!r}") from e


def _fen(v: int) -> str:
    return f"{v / 100:,.2f}"


def _print_accrual(report) -> None:
    t = Table(title=f"Accrued through {report.through} ({report.seconds:.1f} s); amounts in CNY of new transfers",
              title_justify="left")  # fmt: skip
    cols = (
        "channel",
        "events",
        "skipped",
        "new",
        "present",
        "refused",
        "earnings",
        "fees",
        "clawbacks",
        "held",
    )
    for c in cols:
        t.add_column(c, justify="left" if c == "channel" else "right")
    for name, o in report.channels.items():
        t.add_row(name, f"{o.events:,}", f"{o.skipped:,}", f"{o.new:,}", f"{o.present:,}", f"{o.refused:,}",
                  _fen(o.earnings_fen), _fen(o.fees_fen), _fen(o.clawbacks_fen), _fen(o.held_fen))  # fmt: skip
    console.print(t)
    inc = report.income
    console.print(f"income rows: {inc.inserted:,} new, {inc.present:,} already present, {inc.conflicts:,} differ; "
                  f"{report.accounts_opened:,} accounts opened", highlight=False)  # fmt: skip
    for o in report.channels.values():
        for r in o.reasons:
            console.print(f"skipped {r}", highlight=False, markup=False)
    for p in report.problems:
        console.print(f"refused {p}", highlight=False, markup=False)
    if not report.ok:
        console.print("[red]not everything was accrued[/]: see the lines above (exit 1)")


@money_app.command("accrue")
def accrue_command(
    through: str = typer.Option(
        ..., "--through", help="Accrue every step whose business day is on or before."
    ),
    warehouse: str = typer.Option(warehouse_option, "--warehouse", "-w", help="Warehouse URL (the events)."),
    ledger: str = typer.Option(
        lambda: Settings.from_env().ledger, "--ledger", help="Ledger URL (GUANGHE_LEDGER)."
    ),
    channels: Path = typer.Option(CHANNELS_DIR, "--channels", help="Directory of channel rule files."),
    programs: Path = typer.Option(PROGRAMS_DIR, "--programs", "-P", help="Directory of program files."),
    timezone: str | None = typer.Option(None, "--timezone", help="Platform time zone (GUANGHE_TIMEZONE)."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON (nothing else on stdout)."),
) -> None:
    """Accrue every channel's events on the ledger through a day, then export income rows to the warehouse."""
    from guanghe.data.warehouse import WarehouseError
    from guanghe.money.accrue import accrue, check_writable

    day = _through(through)
    zone = zone_or_exit(timezone)
    rules, names = _rules(channels, programs)  # bad rule files: exit 2 before anything is opened
    wh = open_or_exit(warehouse)
    try:
        try:
            check_writable(wh)
        except WarehouseError as e:
            raise _fail(f"--warehouse: {e}") from e
        store = _ledger(ledger, create=True)
        try:
            with progress() as bar:
                tasks: dict[str, int] = {}

                def tick(channel: str, done: int, total: int) -> None:
                    if channel not in tasks:
                        tasks[channel] = bar.add_task(f"accrue {channel}", total=max(total, 1))
                    bar.update(tasks[channel], completed=done)

                report = accrue(wh, store, rules, names, day, zone, progress=tick)
        except Exception as e:  # the ledger or warehouse failed mid-way: a rerun continues, nothing twice
            raise _fail(f"accrue stopped: {e}; rerun it: nothing already applied is applied twice", 1) from e
        finally:
            store.close()
    finally:
        wh.close()
    if as_json:
        typer.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        _print_accrual(report)
    if not report.ok:
        raise typer.Exit(1)


@money_app.command("export-income")
def export_income_command(
    warehouse: str = typer.Option(
        warehouse_option, "--warehouse", "-w", help="Warehouse URL (income table)."
    ),
    ledger: str = typer.Option(
        lambda: Settings.from_env().ledger, "--ledger", help="Ledger URL (read only)."
    ),
    programs: Path = typer.Option(PROGRAMS_DIR, "--programs", "-P", help="Directory of program files."),
    timezone: str | None = typer.Option(None, "--timezone", help="Platform time zone (GUANGHE_TIMEZONE)."),
    after: int = typer.Option(
        0, "--after", min=0, help="Only transfers with a ledger timestamp after this (ns)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Export every posted creator-side ledger transfer to the warehouse's income table (idempotent)."""
    from guanghe.money.chart import check_program_codes
    from guanghe.money.export import export_income
    from guanghe.programs import ProgramError, load_programs

    zone = zone_or_exit(timezone)
    try:
        names = check_program_codes(p.name for p in load_programs(programs))
    except (ProgramError, ValueError) as e:
        raise _fail(e) from e
    store = _ledger(ledger, create=False)
    try:
        wh = open_or_exit(warehouse)
        try:
            with progress() as bar:
                task = bar.add_task("scan ledger", total=None)
                result = export_income(store, wh, zone, names, after, progress=lambda n: bar.advance(task, n))
        finally:
            wh.close()
    finally:
        store.close()
    doc = {k: v for k, v in result.__dict__.items() if k != "conflict_ids"} | {
        "conflict_ids": list(result.conflict_ids[:20])
    }
    if as_json:
        typer.echo(json.dumps(doc, indent=2))
    else:
        console.print(f"{result.scanned:,} transfers scanned: {result.rows:,} income rows, {result.inserted:,} new, "
                      f"{result.present:,} already present, {result.conflicts:,} differ", highlight=False)  # fmt: skip
    if result.conflicts:
        raise typer.Exit(1)
