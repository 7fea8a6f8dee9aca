"""Daily quotas: each (creator, program) amount spread over the program's delivery window, shaped by the
creator's posting pattern, in whole units that sum exactly to the plan.

Weekday shares come from the creator's works of the last 90 days, smoothed (add-one per weekday, so a
weekday without posts still gets a little and a creator without posts is flat). The amount is split over the
window's days in proportion to their weekday's share; largest remainders make the integers add up.
"""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import ibis
import numpy as np

from guanghe.programs.ibis_util import UTC_ZONE, local_day_number, ts_in

POSTING_DAYS = 90
SMOOTHING = 1.0  # pseudo-posts per weekday
CHUNK = 4_096  # (creator, program) pairs per vectorised block


def weekday_counts(
    tables: dict[str, ibis.Table], creator_ids: np.ndarray, as_of: date, zone: ZoneInfo = UTC_ZONE
) -> np.ndarray:
    """(n, 7) works published per weekday (Monday first) in the 90 platform days (in ``zone``) ending as_of."""
    w = tables["works"]
    first = as_of - timedelta(days=POSTING_DAYS - 1)
    w = w.filter(ts_in(w.published_at, first, as_of, zone))
    weekday = (local_day_number(w.published_at, first, as_of, zone) + 3) % 7  # 1970-01-01 was a Thursday
    t = w.group_by("creator_id", wd=weekday).aggregate(works=w.count()).to_pyarrow()
    ids = t.column("creator_id").to_numpy()
    out = np.zeros((creator_ids.size, 7))
    if ids.size and creator_ids.size:
        pos = np.minimum(np.searchsorted(creator_ids, ids), creator_ids.size - 1)
        ok = creator_ids[pos] == ids
        np.add.at(out, (pos[ok], t.column("wd").to_numpy()[ok].astype(int)), t.column("works").to_numpy()[ok])
    return out


def weekday_shares(counts: np.ndarray) -> np.ndarray:
    sm = counts + SMOOTHING
    return sm / sm.sum(axis=1, keepdims=True)


def spread(amounts: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """(m, days) integers, row sums equal to ``amounts`` (int, (m,)), proportional to ``weights`` (m, days)."""
    w = weights / weights.sum(axis=1, keepdims=True)
    ideal = amounts[:, None] * w
    out = np.floor(ideal).astype(np.int64)
    short = amounts - out.sum(axis=1)
    order = np.argsort(-(ideal - out), axis=1, kind="stable")
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.arange(w.shape[1])[None, :].repeat(w.shape[0], 0), axis=1)
    out += rank < short[:, None]
    return out


def daily(amounts: np.ndarray, shares: np.ndarray, start: date, end: date) -> tuple[list[date], np.ndarray]:
    """Days of [start, end] and the (m, days) quotas of m amounts with (m, 7) weekday shares."""
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    wd = np.array([d.weekday() for d in days])
    out = np.zeros((amounts.size, len(days)), np.int64)
    for lo in range(0, amounts.size, CHUNK):
        sl = slice(lo, lo + CHUNK)
        out[sl] = spread(amounts[sl], shares[sl][:, wd])
    return days, out
