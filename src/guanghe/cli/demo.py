"""`guanghe demo`: synthetic platform → warehouse → metrics → report, end to end on embedded defaults."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import typer
from rich.table import Table

from guanghe.cli.app import app, console, progress, zone_or_exit
from guanghe.data.ingest import ingest
from guanghe.data.warehouse import open_warehouse
from guanghe.metrics.headline import HeadlineRow, headline
from guanghe.metrics.report import write_report
from guanghe.metrics.report.build import fmt_change, fmt_value
from guanghe.synth import SynthConfig, generate

PERIOD_NAMES = {"last-12m": "past year", "last-6m": "last half-year"}


def headline_table(rows: list[HeadlineRow]) -> Table:
    t = Table(title="The conference's figures vs this platform", title_justify="left")
    for col, just in (
        ("figure", "left"),
        ("period", "left"),
        ("this platform", "right"),
        ("YoY", "right"),
        ("conference", "right"),
    ):
        t.add_column(col, justify=just)  # type: ignore[arg-type]
    for r in rows:
        v, f = r.value, r.figure
        seed = " · ".join(
            x for x in (f"{f.seed_yoy:+.1%}" if f.seed_yoy is not None else "", f.seed_value) if x
        )
        t.add_row(
            v.label,
            PERIOD_NAMES.get(f.period, v.period.label),
            fmt_value(v.value, v.unit),
            fmt_change(v.yoy),
            seed,
        )
    return t


@app.command()
def demo(
    creators: int = typer.Option(50_000, "--creators", min=100, help="Synthetic creators."),
    months: int = typer.Option(24, "--months", min=24, help="Months of history (24 or more for YoY)."),
    seed: int = typer.Option(7, "--seed", help="Random seed."),
    out: Path = typer.Option(
        Path("guanghe-demo"), "--out", help="Folder for the demo's data, warehouse and report."
    ),
) -> None:
    """Run the whole pipeline on a synthetic platform and print the headline figures."""
    t0 = time.perf_counter()
    zone = zone_or_exit(None)  # days counted in GUANGHE_TIMEZONE (default UTC)
    data, db, html = out / "synth", out / "guanghe.duckdb", out / "report.html"
    shutil.rmtree(data, ignore_errors=True)  # the demo's own folder: rebuilt on every run
    for stale in (db, db.with_name(db.name + ".wal")):
        stale.unlink(missing_ok=True)
    with progress() as bar:
        task = bar.add_task("1/4 synth", total=months)
        generate(
            SynthConfig(creators=creators, months=months, seed=seed),
            data,
            on_month=lambda month, total: bar.update(task, advance=1, description=f"1/4 synth {month.label}"),
        )
        files = bar.add_task("2/4 ingest", total=None)
        wh = open_warehouse(f"duckdb:///{db}", create=True)
        report = ingest(
            [data / "data"],
            wh,
            on_file=lambda f, done, total: bar.update(
                files, completed=done, total=total, description=f"2/4 ingest {f.table}"
            ),
        )
        step = bar.add_task("3/4 metrics", total=2)
        tables = wh.tables()
        rows = headline(tables, zone)
        bar.update(step, advance=1, description="4/4 report")
        write_report(tables, html, zone=zone)
        bar.update(step, advance=1)
    wh.close()
    console.print(f"loaded {report.total('loaded'):,} rows, quarantined {report.total('quarantined'):,}")
    console.print(headline_table(rows))
    console.print(f"report: [bold]{html.resolve()}[/]   ({time.perf_counter() - t0:.0f} s)")
