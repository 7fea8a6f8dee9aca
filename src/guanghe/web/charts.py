"""ECharts options for the pages' charts (drawn by ``static/app.js`` from a JSON block; no inline script).
Series names are labels of the page's language; money series are fen, labelled in yuan (``"fen": true``)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from guanghe.web.i18n import lang_of, translator

PALETTE = ["#0b5cad", "#f2a900", "#136c2e", "#a3141c", "#6b3fa0", "#00838f", "#8a4b00", "#4a5563"]


def _t(request: Request):
    return translator(lang_of(request))


def _base(x: list[str], money: bool = False) -> dict[str, Any]:
    return {
        "color": PALETTE,
        "animation": False,
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0, "type": "scroll"},
        "grid": {"left": 64, "right": 16, "top": 36, "bottom": 28},
        "xAxis": {"type": "category", "data": x},
        "yAxis": {"type": "value", "fen": money},
    }


def daily(days: list[str], series: dict[str, list[int]], request: Request) -> dict:
    """A line per series over days (trends)."""
    t = _t(request)
    option = _base(days)
    option["series"] = [{"name": t(f"series_{k}"), "type": "line", "showSymbol": False, "data": v}
                        for k, v in series.items()]  # fmt: skip
    return option


def stacked_days(days: list[str], by_program: dict[str, list[int]], request: Request) -> dict:
    """Stacked bars per day, one series per program (support traffic)."""
    option = _base(days)
    option["series"] = [{"name": p, "type": "bar", "stack": "all", "data": v} for p, v in by_program.items()]
    return option


def stacked_months(months: list[str], by_channel: dict[str, list[int]], request: Request) -> dict:
    """Stacked bars per month, one series per channel (income, fen)."""
    t = _t(request)
    option = _base(months, money=True)
    option["series"] = [{"name": t(f"channel_{c}"), "type": "bar", "stack": "all", "data": v}
                        for c, v in by_channel.items()]  # fmt: skip
    return option


def pie(totals: dict[str, int], request: Request) -> dict:
    """Shares of a whole (income by channel); negative totals (fees) are left out."""
    t = _t(request)
    return {
        "color": PALETTE,
        "animation": False,
        "tooltip": {"trigger": "item"},
        "legend": {"top": 0, "type": "scroll"},
        "series": [{"type": "pie", "radius": ["35%", "65%"], "top": 30,
                    "data": [{"name": t(f"channel_{c}"), "value": v} for c, v in totals.items() if v > 0]}],
    }  # fmt: skip


def bars(labels: list[str], values: list[float], name: str, money: bool = False) -> dict:
    """One series of bars over categories (distributions, comparisons)."""
    option = _base(labels, money=money)
    option["tooltip"] = {"trigger": "axis"}
    option["series"] = [{"name": name, "type": "bar", "data": values}]
    return option
