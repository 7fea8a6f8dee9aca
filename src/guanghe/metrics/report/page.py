"""The page around the figures: stylesheet, headline cards, tables."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from pathlib import Path

from guanghe.metrics.headline import HeadlineRow
from guanghe.metrics.report.assets import FONT_STACK
from guanghe.metrics.report.numbers import cn

CSS = (
    f"body{{font-family:{FONT_STACK};margin:0;background:#f6f7f5;color:#1d2420}}"
    + """
header{background:#1f5f45;color:#fff;padding:24px 40px}header h1{margin:0 0 4px;font-size:26px}
header nav{margin-top:8px;font-size:14px}header nav a{color:#fff;margin-right:16px}
main{padding:24px 40px;max-width:1240px}section{margin-bottom:32px}h2{font-size:19px;border-bottom:2px solid #cfe3d8}
h3{font-size:15px;margin:18px 0 8px}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(270px,1fr));gap:14px}
.card{background:#fff;border-radius:10px;padding:14px 16px;box-shadow:0 1px 3px #0002}
.card .lbl{font-size:13px;color:#4b5a52}.card .val{font-size:26px;font-weight:700;margin:6px 0}
.card .short{font-size:14px;font-weight:400;color:#4b5a52;margin-left:8px}
.card .yoy{font-size:15px}.up{color:#1f7a4a}.down{color:#b23b3b}.seed{font-size:12px;color:#6b756f;margin-top:4px}
.badge{display:inline-block;font-size:11px;font-weight:600;color:#7a4a00;background:#fde7b8;border-radius:4px;
padding:0 5px;margin-left:4px}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(540px,1fr));gap:14px;align-items:start}
figure.chart{background:#fff;border-radius:10px;box-shadow:0 1px 3px #0002;margin:0;padding:12px 14px;min-width:0}
figure.chart figcaption{font-size:14px;font-weight:600;margin-bottom:6px}
figure.chart .plot{width:100%}.js figure.chart noscript{display:none}
.note,.empty{font-size:12px;color:#6b756f;margin:6px 0 0}
.empty{font-size:14px;background:#fff;padding:14px 16px;border-radius:10px}
table{border-collapse:collapse;background:#fff;box-shadow:0 1px 3px #0002;margin-bottom:8px}
td,th{padding:6px 10px;border-bottom:1px solid #e4e8e5;text-align:right;font-variant-numeric:tabular-nums;
white-space:nowrap}
th{white-space:normal;vertical-align:bottom}th:first-child,td:first-child{text-align:left}
div.wide{overflow-x:auto;max-width:100%}
footer{color:#6b756f;font-size:12px;padding:0 40px 24px}
@media print{body{background:#fff}.charts{display:block}figure.chart,.card,table{break-inside:avoid;box-shadow:none}}
"""
)


SIMULATION_PAGE = (
    "guanghe-simulate.html"  # `guanghe simulate --out` beside the report: the two link each other
)
REPORT_PAGES = ("guanghe-report.html", "report.html")  # `guanghe report`'s default name, the demo's


def links_beside(path: Path, pages: Mapping[str, str]) -> list[tuple[str, str]]:
    """(label, file name) of each of ``pages`` (file name -> label) that exists in ``path``'s folder."""
    return [(label, name) for name, label in pages.items() if (Path(path).parent / name).is_file()]


def nav_links(pages: Sequence[tuple[str, str]]) -> str:
    """Links between the report's pages (label, relative href), shown under the title; empty without any."""
    if not pages:
        return ""
    return "<nav>" + "".join(f'<a href="{escape(h)}">{escape(label)}</a>' for label, h in pages) + "</nav>"


def fmt_value(v: float | None, unit: str) -> str:
    """A headline value, exact: counts with separators, fen as whole CNY, shares as percents."""
    if v is None:
        return "—"
    if unit == "fen":
        return f"¥{v / 100:,.0f}"
    if unit == "share":
        return f"{v:.1%}"
    return f"{v:,.0f}"


def fmt_change(c: float | None) -> str:
    return "—" if c is None else f"{c:+.1%}"


def _short(v: float | None, unit: str) -> str:
    """The value in 万/亿 beside the exact one, where it is at least 1万 (yuan for money)."""
    if v is None or unit not in ("fen", "count"):
        return ""
    x = v / 100 if unit == "fen" else v
    if abs(x) < 10_000:
        return ""
    return f'<span class="short">≈ {"¥" if unit == "fen" else ""}{cn(x)}</span>'


PARTIAL_BADGE = '<span class="badge" title="the data ends before this period does">partial period</span>'


def card(row: HeadlineRow, partial: bool = False) -> str:
    """One headline figure; ``partial``: its period is cut short by the end of the data (badge)."""
    v, f = row.value, row.figure
    cls = "" if v.yoy is None else ("up" if v.yoy >= 0 else "down")
    seed = []
    if f.seed_yoy is not None:
        seed.append(f"conference: {f.seed_yoy:+.1%} YoY")
    if f.seed_value:
        seed.append(f"conference: {escape(f.seed_value)}")
    note = f" · {escape(f.note)}" if f.note else ""
    badge = PARTIAL_BADGE if partial else ""
    return (
        f'<div class="card"><div class="lbl">{escape(v.label)} · {escape(v.name)}{note}</div>'
        f'<div class="val">{fmt_value(v.value, v.unit)}{_short(v.value, v.unit)}</div>'
        f'<div class="yoy {cls}">YoY {fmt_change(v.yoy)} <span class="seed">vs {escape(v.prior_period.label)}</span></div>'
        f'<div class="seed"><span class="period">{escape(v.period.label)}</span>{badge} · {" · ".join(seed)}</div></div>'
    )


def table(head: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    th = "".join(f"<th>{escape(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in r) + "</tr>" for r in rows)
    return f'<div class="wide"><table><tr>{th}</tr>{body}</table></div>'
