"""``guanghe metrics --period P``: the ecosystem metric catalog for a period, with YoY and PoP."""

from __future__ import annotations

import json

import typer
from rich.table import Table

from guanghe.cli.app import app, console, err_console, open_or_exit, warehouse_option, zone_or_exit
from guanghe.data.warehouse import WarehouseError
from guanghe.metrics import (
    DEFAULT_PERIOD,
    MetricError,
    MetricValue,
    Period,
    PeriodError,
    compute,
    resolve_period,
)
from guanghe.metrics.format import NO_DATA, fmt_change, fmt_value

EXIT_BAD_INPUT = 2


def coverage_note(p: Period) -> str:
    """What the data covers of a partial period ("" when it covers all of it)."""
    if not p.partial:
        return ""
    if p.covered_start is None:
        return f"no data in it (the data spans {p.data_start} … {p.data_end})"
    return f"the data covers only {p.covered_start} … {p.covered_end}"


def table(values: list[MetricValue]) -> Table:
    """The Rich table: label, value, prior year, YoY, previous period, PoP. A partial period is marked in the
    title and the value column; a comparison window without data shows n/a."""
    first = values[0]
    p = first.period
    title = f"Ecosystem metrics {p.label} ({p.start} … {p.end})"
    if p.partial:
        title += f"\n[bold yellow]PARTIAL PERIOD: {coverage_note(p)}[/]"
    caption = []
    for what, q in (("prior year", first.prior_period), ("previous period", first.previous_period)):
        caption.append(f"{what} {q.label}" + (f" ({NO_DATA}: {coverage_note(q)})" if q.partial else ""))
    caption.append(f"days in {p.timezone}")
    out = Table(title=title, title_justify="left", caption="; ".join(caption), caption_justify="left")
    out.add_column("metric")
    out.add_column("name", style="dim")
    for name in ("value (partial)" if p.partial else "value", "prior year", "YoY", "previous", "PoP"):
        out.add_column(name, justify="right", no_wrap=True)

    def cell(v: int | float | None, unit: str, window: Period) -> str:
        return NO_DATA if window.partial else fmt_value(v, unit)

    def change(c: float | None, window: Period) -> str:
        return NO_DATA if window.partial else fmt_change(c)

    for v in values:
        out.add_row(
            v.label, v.name, fmt_value(v.value, v.unit),
            cell(v.prior_value, v.unit, v.prior_period), change(v.yoy, v.prior_period),
            cell(v.previous_value, v.unit, v.previous_period), change(v.pop, v.previous_period),
        )  # fmt: skip
    return out


@app.command("metrics")
def metrics_command(
    period: str = typer.Option(
        DEFAULT_PERIOD,
        "--period",
        "-p",
        help="2023, 2023-H1, 2023-Q2, 2023-06, 2023-01-01..2023-06-30, last-12m or last-6m "
        "(last-Nm: the N months ending with the data's last complete month).",
    ),
    metric: list[str] | None = typer.Option(
        None, "--metric", "-m", help="Metric name (repeatable); default all."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
    warehouse: str = typer.Option(warehouse_option, "--warehouse", "-w", help="Warehouse URL."),
    timezone: str | None = typer.Option(
        None,
        "--timezone",
        help="The platform's time zone: days are counted in it (default: $GUANGHE_TIMEZONE, else UTC).",
        show_default=False,
    ),
) -> None:
    """The ecosystem metric catalog for a period, with prior-year (YoY) and previous-period (PoP) change."""
    zone = zone_or_exit(timezone)
    wh = open_or_exit(warehouse, need_data=True)
    try:
        tables = wh.tables()
        p = resolve_period(tables, period, zone)
        values = compute(tables, p, metric or None)
    except (PeriodError, MetricError, WarehouseError) as e:
        err_console.print(f"[red]error:[/] {e}")
        raise typer.Exit(EXIT_BAD_INPUT) from e
    finally:
        wh.close()
    if as_json:
        doc = {"period": values[0].period.to_dict(), "metrics": [v.to_dict() for v in values]}
        typer.echo(json.dumps(doc, ensure_ascii=False, indent=2))
    else:
        console.print(table(values))
