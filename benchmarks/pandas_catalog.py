"""The metric catalog in plain pandas: the baseline for ``bench_metrics.py`` (and an independent check).

Same definitions as ``guanghe.metrics`` (see docs/metrics.md), written directly against DataFrames.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from guanghe.data.schema import CHANNELS
from guanghe.data.tiers import TEN_K
from guanghe.metrics.period import Period, add_months, month_end

COLUMNS = {
    "works": ["work_id", "creator_id", "published_at"],
    "creator_daily": ["creator_id", "date", "followers"],
    "income": ["creator_id", "channel", "amount_fen", "occurred_at"],
    "work_boost": ["work_id", "date", "impressions"],
}


def load(data_dir: str | Path) -> dict[str, pd.DataFrame]:
    """The columns the catalog needs, from ``data_dir/<table>/*.parquet``."""
    out = {}
    for name, cols in COLUMNS.items():
        t = pq.read_table(Path(data_dir) / name, columns=cols)
        out[name] = t.to_pandas(date_as_object=False)
    return out


def _ts(d: date) -> pd.Timestamp:
    return pd.Timestamp(d)


def followers_on(cd: pd.DataFrame, creators: np.ndarray, day: date) -> pd.Series:
    """Followers of each creator on ``day``: its latest row dated <= day, else 0."""
    x = cd[(cd["date"] <= _ts(day)) & cd["creator_id"].isin(creators)]
    last = x.loc[x.groupby("creator_id")["date"].idxmax(), ["creator_id", "followers"]]
    return last.set_index("creator_id")["followers"].reindex(creators, fill_value=0)


def compute(f: dict[str, pd.DataFrame], p: Period) -> dict[str, int | float | None]:
    s, e1 = _ts(p.start), _ts(p.end + timedelta(days=1))
    out: dict[str, int | float | None] = {}
    w, cd, inc, b = f["works"], f["creator_daily"], f["income"], f["work_boost"]

    wp = w[(w["published_at"] >= s) & (w["published_at"] < e1)]
    active = wp["creator_id"].unique()
    out["works_published"] = len(wp)
    out["active_creators"] = len(active)
    out["active_creators_10k"] = int((followers_on(cd, active, p.end) >= TEN_K).sum())

    fy, fm = add_months(p.end.year, p.end.month, -11)
    ww = w[
        (w["published_at"] >= _ts(date(fy, fm, 1)))
        & (w["published_at"] < _ts(month_end(p.end.year, p.end.month) + timedelta(days=1)))
    ]
    month = (ww["published_at"].dt.year - fy) * 12 + ww["published_at"].dt.month - fm
    months = pd.DataFrame({"c": ww["creator_id"].to_numpy(), "m": month.to_numpy()}).drop_duplicates()
    out["creators_12_months"] = int((months.groupby("c").size() == 12).sum())

    ip = inc[(inc["occurred_at"] >= s) & (inc["occurred_at"] < e1)]
    paid = ip[ip["amount_fen"] > 0]
    per_creator = paid.groupby("creator_id")["channel"].nunique()
    out["creators_with_income"] = len(per_creator)
    out["income_total_fen"] = int(ip["amount_fen"].sum())
    by_channel = ip.groupby("channel")["amount_fen"].sum()
    for c in CHANNELS:
        out[f"income_{c}_fen"] = int(by_channel.get(c, 0))
    out["creators_multi_income"] = int((per_creator > 2).sum())

    ever = inc[(inc["amount_fen"] > 0) & (inc["occurred_at"] < e1)]
    first = ever[ever["creator_id"].isin(per_creator.index)].groupby("creator_id")["occurred_at"].min()
    pairs = paid[["creator_id", "channel"]].drop_duplicates()
    new = first.reindex(pairs["creator_id"]).to_numpy() >= s.to_datetime64()
    share = pd.Series(new, index=pairs["channel"].to_numpy()).groupby(level=0).mean()
    for c in CHANNELS:
        out[f"first_time_earner_share_{c}"] = float(share[c]) if c in share.index else None

    bp = b[(b["date"] >= s) & (b["date"] < e1)]
    boosted = bp.loc[bp["impressions"] > 0, "work_id"].unique()
    supported = w.loc[w["work_id"].isin(boosted), "creator_id"].unique()
    out["support_impressions"] = int(bp["impressions"].sum())
    out["creators_supported"] = len(supported)
    gain = followers_on(cd, supported, p.end) - followers_on(cd, supported, p.start - timedelta(days=1))
    out["supported_follower_gain"] = int(gain.sum())
    return out
