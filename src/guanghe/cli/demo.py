"""`guanghe demo`: the whole loop on a synthetic platform, on the embedded defaults (use case: guanghe.demo)."""

from __future__ import annotations

import time
from pathlib import Path

import typer
from rich.table import Table

from guanghe.cli.app import app, console, progress, zone_or_exit
from guanghe.demo import STEPS, DemoResult, run_demo
from guanghe.metrics.headline import HeadlineRow
from guanghe.metrics.report.build import fmt_change, fmt_value
from guanghe.synth import SynthConfig

PERIOD_NAMES = {
    "last-12m": "past year",
    "last-6m": "last half-year",
    "last-3m": "last quarter",
    "last-1m": "last month",
}


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


def money_table(result: DemoResult) -> Table:
    """What the money loop did: accrued channels, the settled month, the ledger's reconciliation."""
    t = Table(
        title=f"Money: accrued through {result.accrued.through}, settled {result.month}", title_justify="left"
    )
    t.add_column("", justify="left")
    t.add_column("", justify="right")
    acc, st = result.accrued, result.settled.as_dict()
    rec = result.reconciled
    t.add_row("money events accrued", f"{acc.events:,}")
    t.add_row("ledger transfers written", f"{sum(c.new for c in acc.channels.values()):,}")
    t.add_row("income rows exported", f"{acc.income.inserted:,}")
    t.add_row(f"statements {result.month}", f"{st['statements']:,}")
    t.add_row("net income in them (CNY)", f"{st['net_income_fen'] / 100:,.2f}")
    t.add_row("MCN shares (CNY)", f"{st['mcn_share_fen'] / 100:,.2f}")
    t.add_row("withholding (CNY)", f"{st['withholding_fen'] / 100:,.2f}")
    t.add_row("payouts", f"{st['payouts']:,} · {st['payout_fen'] / 100:,.2f} CNY")
    t.add_row("ledger reconcile", ("clean" if rec.ok else f"[red]{len(rec.problems)} problems[/]")
              + f" ({rec.accounts:,} accounts, {rec.pending:,} holds checked)")  # fmt: skip
    return t


def growth_table(result: DemoResult) -> Table:
    """What the growth room did: levels at the last month ends, trust badges, the task center's rewards."""
    t = Table(title="Growth: levels, trust badges, task center", title_justify="left")
    t.add_column("", justify="left")
    t.add_column("", justify="right")
    for run in result.growth.levels:
        counts = " · ".join(f"{name} {n:,}" for name, n in run.counts.items())
        t.add_row(f"levels {run.as_of}", f"{counts} (+{run.promoted:,} / -{run.demoted:,})")
    for b in result.growth.badges:
        t.add_row(f"敢比价 {b.as_of}", f"{b.price_badges:,} of {b.products:,} products")
        t.add_row(f"信任购 {b.as_of}", f"{b.trusted:,} of {b.judged:,} judged merchants")
    tasks = result.tasks.tasks
    paid = sum(o.rewarded for o in tasks)
    fen = sum(o.reward_fen for o in tasks)
    t.add_row(f"tasks through {result.tasks.through}",
              f"{sum(o.completions for o in tasks):,} completions, {paid:,} rewards, {fen / 100:,.2f} CNY")  # fmt: skip
    acc = result.tasks.accrual
    if (
        acc is not None and not acc.ok
    ):  # a reward the ledger refused is not paid: say so, never a silent total
        t.add_row(
            "[red]task rewards not paid[/]",
            "; ".join(str(p) for p in acc.problems) or f"{acc.refused:,} refused",
        )
    return t


@app.command()
def demo(
    creators: int = typer.Option(50_000, "--creators", min=100, help="Synthetic creators."),
    months: int = typer.Option(24, "--months", min=24, help="Months of history (24 or more for YoY)."),
    seed: int = typer.Option(7, "--seed", help="Random seed."),
    out: Path = typer.Option(
        Path("guanghe-demo"), "--out", help="Folder for the demo's data, warehouse, ledger and report."
    ),
) -> None:
    """The whole loop on a synthetic platform: synth, ingest, accrue, allocate, settle, metrics, report."""
    t0 = time.perf_counter()
    zone = zone_or_exit(None)  # days counted in GUANGHE_TIMEZONE (default UTC)
    with progress() as bar:
        tasks: dict[str, int] = {}

        def on_step(step: str, done: int, total: int | None, detail: str) -> None:
            n = STEPS.index(step) + 1
            if step not in tasks:
                for earlier in STEPS[: n - 1]:  # a step that starts finishes the ones before it
                    if earlier in tasks:
                        bar.update(
                            tasks[earlier],
                            completed=bar.tasks[tasks[earlier]].total or 1,
                            total=bar.tasks[tasks[earlier]].total or 1,
                        )
                tasks[step] = bar.add_task(f"{n}/{len(STEPS)} {step}", total=total)
            bar.update(
                tasks[step], completed=done, total=total, description=f"{n}/{len(STEPS)} {step} {detail}"
            )

        result = run_demo(SynthConfig(creators=creators, months=months, seed=seed), out, zone, on_step)
        for task in tasks.values():
            bar.update(task, completed=bar.tasks[task].total or 1, total=bar.tasks[task].total or 1)
    ing = result.ingested
    console.print(f"loaded {ing.total('loaded'):,} rows, quarantined {ing.total('quarantined'):,}; plan "
                  f"{result.allocation.plan.plan_id} over {result.allocation.creators:,} creators")  # fmt: skip
    console.print(headline_table(result.headline))
    console.print(money_table(result))
    console.print(growth_table(result))
    steps = ", ".join(f"{k} {v:.0f} s" for k, v in result.seconds.items())
    console.print(f"report: [bold]{result.report.resolve()}[/]   ({time.perf_counter() - t0:.0f} s: {steps})")
    if not result.reconciled.ok or not result.tasks.ok:
        raise typer.Exit(1)
