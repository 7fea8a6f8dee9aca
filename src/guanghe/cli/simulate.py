"""`guanghe simulate`: months of support simulated end to end on the synthetic platform, per policy."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from guanghe.cli.app import app, console, err_console, progress


@app.command()
def simulate(
    months: int = typer.Option(6, "--months", help="Months the policies run (after the history)."),
    policy: str = typer.Option(
        "all",
        "--policy",
        help="optimal, explore, uniform, followers, quality, today, oracle, gmv (planned on sales), gmv_rate (on "
        "sales by allocate's [outcome] rule), or all (every one).",
    ),
    explore: float = typer.Option(
        0.05,
        "--explore",
        help="Share of each budget the explore policy (optimal + exploration) spends on "
        "little-boosted creators; with optimal it also runs, 0 drops it.",
    ),
    seed: int = typer.Option(
        11, "--seed", help="Seed of the synthetic platform (the same for every policy)."
    ),
    creators: int = typer.Option(2_000, "--creators", help="Creators on the synthetic platform."),
    history: int = typer.Option(
        6, "--history", help="Months of the generator's own support before the policies."
    ),
    budget: float = typer.Option(
        0.0, "--budget", help="Boosted impressions a month (0: the history's monthly mean)."
    ),
    out: Path | None = typer.Option(
        None,
        "--out",
        help=(
            "Write the HTML page here (a page of the report: name it guanghe-simulate.html in the report's"
            " folder and the two link each other)."
        ),
    ),
    keep: Path | None = typer.Option(
        None, "--keep", help="Keep each policy's warehouse (<policy>.duckdb) and the ingested months here."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON (nothing else on stdout)."),
) -> None:
    """Plan → deliver (serving engine, finite supply) → creators respond → re-fit, month by month, per policy."""
    from guanghe.simulate.plan import POLICIES
    from guanghe.simulate.run import SimConfig
    from guanghe.simulate.run import simulate as run

    chosen = _policies(policy, explore, POLICIES)
    try:
        if budget < 0:
            raise ValueError(f"--budget must be >= 0, got {budget}")
        if keep is not None and keep.exists() and (not keep.is_dir() or any(keep.iterdir())):
            raise ValueError(f"--keep: {keep} is not an empty folder (the run writes fresh warehouses there)")
        cfg = SimConfig(creators=creators, months=months, history=history, seed=seed,
                        budget=budget or None, explore=explore, policies=chosen)  # fmt: skip
    except ValueError as e:
        err_console.print(f"[red]error:[/] {e}")
        raise typer.Exit(2) from e
    with progress() as bar:
        task = bar.add_task("simulate", total=months * len(chosen))
        result = run(
            cfg, progress=lambda p, m: bar.update(task, advance=1, description=f"{p} month {m}"), keep=keep
        )
    if out is not None:
        from guanghe.simulate.page import write_page

        write_page(result, out)
    if as_json:
        typer.echo(json.dumps(result.to_dict(), indent=2))
        return
    _print(result, out)


def _policies(policy: str, explore: float, known: tuple[str, ...]) -> tuple[str, ...]:
    """The policies to run: the named ones (comma-separated) or all; ``optimal`` brings ``explore`` along
    when the share is > 0; today's support rule (the naive baseline) always runs; in ``known``'s order."""
    names = set(known) if policy == "all" else {p.strip() for p in policy.split(",") if p.strip()}
    bad = sorted(names - set(known))
    if bad or not names:
        err_console.print(f"[red]error:[/] --policy: unknown {bad[0] if bad else policy!r}; expected "
                          f"{', '.join(known)} or all")  # fmt: skip
        raise typer.Exit(2)
    if "optimal" in names and explore > 0:
        names.add("explore")
    if explore == 0 and "explore" in names:
        if policy != "all":
            err_console.print(
                "[red]error:[/] --policy explore needs --explore > 0 (it is optimal with that share)"
            )
            raise typer.Exit(2)
        names.discard("explore")
    names.add("today")
    return tuple(p for p in known if p in names)


def _print(r, out: Path | None) -> None:
    from rich.table import Table

    t = Table(title=f"{r.config['months']} months, seed {r.config['seed']}, budget {r.budget:,.0f} impressions/month",
              title_justify="left")  # fmt: skip
    cols = ("follows from boosts", "supported growth", "delivered/planned", "viewer cost", "income CNY",
            "GMV from boosts CNY", "active (last)", "slope error (last)")  # fmt: skip
    t.add_column("policy")
    for c in cols:
        t.add_column(c, justify="right")
    for p, x in r.totals.items():
        t.add_row(p, f"{x['boost_follows_expected']:,.0f}", f"{x['supported_follower_growth']:,}",
                  f"{x['delivered_share']:.1%}", f"{x['viewer_cost']:.2%}", f"{x['income_fen'] / 100:,.0f}",
                  f"{x['gmv_boost_expected_fen'] / 100:,.0f}",
                  f"{x['active_last']:,}", f"{x['slope_error_last']:.1%}")  # fmt: skip
    console.print(t)
    for key, v in r.targets.get("boost_follows_expected", {}).items():
        console.print(f"  {key}: {v if isinstance(v, str) else f'{v:.3f}'}", highlight=False)
    for name in ("gmv", "gmv_rate"):
        for key, v in r.targets.get(name, {}).items():
            console.print(f"  {name}: {key}: {v:.3f}", highlight=False)
    console.print(f"  ({r.seconds:.1f} s)" + (f"; page: {out}" if out else ""), highlight=False)
