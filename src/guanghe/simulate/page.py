"""The simulation as a page of the report: the report's stylesheet, its vendored ECharts inlined, charts per
month and policy, and the six-month table."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from pathlib import Path

from guanghe.metrics.report.assets import echarts_js, glue_js, inline_script
from guanghe.metrics.report.charts import bar_figure, line_figure
from guanghe.metrics.report.numbers import cn
from guanghe.metrics.report.page import CSS, REPORT_PAGES, links_beside, nav_links, table
from guanghe.simulate.run import Result

PCT = lambda v: f"{v:.1%}"  # noqa: E731
FIGURES = (
    ("Follows from boosts (expected under the true curves)", "boost_follows_expected", cn),
    ("Follower growth of supported creators", "supported_follower_growth", cn),
    ("Budget delivered / planned", "delivered_share", PCT),
    ("Viewer cost (score lost to boosts / organic slate score, replayed day)", "viewer_cost", PCT),
    ("Fitted curves: median slope error vs truth (all creators)", "slope_error_median", PCT),
    ("Fitted curves: median slope error, creators never boosted", "slope_error_unboosted", PCT),
    ("Active creators", "active", cn),
    ("Retained creators (active this month and the last)", "retained", cn),
    ("Ad-share income, all creators (CNY)", "income_yuan", cn),
    ("Creators with ≥ 10k followers", "creators_10k", cn),
    ("Sales (GMV) from boosts, expected under the true curves (CNY)", "gmv_boost_yuan", cn),
    ("Sales (GMV), all creators (CNY)", "gmv_yuan", cn),
)
YUAN = {"income_yuan": "income_fen", "gmv_yuan": "gmv_fen", "gmv_boost_yuan": "gmv_boost_expected_fen"}


def render(r: Result, pages: Sequence[tuple[str, str]] = ()) -> str:
    """The page; ``pages``: (label, href) links to the report's other pages."""
    figs = []
    for i, (title, key, fmt) in enumerate(FIGURES):
        series = {
            p: [(row[YUAN[key]] / 100 if key in YUAN else row[key]) for row in rows]
            for p, rows in r.months.items()
        }
        figs.append(line_figure(title, r.labels, series, fmt).html(f"fig-sim-{i}"))
    totals = r.totals
    names = list(totals)
    bars = bar_figure(
        "Six months: follows from boosts (expected)",
        names,
        {"follows": [totals[p]["boost_follows_expected"] for p in names]},
        horizontal=True,
    ).html("fig-sim-total")
    head = ("policy", "follows from boosts", "realised", "supported growth", "delivered / planned",
            "viewer cost", "income (CNY)", "GMV from boosts (CNY)", "GMV (CNY)", "active (last)", "≥10k (last)",
            "slope error (last)")  # fmt: skip
    rows = [
        (p, f"{t['boost_follows_expected']:,.0f}", f"{t['boost_follows']:,}", f"{t['supported_follower_growth']:,}",
         PCT(t["delivered_share"]), PCT(t["viewer_cost"]), f"{t['income_fen'] / 100:,.0f}",
         f"{t['gmv_boost_expected_fen'] / 100:,.0f}", f"{t['gmv_fen'] / 100:,.0f}", f"{t['active_last']:,}",
         f"{t['creators_10k_last']:,}", PCT(t["slope_error_last"]))
        for p, t in totals.items()
    ]  # fmt: skip
    tg = r.targets.get("boost_follows_expected", {})
    lines = []
    if "optimal_vs_best_simple" in tg:
        lines.append(
            f"optimal / best simple policy ({tg['best_simple']}): {tg['optimal_vs_best_simple']:.3f} (target ≥ 1.3)"
        )
    if "optimal_vs_oracle" in tg:
        lines.append(f"optimal / oracle: {tg['optimal_vs_oracle']:.3f} (target ≥ 0.95)")
    if "explore_vs_optimal" in tg:
        lines.append(
            f"optimal + {r.config['explore']:.0%} exploration / optimal: {tg['explore_vs_optimal']:.3f}"
        )
    if "optimal_vs_today" in tg:
        lines.append(f"optimal / today's support rule (naive baseline): {tg['optimal_vs_today']:.3f}")
    for name, how in (("gmv", "fitted boosted-sales curves"), ("gmv_rate", "allocate's [outcome] gmv rule")):
        gm = r.targets.get(name)
        if gm:
            lines.append(f"planned on GMV ({how}) / planned on follows, same budget: sales from boosts "
                         f"{gm['gmv_planned_vs_follower_planned_boost_gmv']:.2f}×, all sales "
                         f"{gm['gmv_planned_vs_follower_planned_gmv']:.2f}×, follows from boosts "
                         f"{gm['gmv_planned_vs_follower_planned_follows']:.2f}×")  # fmt: skip
    targets = "".join(f"<li>{escape(x)}</li>" for x in lines)
    c = r.config
    title = f"Closed-loop simulation — {c['months']} months, seed {c['seed']}"
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{escape(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>{CSS}</style></head>
<body><header><h1>{escape(title)}</h1>
<div>{c["creators"]:,} creators · {c["history"]} months of history · budget {r.budget:,.0f} boosted impressions a month
· {escape(", ".join(r.labels))} · {r.seconds:.0f} s</div>{nav_links(pages)}</header>
<main>
<section><h2>Six months</h2><ul>{targets}</ul>{table(head, rows)}<div class="charts">{bars}</div></section>
<section><h2>Month by month</h2><div class="charts">{"".join(figs)}</div></section>
</main><footer>Generated by guanghe simulate. Definitions: docs/simulate.md. Charts: Apache ECharts (Apache-2.0),
inlined.</footer>
{inline_script(echarts_js())}{inline_script(glue_js())}</body></html>
"""


def write_page(r: Result, path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    pages = links_beside(path, {name: "← Ecosystem report" for name in REPORT_PAGES})
    tmp.write_text(render(r, pages), encoding="utf-8")
    tmp.replace(path)
    return path
