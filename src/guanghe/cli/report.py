"""`guanghe report`: the static HTML ecosystem report."""

from __future__ import annotations

from pathlib import Path

import typer

from guanghe.cli.app import app, console, err_console, open_or_exit, warehouse_option, zone_or_exit
from guanghe.metrics.report import money_report, plan_tables, write_report


@app.command()
def report(
    out: Path = typer.Option(Path("guanghe-report.html"), "--out", help="HTML file to write."),
    warehouse: str = typer.Option(None, "--warehouse", help="Warehouse URL (default: $GUANGHE_WAREHOUSE)."),
    timezone: str | None = typer.Option(
        None,
        "--timezone",
        help="The platform's time zone: days are counted in it (default: $GUANGHE_TIMEZONE, else UTC).",
    ),
) -> None:
    """Write a self-contained HTML report: headline figures vs the conference, monthly trends, tiers, channels,
    and the newest allocation plan's budgets, delivery and pacing."""
    zone = zone_or_exit(timezone)
    wh = open_or_exit(warehouse or warehouse_option(), need_data=True)
    try:
        path = write_report(wh.tables(), out, plan=plan_tables(wh), zone=zone, money=money_report(wh))
    except ValueError as e:
        err_console.print(f"[red]error:[/] {e}")
        raise typer.Exit(1) from e
    finally:
        wh.close()
    console.print(f"report written: [bold]{path.resolve()}[/]")
