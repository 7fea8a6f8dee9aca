"""The seed's six YoY figures computed from generated parquet files with plain DuckDB SQL.

A stand-in for the metric catalog (``guanghe.metrics``) that implements the shared definitions directly, so
the generator can be calibrated and tested on its own. The Parquet folders are read through an in-memory
DuckDB warehouse of ``guanghe.data`` (``DuckDBWarehouse.over_parquet``): SQL text over its own data, through
the warehouse's documented ``sql`` accessor.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from guanghe.data.warehouse.duckdb import DuckDBWarehouse

# The seed's figures: YoY change of each metric, on the past year (income: the last half-year).
TARGETS = {
    "works_published": 0.148,
    "active_creators": 0.110,
    "active_creators_10k": 0.31,
    "creators_12_months": 0.18,
    "income_total_fen": 0.24,
    "creators_multi_income": 0.17,
}

_SQL = """
WITH fa AS (
    SELECT creator_id, arg_max(followers, date) AS followers FROM creator_daily
    WHERE date <= $end GROUP BY creator_id
), act AS (
    SELECT creator_id, count(*) AS n FROM works
    WHERE CAST(published_at AS DATE) BETWEEN $start AND $end GROUP BY creator_id
), streak AS (
    SELECT creator_id FROM works
    WHERE published_at >= $m12 AND CAST(published_at AS DATE) <= $end
    GROUP BY creator_id HAVING count(DISTINCT date_trunc('month', published_at)) = 12
), multi AS (
    SELECT creator_id FROM income
    WHERE amount_fen > 0 AND CAST(occurred_at AS DATE) BETWEEN $start AND $end
    GROUP BY creator_id HAVING count(DISTINCT channel) > 2
)
SELECT
    (SELECT coalesce(sum(n), 0) FROM act) AS works_published,
    (SELECT count(*) FROM act) AS active_creators,
    (SELECT count(*) FROM act JOIN fa USING (creator_id) WHERE fa.followers >= 10000) AS active_creators_10k,
    (SELECT count(*) FROM streak) AS creators_12_months,
    (SELECT coalesce(sum(amount_fen), 0) FROM income
        WHERE CAST(occurred_at AS DATE) BETWEEN $half AND $end) AS income_total_fen,
    (SELECT count(*) FROM multi) AS creators_multi_income
"""


def _month_start(end: date, back: int) -> date:
    """First day of the month ``back`` months before the month of ``end``."""
    y, m = divmod(end.year * 12 + end.month - 1 - back, 12)
    return date(y, m + 1, 1)


def _month_end(end: date, back: int) -> date:
    """Last day of the month ``back`` months before the month of ``end``."""
    return date.fromordinal(_month_start(end, back - 1).toordinal() - 1)


def values(data_dir: str | Path, end: date) -> dict[str, int]:
    """The six metrics for the year ending ``end``, a month's last day (income: its last half-year)."""
    params = {
        "start": _month_start(end, 11),
        "end": end,
        "half": _month_start(end, 5),
        "m12": _month_start(end, 11),
    }
    with DuckDBWarehouse.over_parquet(Path(data_dir) / "data") as wh:
        row = wh.sql(_SQL, params).to_pylist()[0]
    return {k: int(v) for k, v in row.items()}


def yoy(data_dir: str | Path, end: date = date(2023, 6, 30)) -> dict[str, float]:
    """YoY change of each figure: value(year ending end) / value(year ending end - 12 months) - 1."""
    now = values(data_dir, end)
    before = values(data_dir, _month_end(end, 12))
    return {k: now[k] / before[k] - 1 if before[k] else float("nan") for k in now}


def catalog_values(data_dir: str | Path, end: date) -> dict[str, dict[str, float | int | None]]:
    """The same six figures through the official metric catalog (``guanghe.metrics.compute``, Ibis on DuckDB):
    {metric: {"value", "prior_value", "yoy"}}; periods as in ``values``."""
    from guanghe.metrics import Period, compute

    with DuckDBWarehouse.over_parquet(Path(data_dir) / "data") as wh:
        tables = wh.tables()
        year = [k for k in TARGETS if k != "income_total_fen"]
        got = compute(tables, Period(_month_start(end, 11), end), year)
        got += compute(tables, Period(_month_start(end, 5), end), ["income_total_fen"])
    return {m.name: {"value": m.value, "prior_value": m.prior_value, "yoy": m.yoy} for m in got}
