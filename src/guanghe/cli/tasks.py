"""``guanghe tasks list|progress|run``: the task center (任务中心) — tasks, one creator's progress, paying rewards."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from guanghe.cli.app import app, console, err_console, open_or_exit, progress, warehouse_option, zone_or_exit
from guanghe.config import Settings
from guanghe.growth.tasks import TASKS_DIR
from guanghe.money.rules import CHANNELS_DIR
from guanghe.programs import PROGRAMS_DIR

tasks_app = typer.Typer(
    name="tasks",
    help="The task center (任务中心): tasks, progress, completions and rewards.",
    no_args_is_help=True,
)
app.add_typer(tasks_app, name="tasks")

TASKS_OPTION = typer.Option(TASKS_DIR, "--tasks", "-T", help="Directory of task files (*.toml).")
PROGRAMS_OPTION = typer.Option(PROGRAMS_DIR, "--programs", "-P", help="Directory of program files.")


def _fail(message: object, code: int = 2) -> typer.Exit:
    err_console.print(f"[red]error:[/] {escape(str(message))}", soft_wrap=True, highlight=False)
    return typer.Exit(code)


def _load(tasks: Path, programs: Path):
    """(tasks, programs); bad files: exit 2 naming file:line:field."""
    from guanghe.growth.tasks import load_tasks
    from guanghe.programs import ProgramError, load_programs

    try:
        progs = load_programs(programs)
        return load_tasks(tasks, [p.name for p in progs]), progs
    except ProgramError as e:
        raise _fail(e) from e


def _day(text: str, flag: str = "--through") -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as e:
        raise _fail(f"{flag}: expected a date like 2023-06-30, got {text!r}") from e


def _cny(fen: int | None) -> str:
    return "-" if fen is None else f"{fen / 100:,.2f}"


@tasks_app.command("list")
def list_command(
    tasks: Path = TASKS_OPTION,
    programs: Path = PROGRAMS_OPTION,
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """The tasks of a directory: window, audience, goal, reward and limits."""
    found, _ = _load(tasks, programs)
    if as_json:
        typer.echo(json.dumps([t.as_dict() for t in found], ensure_ascii=False, indent=2))
        return
    t = Table(title=f"Tasks in {tasks}", title_justify="left")
    for col in (
        "id",
        "title",
        "window",
        "audience",
        "goal",
        "reward CNY",
        "first",
        "per creator",
        "budget CNY",
    ):
        t.add_column(col)
    for k in found:
        t.add_row(k.task_id, k.title, f"{k.start} … {k.end}", k.audience.describe(), k.goal.describe(),
                  _cny(k.reward_fen), str(k.first or "all"), str(k.per_creator), _cny(k.budget_fen))  # fmt: skip
    console.print(t)


@tasks_app.command("progress")
def progress_command(
    creator: int = typer.Argument(..., help="Creator id."),
    through: str | None = typer.Option(
        None, "--through", help="Last day counted (default: the data's last day)."
    ),
    tasks: Path = TASKS_OPTION,
    programs: Path = PROGRAMS_OPTION,
    warehouse: str = typer.Option(warehouse_option, "--warehouse", "-w", help="Warehouse URL."),
    timezone: str | None = typer.Option(None, "--timezone", help="Platform time zone (GUANGHE_TIMEZONE)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """One creator on every task: enrolled or not, progress towards the goal, completions and rewards."""
    from guanghe.growth.tasks.progress import creator_progress
    from guanghe.programs.features import last_activity_day

    found, progs = _load(tasks, programs)
    zone = zone_or_exit(timezone)
    wh = open_or_exit(warehouse, need_data=True)
    try:
        day = _day(through) if through else last_activity_day(wh.tables(), zone)
        c = wh.table("creators")
        if not wh.fetch(c.filter(c.creator_id == creator).count().as_table()).column(0)[0].as_py():
            raise _fail(f"CREATOR: no creator {creator} in {warehouse}")
        rows = creator_progress(wh, found, creator, day, zone, {p.name: p for p in progs})
    finally:
        wh.close()
    if as_json:
        doc = {"creator_id": creator, "through": day.isoformat(), "tasks": [r.as_dict() for r in rows]}
        typer.echo(json.dumps(doc, ensure_ascii=False, indent=2))
        return
    t = Table(title=f"Creator {creator}: tasks through {day}", title_justify="left")
    for col in ("id", "title", "status", "progress", "completions", "rewards CNY"):
        t.add_column(col)
    for r in rows:
        t.add_row(r.task_id, r.title, r.status, f"{r.have:,} / {r.need:,} {r.unit}", str(r.completions),
                  _cny(r.reward_fen))  # fmt: skip
    console.print(t)


@tasks_app.command("run")
def run_command(
    through: str = typer.Option(
        ..., "--through", help="Detect completions and pay rewards through this day."
    ),
    tasks: Path = TASKS_OPTION,
    programs: Path = PROGRAMS_OPTION,
    channels: Path = typer.Option(CHANNELS_DIR, "--channels", help="Directory of channel rule files."),
    warehouse: str = typer.Option(warehouse_option, "--warehouse", "-w", help="Warehouse URL."),
    ledger: str = typer.Option(
        lambda: Settings.from_env().ledger, "--ledger", help="Ledger URL (GUANGHE_LEDGER)."
    ),
    timezone: str | None = typer.Option(None, "--timezone", help="Platform time zone (GUANGHE_TIMEZONE)."),
    batch: int = typer.Option(100_000, "--batch", min=1, hidden=True, help="Transfers per ledger batch."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Detect completions through a day, store them with their rewards, pay the rewards on the ledger."""
    from guanghe.growth.tasks.run import run_tasks
    from guanghe.ledger import LedgerError, open_ledger
    from guanghe.money.rules_load import load_rules
    from guanghe.programs import ProgramError

    day = _day(through)
    zone = zone_or_exit(timezone)
    found, progs = _load(tasks, programs)
    try:
        rules, _ = load_rules(channels, programs)
    except ProgramError as e:
        raise _fail(e) from e
    wh = open_or_exit(warehouse, need_data=True)
    try:
        try:
            store = open_ledger(ledger, create=True)
        except LedgerError as e:
            raise _fail(f"--ledger: {e}") from e
        try:
            with progress() as bar:
                steps: dict[str, int] = {}

                def tick(step: str, done: int, total: int) -> None:
                    if step not in steps:
                        steps[step] = bar.add_task(step, total=max(total, 1))
                    bar.update(steps[step], completed=done, total=max(total, 1))

                report = run_tasks(wh, store, found, rules, progs, day, zone, batch, tick)
        except Exception as e:  # a store failed mid-way: a rerun continues, nothing twice
            raise _fail(f"tasks run stopped: {e}; rerun it: nothing already paid is paid twice", 1) from e
        finally:
            store.close()
    finally:
        wh.close()
    if as_json:
        typer.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        _print_run(report)
    if not report.ok:
        raise typer.Exit(1)


def _print_run(report) -> None:
    t = Table(title=f"Tasks through {report.through} ({report.seconds:.1f} s)", title_justify="left")
    for col in ("task", "completions", "stored before", "new", "rewarded", "rewards CNY"):
        t.add_column(col, justify="left" if col == "task" else "right")
    for o in report.tasks:
        t.add_row(
            o.task_id,
            f"{o.completions:,}",
            f"{o.stored:,}",
            f"{o.new:,}",
            f"{o.rewarded:,}",
            _cny(o.reward_fen),
        )
    console.print(t)
    if report.accrual is not None:
        c = report.accrual.channels["task"]
        console.print(f"task channel through {report.through}: {c.events:,} rewards, transfers {c.new:,} new, "
                      f"{c.present:,} already present, {c.refused:,} refused; {_cny(c.earnings_fen)} CNY newly paid",
                      highlight=False)  # fmt: skip
        for p in report.accrual.problems:
            console.print(f"refused {p}", highlight=False, markup=False)
