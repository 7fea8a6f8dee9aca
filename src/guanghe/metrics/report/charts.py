"""The report's figures as data: an Apache ECharts option per chart, with every label already formatted.

Python decides everything a reader sees — tick positions (round numbers, ``numbers.nice_axis``), one unit
per value axis, each bar's and point's label (``numbers.cn``) — and ``charts.js`` only draws it. Each figure
also carries its numbers as a plain table, shown when scripts are off (``<noscript>``).

>>> f = line_figure("t", ["2023-01", "2023-02"], {"works": [7_775.0, 15_500.0]})
>>> f.axes[0]["labels"]
['0', '0.5万', '1.0万', '1.5万', '2.0万']
>>> [d["label"] for d in f.option["series"][0]["data"]]
['7,775', '1.55万']
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from html import escape

from guanghe.metrics.report.assets import FONT_STACK
from guanghe.metrics.report.numbers import Axis, cn, nice_axis

PALETTE = ("#2f7d5b", "#e08a1e", "#3a6fb0", "#b23b5a", "#7a5cb8", "#4a9fa8", "#8c8c3a", "#555555")
TIER_COLORS = {"head": "#b23b5a", "waist": "#e08a1e", "tail": "#3a6fb0"}
GRID_LINE, AXIS_TEXT, FONT_SIZE = "#e4e8e5", "#4b5a52", 11
# Month labels: show every k-th so at most MAX_X_LABELS fit (k from these, so labels land on quarters etc.).
MAX_X_LABELS, LABEL_STEPS = 8, (1, 2, 3, 4, 6, 12, 24)

Fmt = Callable[[float], str]


@dataclass
class Figure:
    """One chart: its title, the ECharts option (JSON), its value axes' labels and its data as a table."""

    title: str
    option: dict
    axes: list[dict]  # {"axis": "xAxis"|"yAxis", "low", "step", "labels"}: tick i reads labels[i]
    head: tuple[str, ...]
    rows: list[tuple[str, ...]] = field(default_factory=list)
    height: int = 300
    note: str = ""

    def spec(self) -> str:
        """The JSON ``charts.js`` reads, safe inside a ``<script>`` element."""
        doc = {"option": self.option, "axes": self.axes}
        return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")

    def html(self, fig_id: str) -> str:
        table = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in r) + "</tr>" for r in self.rows)
        head = "".join(f"<th>{escape(h)}</th>" for h in self.head)
        note = f'<p class="note">{escape(self.note)}</p>' if self.note else ""
        return (
            f'<figure class="chart" id="{fig_id}"><figcaption>{escape(self.title)}</figcaption>'
            f'<div class="plot" style="height:{self.height}px" role="img" aria-label="{escape(self.title)}"></div>'
            f'<script type="application/json" class="spec">{self.spec()}</script>'
            f"<noscript><table><tr>{head}</tr>{table}</table></noscript>{note}</figure>"
        )


def _base(legend: bool, colors: Sequence[str] | None = None) -> dict:
    opt: dict = {
        "animation": False,
        "color": list(colors or PALETTE),
        "textStyle": {"fontFamily": FONT_STACK, "fontSize": FONT_SIZE, "color": AXIS_TEXT},
        "grid": {"left": 8, "right": 28, "top": 36 if legend else 14, "bottom": 6, "containLabel": True},
        "tooltip": {"trigger": "axis", "confine": True},
    }
    if legend:
        # one row always ("scroll" pages a legend too long for the width), so the plot's top is known
        opt["legend"] = {
            "type": "scroll",
            "top": 0,
            "left": "center",
            "itemWidth": 14,
            "itemHeight": 10,
            "itemGap": 12,
        }
    return opt


def _value_axis(ax: Axis, name: str = "") -> dict:
    return {
        "type": "value",
        "min": ax.low,
        "max": ax.high,
        "interval": ax.step,
        "name": name,
        "splitLine": {"lineStyle": {"color": GRID_LINE}},
        "axisLabel": {"fontSize": FONT_SIZE, "hideOverlap": False},
    }


def _axis_spec(which: str, ax: Axis) -> dict:
    return {"axis": which, "low": ax.low, "step": ax.step, "labels": list(ax.labels)}


def label_every(n: int, most: int = MAX_X_LABELS) -> int:
    """Show every k-th of ``n`` category labels so at most ``most`` show (k from LABEL_STEPS)."""
    return next((k for k in LABEL_STEPS if math.ceil(n / k) <= most), math.ceil(n / most))


def _category_axis(labels: Sequence[str], every: int = 1) -> dict:
    """Category labels; with ``every`` > 1 only every k-th shows, counted back from the last (the newest
    month always has its label). ``charts.js`` turns ``every`` into ECharts' interval function."""
    return {
        "type": "category",
        "data": list(labels),
        "every": every,
        "axisTick": {"alignWithLabel": True},
        "axisLabel": {"interval": 0, "hideOverlap": True, "fontSize": FONT_SIZE},
    }


def _points(values: Sequence[float | None], fmt: Fmt) -> list[dict]:
    return [{"value": v, "label": fmt(v)} if v is not None else {"value": None, "label": "—"} for v in values]


def _bar(v: float | None, fmt: Fmt, stack: bool) -> dict:
    """A bar's datum; a zero keeps its label but draws no bar (transparent: barMinHeight would show it)."""
    if v is None:
        return {"value": None, "label": "—"}
    if v == 0 and not stack:
        return {"value": 0, "label": fmt(0), "itemStyle": {"color": "transparent"}}
    return {"value": v, "label": fmt(v)}


def line_figure(
    title: str, x: Sequence[str], series: dict[str, Sequence[float]], fmt: Fmt = cn, unit: str = ""
) -> Figure:
    """Lines over category x labels (months); the value axis starts at 0."""
    top = max([v for vs in series.values() for v in vs if v is not None] + [0.0])
    ax = nice_axis(top)
    opt = _base(legend=len(series) > 1)
    opt["xAxis"] = _category_axis(x, label_every(len(x)))
    opt["xAxis"]["boundaryGap"] = False
    opt["yAxis"] = _value_axis(ax, unit)
    opt["series"] = [
        {
            "type": "line",
            "name": name,
            "showSymbol": False,
            "lineStyle": {"width": 2},
            "data": _points(vs, fmt),
        }
        for name, vs in series.items()
    ]
    rows = [(xi, *(fmt(vs[i]) for vs in series.values())) for i, xi in enumerate(x)]
    return Figure(title, opt, [_axis_spec("yAxis", ax)], ("", *series), rows)


def bar_figure(
    title: str,
    categories: Sequence[str],
    series: dict[str, Sequence[float | None]],
    fmt: Fmt = cn,
    *,
    horizontal: bool = False,
    stack: bool = False,
    percent: bool = False,
    labels: bool = True,
    colors: Sequence[str] | None = None,
    target: float | None = None,
    unit: str = "",
    height: int | None = None,
    axis_max: float | None = None,
) -> Figure:
    """Bars per category, one series each (grouped, or ``stack``-ed). A nonzero bar is at least 2 px long,
    so a tiny share (the head tier) stays visible; its label gives the value. Zero draws no bar.

    ``percent``: values are shares, the axis reads percents. ``target``: a dashed line at that value.
    ``axis_max``: the value axis reaches at least this far (1.0: shares on a whole 0-100% axis).
    """
    vals = [v for vs in series.values() for v in vs if v is not None]
    if stack:
        sums = [sum(vs[i] or 0 for vs in series.values()) for i in range(len(categories))]
        top = max([*sums, 0.0])
    else:
        top = max([*vals, 0.0])
    top = max([top, *(x for x in (target, axis_max) if x is not None)])
    ax = nice_axis(top, percent_axis=percent)
    opt = _base(legend=len(series) > 1, colors=colors)
    cat = _category_axis(categories, 1 if horizontal else label_every(len(categories)))
    val = _value_axis(ax, unit)
    if horizontal:
        cat["inverse"] = True  # first category on top, as in the table
        opt["xAxis"], opt["yAxis"] = val, cat
        opt["grid"]["right"] = 64 if labels else 28
    else:
        opt["xAxis"], opt["yAxis"] = cat, val
    opt["tooltip"]["axisPointer"] = {"type": "shadow"}
    out = []
    for name, vs in series.items():
        s: dict = {
            "type": "bar",
            "name": name,
            "barMinHeight": 0 if stack else 2,
            "data": [_bar(v, fmt, stack) for v in vs],
        }
        if stack:
            s["stack"] = "all"
        if labels:
            s["label"] = {"show": True, "position": "right" if horizontal else "top", "fontSize": 10}
        out.append(s)
    if target is not None and out:
        out[0]["markLine"] = {
            "silent": True,
            "symbol": "none",
            "lineStyle": {"type": "dashed", "color": "#1d2420"},
            "label": {"show": False},
            "data": [{"xAxis" if horizontal else "yAxis": target}],
        }
    opt["series"] = out
    rows = [
        (c, *(fmt(vs[i]) if vs[i] is not None else "—" for vs in series.values()))
        for i, c in enumerate(categories)
    ]
    spec = _axis_spec("xAxis" if horizontal else "yAxis", ax)
    h = height or (max(160, 40 + len(categories) * (14 + 16 * len(series))) if horizontal else 300)
    return Figure(title, opt, [spec], ("", *series), rows, height=min(h, 520))
