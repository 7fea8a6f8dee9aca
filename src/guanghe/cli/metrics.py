"""``guanghe metrics --period P``: the ecosystem metric catalog for a period, with YoY and PoP."""

from __future__ import annotations

import json

import typer
from rich.table import Table

from guanghe.cli.app import app, console, err_console, open_or_exit, warehouse_option
from guanghe.data.warehouse import WarehouseError
from guanghe.metrics import DEFAULT_PERIOD, MetricError, MetricValue, PeriodError, compute, resolve_period
from guanghe.metrics.format import fmt_change, fmt_value

EXIT_BAD_INPUT = 2


def table(values: list[MetricValue]) -> Table:
    """The Rich table: label, value, prior year, YoY, previous period, PoP."""
    first = values[0]
    out = Table(
        title=f"Ecosystem metrics {first.period.label} ({first.period.start} … {first.period.end})",
        title_justify="left",
        caption=f"prior year {first.prior_period.label}; previous period {first.previous_period.label}",
        caption_justify="left",
    )
    out.add_column("metric")
    out.add_column("name", style="dim")
    for name in ("value", "prior year", "YoY", "previous", "PoP"):
        out.add_column(name, justify="right", no_wrap=True)
    for v in values:
        out.add_row(
            v.label, v.name, fmt_value(v.value, v.unit), fmt_value(v.prior_value, v.unit), fmt_change(v.yoy),
            fmt_value(v.previous_value, v.unit), fmt_change(v.pop),
        )  # fmt: skip
    return out


@app.command("metrics")
def metrics_command(
    period: str = typer.Option(
        DEFAULT_PERIOD,
        "--period",
        "-p",
        help="2023, 2023-H1, 2023-Q2, 2023-06, 2023-01-01..2023-06-30, last-12m or last-6m.",
    ),
    metric: list[str] | None = typer.Option(
        None, "--metric", "-m", help="Metric name (repeatable); default all."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
    warehouse: str = typer.Option(warehouse_option, "--warehouse", "-w", help="Warehouse URL."),
) -> None:
    """The ecosystem metric catalog for a period, with prior-year (YoY) and previous-period (PoP) change."""
    wh = open_or_exit(warehouse, need_data=True)
    try:
        tables = wh.tables()
        p = resolve_period(tables, period)
        values = compute(tables, p, metric or None)
    except (PeriodError, MetricError, WarehouseError) as e:
        err_console.print(f"[red]error:[/] {e}")
        raise typer.Exit(EXIT_BAD_INPUT) from e
    finally:
        wh.close()
    if as_json:
        doc = {"period": values[0].to_dict()["period"], "metrics": [v.to_dict() for v in values]}
        typer.echo(json.dumps(doc, ensure_ascii=False, indent=2))
    else:
        console.print(table(values))
