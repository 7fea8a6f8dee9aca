"""The history a response curve is fitted on, pulled from the warehouse with Ibis (DuckDB or PySpark).

Two aggregations, both bounded by the look-back window:
- every boosted work-day: creator, month, organic and boosted impressions, follows gained;
- organic baselines: per creator and month, organic impressions and follows of the unboosted work-days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import ibis
import numpy as np

from guanghe.programs.ibis_util import day

LOOKBACK_DAYS = 730  # two years of history


@dataclass(frozen=True)
class History:
    """Boosted work-days (one entry per row) and per (creator, month) organic baselines."""

    creator: np.ndarray  # (m,) creator id of each boosted work-day
    month: np.ndarray  # (m,) month index (year * 12 + month - 1)
    organic: np.ndarray  # (m,) organic impressions that work-day
    boosted: np.ndarray  # (m,) boosted impressions that work-day
    follows: np.ndarray  # (m,) follows gained that work-day
    base_creator: np.ndarray  # (b,) creator of each organic baseline
    base_month: np.ndarray  # (b,)
    base_organic: np.ndarray  # (b,) organic impressions of unboosted work-days
    base_follows: np.ndarray  # (b,) their follows

    @property
    def rows(self) -> int:
        return int(self.creator.size)


def _np(table: ibis.Table, cols: tuple[str, ...]) -> dict[str, np.ndarray]:
    t = table.to_pyarrow()
    return {c: t.column(c).to_numpy().astype(np.float64 if c != "creator_id" else np.int64) for c in cols}


def load_history(tables: dict[str, ibis.Table], as_of: date, lookback_days: int = LOOKBACK_DAYS) -> History:
    """Boosted work-days and organic baselines dated in (as_of - lookback_days, as_of]."""
    wd = tables["work_daily"]
    wd = wd.filter((wd.date > day(as_of - timedelta(days=lookback_days))) & (wd.date <= day(as_of)))
    wd = wd.join(tables["works"].select("work_id", "creator_id"), "work_id")
    month = wd.date.year().cast("int64") * 12 + wd.date.month().cast("int64") - 1
    wd = wd.mutate(month=month)
    b = wd.filter(wd.boosted_impressions > 0).select(
        "creator_id", "month", "date", "work_id", organic="organic_impressions", boosted="boosted_impressions",
        follows="follows_gained",
    )  # fmt: skip
    o = wd.filter(wd.boosted_impressions == 0)
    o = o.group_by("creator_id", "month").aggregate(
        organic=o.organic_impressions.sum(), follows=o.follows_gained.sum()
    )
    # A total order (the table's key): the fit sums these rows in order, and float sums depend on it.
    bd = _np(
        b.order_by("creator_id", "month", "date", "work_id"),
        ("creator_id", "month", "organic", "boosted", "follows"),
    )
    od = _np(o.order_by("creator_id", "month"), ("creator_id", "month", "organic", "follows"))
    return History(
        creator=bd["creator_id"], month=bd["month"], organic=bd["organic"], boosted=bd["boosted"],
        follows=bd["follows"], base_creator=od["creator_id"], base_month=od["month"],
        base_organic=od["organic"], base_follows=od["follows"],
    )  # fmt: skip
