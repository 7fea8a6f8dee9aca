"""Write the ecosystem report: one self-contained HTML file (inline CSS and SVG, no scripts, no network)."""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape
from pathlib import Path

from guanghe.metrics.catalog import Tables, get
from guanghe.metrics.compute import data_range
from guanghe.metrics.headline import HeadlineRow, headline
from guanghe.metrics.period import parse_period
from guanghe.metrics.report.breakdown import by_channel, by_tier, monthly_trends, months_in
from guanghe.metrics.report.svg import bar_chart, line_chart

CSS = """
body{font-family:system-ui,-apple-system,"Noto Sans CJK SC","PingFang SC",sans-serif;margin:0;background:#f6f7f5;color:#1d2420}
header{background:#1f5f45;color:#fff;padding:24px 40px}header h1{margin:0 0 4px;font-size:26px}
main{padding:24px 40px;max-width:1240px}section{margin-bottom:32px}h2{font-size:19px;border-bottom:2px solid #cfe3d8}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(270px,1fr));gap:14px}
.card{background:#fff;border-radius:10px;padding:14px 16px;box-shadow:0 1px 3px #0002}
.card .lbl{font-size:13px;color:#4b5a52}.card .val{font-size:26px;font-weight:700;margin:6px 0}
.card .yoy{font-size:15px}.up{color:#1f7a4a}.down{color:#b23b3b}.seed{font-size:12px;color:#6b756f;margin-top:4px}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(540px,1fr));gap:14px}
.chart{background:#fff;border-radius:10px;box-shadow:0 1px 3px #0002;width:100%;height:auto}
.chart .ct{font-size:14px;font-weight:600}.chart .ax{font-size:10px;fill:#4b5a52}.chart .lg{font-size:11px}
.chart .grid{stroke:#e4e8e5}
table{border-collapse:collapse;background:#fff;box-shadow:0 1px 3px #0002}
td,th{padding:6px 12px;border-bottom:1px solid #e4e8e5;text-align:right}th:first-child,td:first-child{text-align:left}
footer{color:#6b756f;font-size:12px;padding:0 40px 24px}
"""


def fmt_value(v: float | None, unit: str) -> str:
    if v is None:
        return "—"
    if unit == "fen":
        return f"¥{v / 100:,.0f}"
    if unit == "share":
        return f"{v:.1%}"
    return f"{v:,.0f}"


def fmt_change(c: float | None) -> str:
    return "—" if c is None else f"{c:+.1%}"


def _card(row: HeadlineRow) -> str:
    v, f = row.value, row.figure
    cls = "" if v.yoy is None else ("up" if v.yoy >= 0 else "down")
    seed = []
    if f.seed_yoy is not None:
        seed.append(f"conference: {f.seed_yoy:+.1%} YoY")
    if f.seed_value:
        seed.append(f"conference: {escape(f.seed_value)}")
    note = f" · {escape(f.note)}" if f.note else ""
    return (
        f'<div class="card"><div class="lbl">{escape(v.label)} · {escape(v.name)}{note}</div>'
        f'<div class="val">{fmt_value(v.value, v.unit)}</div>'
        f'<div class="yoy {cls}">YoY {fmt_change(v.yoy)} <span class="seed">vs {escape(v.prior_period.label)}</span></div>'
        f'<div class="seed">{escape(v.period.label)} · {" · ".join(seed)}</div></div>'
    )


def render(tables: Tables, title: str = "Guanghe 光合 · creator ecosystem report") -> str:
    rng = data_range(tables)
    if rng is None:
        raise ValueError("the warehouse is empty: ingest data first (guanghe ingest PATH or guanghe demo)")
    rows = headline(tables)
    year = parse_period("last-12m", rng[1])
    months = months_in(rng[0], rng[1])
    trends = monthly_trends(tables, months)
    labels = {m.name: m.label for m in get()}
    charts = [
        line_chart(
            {labels["works_published"]: trends["works_published"]}, "作品发布数 works published / month"
        ),
        line_chart(
            {
                labels["active_creators"]: trends["active_creators"],
                labels["active_creators_10k"]: trends["active_creators_10k"],
            },
            "活跃发文作者 active posting creators / month",
        ),
        line_chart(
            {"income (CNY)": [(x, y / 100) for x, y in trends["income_total_fen"]]},
            "创作者收入 creator income / month",
        ),
        line_chart(
            {"boosted impressions": trends["support_impressions"]}, "流量扶持 support traffic / month"
        ),
    ]
    channels = by_channel(tables, year)
    charts.append(
        bar_chart([(c, fen / 100) for c, fen in channels], f"income by channel, CNY ({year.label})")
    )
    tiers = by_tier(tables, year)
    charts.append(
        bar_chart([(t["tier"], t["active"]) for t in tiers], f"active creators by tier ({year.label})")
    )
    tier_rows = "".join(
        f"<tr><td>{t['tier']}</td><td>{t['creators']:,}</td><td>{t['active']:,}</td><td>{t['works']:,}</td>"
        f"<td>{fmt_value(t['income_fen'], 'fen')}</td></tr>"
        for t in tiers
    )
    channel_rows = "".join(f"<tr><td>{c}</td><td>{fmt_value(fen, 'fen')}</td></tr>" for c, fen in channels)
    made = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{escape(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>{CSS}</style></head>
<body><header><h1>{escape(title)}</h1>
<div>data {rng[0]} → {rng[1]} · past year {escape(year.label)} · made {made}</div></header>
<main>
<section><h2>Headline figures — this platform vs the conference</h2><div class="cards">
{"".join(_card(r) for r in rows)}</div></section>
<section><h2>Trends by month</h2><div class="charts">{"".join(charts[:4])}</div></section>
<section><h2>Breakdowns ({escape(year.label)})</h2><div class="charts">{"".join(charts[4:])}</div>
<h3>By tier (followers at period end: head ≥ 1,000,000; waist ≥ 10,000; tail below)</h3>
<table><tr><th>tier</th><th>creators</th><th>active</th><th>works</th><th>income</th></tr>{tier_rows}</table>
<h3>By channel</h3><table><tr><th>channel</th><th>income</th></tr>{channel_rows}</table></section>
</main><footer>Generated by guanghe report. Metric definitions: docs/metrics.md.</footer></body></html>
"""


def write_report(tables: Tables, path: Path) -> Path:
    """Render the report and write it atomically (a temp file renamed into place)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(render(tables), encoding="utf-8")
    tmp.replace(path)
    return path
