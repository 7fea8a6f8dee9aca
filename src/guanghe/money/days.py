"""Business days as arrays: UTC timestamps to platform days (days since 1970-01-01 in the platform's zone),
months and ISO weeks of days, and the UTC start of a platform day.

>>> import pyarrow as pa
>>> from datetime import datetime
>>> from guanghe.config import platform_zone
>>> ts = pa.array([datetime(2023, 7, 2, 16), datetime(2023, 7, 2, 15, 59), None], pa.timestamp("us"))
>>> [str(EPOCH + timedelta(days=int(d))) if d != NEVER else "never" for d in local_days(ts, platform_zone("Asia/Shanghai"))]
['2023-07-03', '2023-07-02', 'never']
>>> str(monday(np.array([day_number(date(2023, 7, 2))]))[0] - day_number(date(2023, 6, 26)))
'0'
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from guanghe.config.clock import day_bounds
from guanghe.money.ids import EPOCH, day_number

NEVER = np.int32(2**31 - 1)  # the day of something that has not happened (a null timestamp)

__all__ = ["EPOCH", "NEVER", "as_date", "dates_to_days", "day_number", "day_start_utc", "local_days", "monday",
           "month_of", "utc_end"]  # fmt: skip


def local_days(ts: pa.Array | pa.ChunkedArray, zone: ZoneInfo) -> np.ndarray:
    """Platform day numbers (int32) of naive-UTC timestamps; ``NEVER`` where null."""
    if isinstance(ts, pa.ChunkedArray):
        ts = ts.combine_chunks() if ts.num_chunks else pa.array([], pa.timestamp("us"))
    ts = ts.cast(pa.timestamp("us"))
    local = pc.local_timestamp(ts.cast(pa.timestamp("us", tz=zone.key)))
    days = local.cast(pa.date32()).cast(pa.int32())
    return days.fill_null(int(NEVER)).to_numpy(zero_copy_only=False).astype(np.int32)


def dates_to_days(col: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Day numbers (int32) of a date32 column (platform days already); ``NEVER`` where null."""
    if isinstance(col, pa.ChunkedArray):
        col = col.combine_chunks() if col.num_chunks else pa.array([], pa.date32())
    return col.cast(pa.int32()).fill_null(int(NEVER)).to_numpy(zero_copy_only=False).astype(np.int32)


def month_of(days: np.ndarray) -> np.ndarray:
    """Months since 1970-01 (int32) of day numbers (``NEVER`` days give garbage: mask them first)."""
    safe = np.where(days == NEVER, 0, days).astype("datetime64[D]")
    return safe.astype("datetime64[M]").astype(np.int32)


def monday(days: np.ndarray) -> np.ndarray:
    """The Monday (day number) of each day's ISO week (1970-01-01 was a Thursday)."""
    return (days - (days + 3) % 7).astype(np.int32)


def day_start_utc(days: np.ndarray, zone: ZoneInfo) -> np.ndarray:
    """The UTC instant (naive datetime64[us]) at which each platform day starts."""
    uniq, inverse = np.unique(days, return_inverse=True)
    starts = np.array(
        [int(day_bounds(EPOCH + timedelta(days=int(d)), zone)[0] * 1_000_000) for d in uniq], dtype=np.int64
    )
    return starts[inverse].astype("datetime64[us]")


def utc_end(day: date, zone: ZoneInfo) -> datetime:
    """The naive UTC instant at which platform day ``day`` ends (the first instant after it)."""
    return _naive(day_bounds(day, zone)[1])


def _naive(epoch_s: float) -> datetime:
    return datetime(1970, 1, 1) + timedelta(seconds=epoch_s)


def as_date(day: int) -> date:
    return EPOCH + timedelta(days=int(day))
