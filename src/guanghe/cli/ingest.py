"""``guanghe ingest PATH...``: load Parquet / CSV / JSON Lines files into the warehouse."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from guanghe.cli.app import app, console, err_console, progress, warehouse_option
from guanghe.data.ingest import FileReport, IngestError, IngestReport, ingest
from guanghe.data.warehouse import WarehouseError

EXIT_NOTHING_LOADED = 1
EXIT_UNREADABLE = 2
SHOWN_PROBLEMS = 10


def summary(report: IngestReport) -> Table:
    """The per-table Rich summary."""
    out = Table(title=f"Ingestion {report.load_id}", title_justify="left")
    out.add_column("table")
    for name in ("files", "rows read", "loaded", "duplicates", "quarantined"):
        out.add_column(name, justify="right")
    for s in report.tables().values():
        out.add_row(
            s.table, *(f"{v:,}" for v in (s.files, s.rows_read, s.loaded, s.duplicates, s.quarantined))
        )
    totals = (
        len(report.files),
        *(report.total(k) for k in ("rows_read", "loaded", "duplicates", "quarantined")),
    )
    out.add_row("[bold]total", *(f"[bold]{v:,}" for v in totals), end_section=True)
    return out


@app.command("ingest")
def ingest_command(
    paths: list[Path] = typer.Argument(..., help="Files or folders (searched recursively)."),
    warehouse: str = typer.Option(warehouse_option, "--warehouse", "-w", help="Warehouse URL."),
    table: str | None = typer.Option(None, "--table", "-t", help="Table for files whose name does not tell."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Validate and load Parquet, CSV and JSON Lines files; bad rows go to quarantine.

    Exit codes: 0 loaded, 1 nothing accepted (every row quarantined, or no files), 2 a file could not be read
    (nothing is written then).
    """
    try:  # the warehouse is created only once the files' headers passed, and removed if the load fails
        with progress() as bar:
            task = bar.add_task("ingest", total=None)

            def on_file(f: FileReport, done: int, total: int) -> None:
                bar.update(task, completed=done, total=total, description=f"ingest {Path(f.path).name}")

            report = ingest(paths, warehouse, table=table, on_file=on_file)
    except (IngestError, WarehouseError) as e:
        if as_json:
            typer.echo(json.dumps({"ok": False, "error": str(e)}))
        err_console.print(
            f"[red]error:[/] {escape(str(e))}\nNothing was written.", soft_wrap=True, highlight=False
        )
        raise typer.Exit(EXIT_UNREADABLE) from e
    if as_json:
        typer.echo(json.dumps(report.to_dict(), default=str, indent=2))
    else:
        _print(report)
    if not report.ok:
        err_console.print(f"[red]error:[/] nothing loaded: {escape(_why_nothing(report))}", soft_wrap=True)
        raise typer.Exit(EXIT_NOTHING_LOADED)


def _why_nothing(report: IngestReport) -> str:
    if not report.files:
        return "no data files found"
    if report.total("rows_read") == 0:
        names = [Path(f.path).name for f in report.files]
        shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        return f"no rows in {shown}"
    return "every row was quarantined"


def _print(report: IngestReport) -> None:
    console.print(summary(report))
    notes = report.quarantine_sample
    if notes:
        console.print(f"[yellow]{report.total('quarantined'):,} row(s) quarantined[/]; first problems:")
        for q in notes[:SHOWN_PROBLEMS]:
            console.print(
                f"  {escape(q.file)}:{q.row} [bold]{escape(q.field or '(row)')}[/]: {escape(q.reason)}",
                highlight=False,
                soft_wrap=True,
            )
        console.print("  (all of them are in the quarantine table)")
