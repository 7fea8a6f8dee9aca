"""``guanghe programs list|show|check``: the support programs, who is eligible for what, and why not."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import ibis
import typer
from rich.table import Table

from guanghe.cli.app import app, console, err_console, open_or_exit, warehouse_option, zone_or_exit
from guanghe.data.warehouse import WarehouseError
from guanghe.programs import (
    PROGRAMS_DIR,
    TIER_NAMES,
    Program,
    ProgramCheck,
    ProgramError,
    check_programs,
    creator_features,
    load_programs,
    why_not,
)
from guanghe.programs.features import last_activity_day

EXIT_INFEASIBLE, EXIT_BAD_INPUT = 1, 2
programs_app = typer.Typer(help="Support programs: files, eligibility and feasibility.", no_args_is_help=True)
app.add_typer(programs_app, name="programs")

DIR_OPTION = typer.Option(PROGRAMS_DIR, "--programs", "-P", help="Directory of program files (*.toml).")


def _fail(message: object) -> typer.Exit:
    err_console.print(f"[red]error:[/] {message}", markup=True, highlight=False)
    return typer.Exit(EXIT_BAD_INPUT)


def _load(directory: Path, scale: float | None = None, platform_creators: int | None = None) -> list[Program]:
    try:
        return load_programs(directory, scale, platform_creators=platform_creators)
    except ProgramError as e:
        raise _fail(e) from e


def _short(x: float) -> str:
    for div, unit in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(x) >= div:
            return f"{x / div:.3g}{unit}"
    return f"{x:.3g}"


def _money(kind: str, amount: int) -> str:
    return f"{_short(amount / 100)} CNY" if kind == "cash_fen" else f"{_short(amount)} impr."


def _budget(p: Program) -> str:
    return " + ".join(_money(k, v) for k, v in p.budget.items())


@programs_app.command("list")
def list_command(directory: Path = DIR_OPTION, as_json: bool = typer.Option(False, "--json")) -> None:
    """The programs of a directory at full scale: budget, floors, rule count."""
    progs = _load(directory)
    if as_json:
        rows = [{"name": p.name, "title": p.title, "budget": p.budget, "floors": p.floors, "file": p.source,
                 "rules": [str(r) for r in p.eligibility]} for p in progs]  # fmt: skip
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    t = Table(title=f"Programs in {directory} (full scale)", title_justify="left")
    for col in ("name", "title", "period", "budget", "floors", "rules"):
        t.add_column(col)
    for p in progs:
        floors = ", ".join(f"{k} ≥ {v:.0%}" for k, v in p.floors.items()) or "-"
        t.add_row(
            p.name, p.title, f"{p.period_start} … {p.period_end}", _budget(p), floors, str(len(p.eligibility))
        )
    console.print(t)


@programs_app.command("show")
def show_command(name: str = typer.Argument(..., help="Program name."), directory: Path = DIR_OPTION) -> None:
    """Every field of one program."""
    progs = {p.name: p for p in _load(directory)}
    if name not in progs:
        raise _fail(f"no program {name!r} in {directory}; expected one of {', '.join(progs)}")
    p = progs[name]
    console.print(f"[bold]{p.name}[/] {p.title}  ({p.source})")
    if p.description:
        console.print(p.description)
    d = p.delivery
    console.print(
        f"period     {p.period_start} … {p.period_end}; delivery {d.start} … {d.end}, hours {d.hours}"
    )
    console.print(f"budget     {_budget(p)} at full scale ({p.full_scale_creators:,} creators)")
    console.print(
        "caps       " + (", ".join(_money(k, v) for k, v in p.caps.items()) or "-") + " per creator"
    )
    console.print("floors     " + (", ".join(f"{k} ≥ {v:.0%}" for k, v in p.floors.items()) or "-"))
    console.print(
        "outcome    "
        + ", ".join(f"{k} {v:g}" for k, v in p.outcome.items() if v)
        + "  (planned on: each outcome's value per impression from the history, docs/allocation.md)"
    )
    console.print("eligible if all hold:")
    for r in p.eligibility:
        console.print(f"  line {r.line}: {r}" + (f"  — {r.note}" if r.note else ""), highlight=False)


def _as_of(tables: dict[str, ibis.Table], zone: ZoneInfo) -> date:
    last = last_activity_day(tables, zone)
    if last is None:
        raise _fail("the warehouse has no works; give --as-of")
    return last


def _creator(features: ibis.Table, creator_id: int, progs: list[Program], as_json: bool) -> None:
    rows = features.filter(features.creator_id == creator_id).to_pyarrow().to_pylist()
    if not rows:
        raise _fail(f"creator {creator_id} is not in the warehouse (or had not joined by the as-of day)")
    row = rows[0]
    verdicts = [(p, why_not(row, p)) for p in progs]
    if as_json:
        doc = {"creator_id": creator_id, "features": {k: v.isoformat() if isinstance(v, date) else v
                                                      for k, v in row.items()},
               "programs": [{"program": p.name, "eligible": not f, "why_not": [x.to_dict() for x in f]}
                            for p, f in verdicts]}  # fmt: skip
        typer.echo(json.dumps(doc, ensure_ascii=False, indent=2, default=str))
        return
    console.print(
        f"creator {creator_id}: {row['tier']}, {row['followers']:,} followers, tenure {row['tenure_days']} d"
    )
    for p, fails in verdicts:
        if not fails:
            console.print(f"  [green]eligible[/]     {p.name} ({p.title})")
        else:
            console.print(f"  [red]not eligible[/] {p.name} ({p.title}):")
            for f in fails:
                console.print(f"      {p.source}:{f.rule.line}: {f}", highlight=False)


def _report(checks: list[ProgramCheck], as_of: date, n: int) -> None:
    t = Table(
        title=f"Program eligibility and feasibility as of {as_of} ({n:,} creators)", title_justify="left"
    )
    for col in ("program", "scale", *TIER_NAMES, "budget", "floors", "verdict"):
        t.add_column(col, justify="right" if col in TIER_NAMES or col == "scale" else "left")
    for ch in checks:
        p = ch.program
        floors = ", ".join(f"{k} ≥ {v:.0%}" for k, v in p.floors.items()) or "-"
        verdict = "[green]feasible[/]" if ch.feasible else "[red]INFEASIBLE[/]"
        t.add_row(p.name, f"{p.scale_factor:.3g}", *(f"{ch.eligible[k]:,}" for k in TIER_NAMES), _budget(p),
                  floors, verdict)  # fmt: skip
    console.print(t)
    for ch in checks:
        for c in ch.conflicts:
            console.print(f"[red]conflict[/] {ch.program.source}: {c}", highlight=False)
        for w in ch.warnings:
            console.print(f"[yellow]warning[/] {ch.program.name}: {w}", highlight=False)


@programs_app.command("check")
def check_command(
    directory: Path = DIR_OPTION,
    as_of: str | None = typer.Option(
        None, "--as-of", help="Features as of this day (default: last day with works)."
    ),
    warehouse: str = typer.Option(warehouse_option, "--warehouse", "-w", help="Warehouse URL."),
    creator: int | None = typer.Option(None, "--creator", "-c", help="Explain one creator's eligibility."),
    scale: float | None = typer.Option(
        None,
        "--scale",
        help="Budget scale factor (default: platform creators / the files' full-scale creators).",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    timezone: str | None = typer.Option(
        None,
        "--timezone",
        help="The platform's time zone: days are counted in it (default: $GUANGHE_TIMEZONE, else UTC).",
    ),
) -> None:
    """Per program: eligible creators by tier, budget, floors, feasibility (exit 1 if infeasible)."""
    zone = zone_or_exit(timezone)
    day = None
    if as_of is not None:
        try:
            day = date.fromisoformat(as_of)
        except ValueError as e:
            raise _fail(f"--as-of: expected a date like 2023-06-30, got {as_of!r}") from e
    _load(directory)  # file errors first, before opening the warehouse
    wh = open_or_exit(warehouse, need_data=True)
    try:
        tables = wh.tables()
        day = day or _as_of(tables, zone)
        features = creator_features(tables, day, zone)
        n = int(features.count().execute())
        progs = _load(directory, scale, None if scale is not None else n)
        if creator is not None:
            _creator(features, creator, progs, as_json)
            return
        checks = check_programs(features, progs)
    except WarehouseError as e:
        raise _fail(e) from e
    finally:
        wh.close()
    if as_json:
        doc = {"as_of": day.isoformat(), "creators": n, "feasible": all(c.feasible for c in checks),
               "programs": [c.to_dict() for c in checks]}  # fmt: skip
        typer.echo(json.dumps(doc, ensure_ascii=False, indent=2))
    else:
        _report(checks, day, n)
    if not all(c.feasible for c in checks):
        raise typer.Exit(EXIT_INFEASIBLE)
