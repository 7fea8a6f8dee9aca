"""`guanghe synth`: generate the synthetic platform as parquet files."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import typer

from guanghe.cli.app import app, console, err_console, progress
from guanghe.synth import SynthConfig, generate
from guanghe.synth.config import Month


@app.command()
def synth(
    creators: int = typer.Option(
        50_000, "--creators", min=1, help="Creators existing by the end of the window."
    ),
    months: int = typer.Option(24, "--months", min=1, help="Whole calendar months to generate."),
    seed: int = typer.Option(7, "--seed", help="Random seed; the same seed gives the same files."),
    end: str = typer.Option("2023-06-30", "--end", help="Last day of the window (a month's last day)."),
    out: Path = typer.Option(Path("guanghe-data"), "--out", help="Output folder (data/ and truth/ inside)."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON (nothing else on stdout)."),
) -> None:
    """Generate a synthetic short-video platform: creators, works, traffic, boosts, followers, money events."""
    try:
        config = SynthConfig(creators=creators, months=months, seed=seed, end=_parse_date(end))
    except ValueError as e:
        err_console.print(f"[red]error:[/] {e}")
        raise typer.Exit(2) from e
    with progress() as bar:
        task = bar.add_task(f"synth {creators:,} creators", total=months)

        def on_month(month: Month, total: int) -> None:
            bar.update(task, advance=1, description=f"synth {month.label}")

        summary = generate(config, out, on_month=on_month)
    if as_json:
        typer.echo(json.dumps(summary, indent=2))
        return
    console.print(
        f"wrote [bold]{out}[/] ({summary['window'][0]}..{summary['window'][1]}) in {summary['seconds']:.1f} s"
    )
    for table, rows in summary["rows"].items():
        console.print(f"  {table:<17} {rows:>14,} rows")
    console.print(f"  {'truth/earnings':<17} {summary['truth_earnings']:>14,} rows")


def _parse_date(text: str) -> date:
    try:
        return datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError as e:
        raise ValueError(f"--end: expected a date YYYY-MM-DD, got {text!r}") from e
