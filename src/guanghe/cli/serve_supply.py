"""``guanghe replay --supply F``: the finite-supply comparison of pacing policies, printed."""

from __future__ import annotations

import json
import time
from dataclasses import asdict

from rich.table import Table

from guanghe.cli.app import console, progress


def run_supply(
    snap, catalog, requests: int, factor: float, cfg, slots: int, seed: int, zone, as_json: bool
) -> None:
    from guanghe.serve import supply

    t0 = time.perf_counter()
    with progress() as bar:
        task = bar.add_task("replay (every policy)", total=requests)
        report = supply.run(snap, catalog, requests, factor, cfg, slots, seed, zone,
                            progress=lambda n: bar.advance(task, n))  # fmt: skip
        bar.update(task, completed=requests)
    if as_json:
        print(json.dumps(asdict(report), indent=2))
        return
    _print(report, time.perf_counter() - t0, cfg)


def _print(r, seconds: float, cfg) -> None:
    console.print(f"replayed {r.requests:,} requests through {len(r.rows)} policies (in-process) in {seconds:.1f} s; "
                  f"supply x {r.factor:g}: {r.offers:,} offers for {r.quota:,} quota impressions, each a candidate "
                  f"between {cfg.guardrail:g} x and the slate's lowest organic pick", highlight=False)  # fmt: skip
    peak = max(range(24), key=lambda h: r.offers_by_hour[h])
    console.print(f"offers by hour follow the audience: {r.offers_by_hour[3]:,} at 03h, {r.offers_by_hour[peak]:,} "
                  f"at {peak:02d}h (the peak)", highlight=False)  # fmt: skip
    base = [row for row in r.rows if not row["policy"].startswith("controller ")]
    _table("Pacing under finite supply (gap: |cumulative delivered − target curve| / quota at each hour's end)",
           base, ("attainment", "gap_max", "gap_mean", "ahead", "overspend", "viewer_cost"))  # fmt: skip
    sweep = [row for row in r.rows if row["policy"].startswith("controller ")]
    if sweep:
        _table("Viewer cost against delivered support (the controller's variants; placement, K, guardrail g)",
               sweep, ("delivered", "attainment", "viewer_cost", "gap_max", "slates_boosted"))  # fmt: skip


def _table(title: str, rows: list[dict], cols: tuple[str, ...]) -> None:
    t = Table(title=title, title_justify="left")
    t.add_column("policy")
    for c in cols:
        t.add_column(c.replace("_", " "), justify="right")
    for row in rows:
        t.add_row(
            row["policy"], *(f"{row[c]:,}" if isinstance(row[c], int) else f"{row[c]:.2%}" for c in cols)
        )
    console.print(t)
