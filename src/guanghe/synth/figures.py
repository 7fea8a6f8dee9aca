"""The seed's six YoY figures computed from a generated platform with plain DuckDB SQL.

A stand-in for the metric catalog (``guanghe.metrics``) that implements the shared definitions directly, so
the generator can be calibrated and tested on its own (synth never imports ``metrics``: the test that both
agree, ``tests/synth/synth_catalog.py``, computes the catalog's side). The platform writes money events, not income: the two
income figures are computed from its truth (``truth/earnings.parquet``) as the ``income`` table would hold it
once `guanghe money accrue` has run — the total net of fees and clawbacks, an earner of a channel having a
positive earning row. DuckDB is opened through the warehouse of ``guanghe.data`` (``over_parquet``: in memory,
its tables replaced by views over the Parquet folders); synth never imports an engine module.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from guanghe.data.warehouse import over_parquet

if TYPE_CHECKING:
    from guanghe.data.warehouse import ParquetViews

# The seed's figures: YoY change of each metric, on the past year (income: the last half-year).
TARGETS = {
    "works_published": 0.148,
    "active_creators": 0.110,
    "active_creators_10k": 0.31,
    "creators_12_months": 0.18,
    "income_total_fen": 0.24,
    "creators_multi_income": 0.17,
}
FIRST_TIME_AD_SHARE = 0.30  # share of 磁力万合 earners earning for the first time (last half-year)
# The marketplace's (磁力聚星) figures: YoY change of the advertisers of the window's last month (June) and of
# the orders of its last quarter (Q2), brand orders counted on the day of completed_at.
MARKET_TARGETS = {"market_advertisers": 0.40, "market_orders": 1.00}
MARKET_MONTHS = {"market_advertisers": 1, "market_orders": 3}  # months ending with ``end``

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
    WHERE line = 'earning' AND amount_fen > 0 AND CAST(occurred_at AS DATE) BETWEEN $start AND $end
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

_FIRST_TIME = """
WITH paid AS (SELECT creator_id, channel, occurred_at FROM income WHERE line = 'earning' AND amount_fen > 0),
ad AS (SELECT DISTINCT creator_id FROM paid
       WHERE channel = 'ad_share' AND CAST(occurred_at AS DATE) BETWEEN $half AND $end),
first AS (SELECT creator_id, min(occurred_at) AS f FROM paid WHERE creator_id IN (SELECT creator_id FROM ad)
          GROUP BY creator_id)
SELECT avg((CAST(f AS DATE) >= $half)::INT) FROM first
"""

_MARKET = """
SELECT
    (SELECT count(DISTINCT brand_id) FROM brand_orders
        WHERE CAST(completed_at AS DATE) BETWEEN $m1 AND $end) AS market_advertisers,
    (SELECT count(*) FROM brand_orders WHERE CAST(completed_at AS DATE) BETWEEN $m3 AND $end) AS market_orders
"""

# The truth as the income table holds it: one row per (creator, channel, month, line), on the month's first day.
_INCOME_VIEW = """
SELECT
    concat_ws('/', 'truth', creator_id, channel, month, line) AS income_id, creator_id, channel, amount_fen,
    CAST(month || '-01' AS TIMESTAMP) AS occurred_at, CAST(NULL AS VARCHAR) AS source_ref,
    CAST(NULL AS VARCHAR) AS program, line
FROM read_parquet('{path}')
"""


def platform(data_dir: str | Path) -> ParquetViews:
    """An in-memory warehouse whose tables are views over ``DIR/data/<table>/*.parquet`` and whose ``income``
    is the truth's earnings (close it after use)."""
    root = Path(data_dir)
    income = _INCOME_VIEW.format(path=str(root / "truth" / "earnings.parquet").replace("'", "''"))
    return over_parquet(root / "data", {"income": income})


def _month_start(end: date, back: int) -> date:
    """First day of the month ``back`` months before the month of ``end``."""
    y, m = divmod(end.year * 12 + end.month - 1 - back, 12)
    return date(y, m + 1, 1)


def _month_end(end: date, back: int) -> date:
    """Last day of the month ``back`` months before the month of ``end``."""
    return date.fromordinal(_month_start(end, back - 1).toordinal() - 1)


def _params(end: date) -> dict[str, date]:
    return {
        "start": _month_start(end, 11),
        "end": end,
        "half": _month_start(end, 5),
        "m12": _month_start(end, 11),
    }


def values(data_dir: str | Path, end: date) -> dict[str, int]:
    """The six metrics for the year ending ``end``, a month's last day (income: its last half-year)."""
    wh = platform(data_dir)
    try:
        row = wh.sql(_SQL, _params(end)).to_pylist()[0]
    finally:
        wh.close()
    return {k: int(v) for k, v in row.items()}


def market_values(data_dir: str | Path, end: date) -> dict[str, int]:
    """Advertisers of the month ending ``end`` and orders of the quarter ending ``end`` (a month's last day)."""
    wh = platform(data_dir)
    try:
        params = {"m1": _month_start(end, 0), "m3": _month_start(end, 2), "end": end}
        row = wh.sql(_MARKET, params).to_pylist()[0]
    finally:
        wh.close()
    return {k: int(v) for k, v in row.items()}


def market_yoy(data_dir: str | Path, end: date = date(2023, 6, 30)) -> dict[str, float]:
    """YoY change of the two marketplace figures: June advertisers and Q2 orders for the default ``end``."""
    now = market_values(data_dir, end)
    before = market_values(data_dir, _month_end(end, 12))
    return {k: now[k] / before[k] - 1 if before[k] else float("nan") for k in now}


def first_time_ad_share(data_dir: str | Path, end: date = date(2023, 6, 30)) -> float:
    """Among creators with a positive ad_share earning in the half-year ending ``end``, the share whose first
    positive earning (any channel) falls in that half-year (the headline's definition)."""
    wh = platform(data_dir)
    try:
        p = _params(end)
        return float(wh.sql(_FIRST_TIME, {"half": p["half"], "end": end}).column(0)[0].as_py())
    finally:
        wh.close()


def yoy(data_dir: str | Path, end: date = date(2023, 6, 30)) -> dict[str, float]:
    """YoY change of each figure: value(year ending end) / value(year ending end - 12 months) - 1."""
    now = values(data_dir, end)
    before = values(data_dir, _month_end(end, 12))
    return {k: now[k] / before[k] - 1 if before[k] else float("nan") for k in now}
