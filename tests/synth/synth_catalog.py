"""The synthetic platform's figures through the official metric catalog (``guanghe.metrics.compute``, Ibis
on DuckDB): the other side of ``synth.figures``' own SQL, kept with the tests (synth never imports metrics)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from guanghe.metrics import Period, compute
from guanghe.synth.figures import MARKET_MONTHS, TARGETS, _month_start, platform


def catalog_values(data_dir: str | Path, end: date) -> dict[str, dict[str, float | int | None]]:
    """The same six figures (and the first-time share of ad_share earners, last half-year; the marketplace's
    June advertisers and Q2 orders) through the official metric catalog (``guanghe.metrics.compute``, Ibis on
    DuckDB): {metric: {"value", "prior_value", "yoy"}}."""
    wh = platform(data_dir)
    try:
        tables = wh.tables()
        year = [k for k in TARGETS if k != "income_total_fen"]
        got = compute(tables, Period(_month_start(end, 11), end), year)
        half = ["income_total_fen", "first_time_earner_share_ad_share"]
        got += compute(tables, Period(_month_start(end, 5), end), half)
        for name, months in MARKET_MONTHS.items():
            got += compute(tables, Period(_month_start(end, months - 1), end), [name])
    finally:
        wh.close()
    return {m.name: {"value": m.value, "prior_value": m.prior_value, "yoy": m.yoy} for m in got}
