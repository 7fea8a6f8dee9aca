"""``guanghe allocate`` (plan the programs' budgets, store it, print the certificate and prices) and
``guanghe explain CREATOR`` (why a creator got what it got)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import typer
from rich.table import Table

from guanghe.cli.app import app, console, err_console, open_or_exit, warehouse_option, zone_or_exit
from guanghe.data.warehouse import WarehouseError
from guanghe.programs import PROGRAMS_DIR, InfeasibleProgram, Program, ProgramError, load_programs

EXIT_INFEASIBLE, EXIT_BAD_INPUT = 1, 2


def _fail(message: object, code: int = EXIT_BAD_INPUT) -> typer.Exit:
    err_console.print(f"[red]error:[/] {message}", markup=True, highlight=False)
    return typer.Exit(code)


def _programs(directory: Path, creators: int | None = None, scale: float | None = None) -> list[Program]:
    try:
        return load_programs(directory, scale, platform_creators=None if scale is not None else creators)
    except ProgramError as e:
        raise _fail(e) from e


def _day(text: str | None) -> date | None:
    try:
        return None if text is None else date.fromisoformat(text)
    except ValueError as e:
        raise _fail(f"--as-of: expected a date like 2023-06-30, got {text!r}") from e


def _print_plan(doc: dict) -> None:
    for kind, c in doc["certificate"].items():
        console.print(f"[bold]{kind}[/]: primal {c['primal']:,.1f} {c['unit']}, dual bound {c['dual_bound']:,.1f}, "
                      f"gap {c['gap']:.2e} ({c['seconds']:.1f} s)", highlight=False)  # fmt: skip
    t = Table(title="Programs: budget use and shadow prices (value per extra unit of budget, in the unit above)",
              title_justify="left")  # fmt: skip
    cols = ("program", "kind", "budget", "allocated", "creators", "shadow price", "floors held", "binding")
    for col in cols:
        t.add_column(col, justify="left" if col in ("program", "kind", "floors held", "binding") else "right")
    for p in doc["programs"]:
        binds = (["budget"] if p["budget_binding"] else []) + [
            f"{f['tier']} floor" for f in p["floors"] if f["binding"]
        ]
        floors = ", ".join(
            f"{f['tier']} ok" if f["holds"] else f"{f['tier']} MISSED ({f['allocated']:,} < {f['floor']:,})"
            for f in p["floors"]
        )
        t.add_row(p["program"], p["kind"], f"{p['budget']:,}", f"{p['allocated']:,}", f"{p['creators']:,}",
                  f"{p['shadow_price']:.4g}", floors or "-", ", ".join(binds) or "-")  # fmt: skip
    console.print(t)
    console.print(
        f"plan {doc['plan_id']!r} stored: " + ", ".join(f"{k} {v:,} rows" for k, v in doc["rows"].items())
    )


def _print_comparison(cmp) -> None:
    from guanghe.allocate.score import STORED

    e = cmp.errors
    console.print(
        f"curve error vs truth: |f'(0)| median {e.slope_median:.1%} (boosted >= 5 days {e.slope_boosted_median:.1%}, "
        f"never boosted {e.slope_unboosted_median:.1%}); |f(x)| at x = {e.typical_x:,.0f} median {e.value_median:.1%}; "
        f"allocation-weighted |f'(0)| {e.slope_weighted:.1%}, |f(x_plan)| {e.value_weighted:.1%}",
        highlight=False,
    )
    t = Table(title="Impressions plans scored under the TRUE curves (follows)", title_justify="left")
    for col in ("plan", "true value", "vs oracle"):
        t.add_column(col, justify="left" if col == "plan" else "right")
    for name, v in cmp.values.items():
        t.add_row(name, f"{v:,.0f}", f"{v / cmp.values['oracle']:.3f}")
    console.print(t)
    console.print(f"allocator / oracle = {cmp.vs_oracle:.3f} (target >= 0.90); allocator / best baseline "
                  f"({cmp.best_baseline}) = {cmp.vs_best_baseline:.3f}", highlight=False)  # fmt: skip
    if STORED in cmp.values:
        console.print(f"the programs weigh outcomes besides follows: 'allocator' is the plan of follows on the "
                      f"same fitted curves; the {STORED} gets {cmp.values[STORED] / cmp.values['oracle']:.3f} of "
                      "the oracle's follows, trading them for the other outcomes", highlight=False)  # fmt: skip


@app.command("allocate")
def allocate_command(
    directory: Path = typer.Option(PROGRAMS_DIR, "--programs", "-P", help="Directory of program files."),
    as_of: str | None = typer.Option(
        None, "--as-of", help="Features and history up to this day (default: last day with works)."
    ),
    warehouse: str = typer.Option(warehouse_option, "--warehouse", "-w", help="Warehouse URL."),
    truth: Path | None = typer.Option(
        None, "--truth", help="Synthetic platform's truth/ folder: score against it."
    ),
    plan_id: str | None = typer.Option(
        None, "--plan-id", help="Plan id (default plan-AS_OF); replaces a plan with the same id."
    ),
    scale: float | None = typer.Option(
        None, "--scale", help="Budget scale (default: platform creators / full scale)."
    ),
    tol: float = typer.Option(1e-4, "--tol", help="Target relative duality gap."),
    as_json: bool = typer.Option(
        False, "--json", help="Print the plan summary as JSON (nothing else on stdout)."
    ),
    timezone: str | None = typer.Option(
        None,
        "--timezone",
        help="The platform's time zone: days are counted in it (default: $GUANGHE_TIMEZONE, else UTC).",
    ),
) -> None:
    """Plan every program's budget: features -> eligibility -> curves -> certified solve -> plan in the warehouse."""
    from guanghe.allocate.problem import InfeasibleProblem
    from guanghe.allocate.run import allocate_and_store
    from guanghe.allocate.score import compare
    from guanghe.allocate.summary import summary

    day = _day(as_of)
    zone = zone_or_exit(timezone)
    _programs(directory)  # file errors before touching the warehouse
    wh = open_or_exit(warehouse, need_data=True)
    try:
        done = allocate_and_store(wh, directory, day, plan_id, tol, scale, zone)
        plan, progs, rows, n, day = done.plan, done.programs, done.rows, done.creators, done.as_of
        elapsed = done.seconds
        doc = summary(plan, rows)
        cmp = compare(plan, truth, tol) if truth is not None and "impressions" in plan.kinds else None
        if as_json:
            if cmp is not None:
                doc["truth"] = cmp.to_dict()
            typer.echo(json.dumps(doc, ensure_ascii=False, indent=2))
            return
        console.print(f"allocated {len(progs)} programs over {n:,} creators as of {day} in {elapsed:.1f} s")
        _print_plan(doc)
        if cmp is not None:
            _print_comparison(cmp)
    except (InfeasibleProgram, InfeasibleProblem) as e:
        raise _fail(e, EXIT_INFEASIBLE) from e
    except (WarehouseError, FileNotFoundError, ValueError, ProgramError) as e:
        raise _fail(e) from e
    finally:
        wh.close()


@app.command("explain")
def explain_command(
    creator: int = typer.Argument(..., help="Creator id."),
    directory: Path = typer.Option(PROGRAMS_DIR, "--programs", "-P", help="Directory of program files."),
    warehouse: str = typer.Option(warehouse_option, "--warehouse", "-w", help="Warehouse URL."),
    plan_id: str | None = typer.Option(None, "--plan-id", help="Plan id (default: the latest plan)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    timezone: str | None = typer.Option(
        None,
        "--timezone",
        help="The platform's time zone: days are counted in it (default: $GUANGHE_TIMEZONE, else UTC).",
    ),
) -> None:
    """Why a creator got what it got: eligibility, curve vs segment, binding constraints, marginal value vs price."""
    from guanghe.allocate.explain import explain

    zone = zone_or_exit(timezone)
    progs = _programs(directory)
    wh = open_or_exit(warehouse, need_data=True)
    try:
        ex = explain(wh, creator, progs, plan_id, zone)
    except WarehouseError as e:
        raise _fail(e) from e
    finally:
        wh.close()
    if as_json:
        typer.echo(json.dumps(ex.doc, ensure_ascii=False, indent=2, default=str))
    else:
        for line in ex.lines:
            console.print(line, highlight=False, markup=False)
