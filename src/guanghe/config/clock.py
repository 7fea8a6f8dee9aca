"""The platform's time zone: times are stored in UTC, days are counted in the platform's zone.

A platform in China sets ``GUANGHE_TIMEZONE=Asia/Shanghai``: 2023-07-02T16:00Z is the start of 2023-07-03 there.

>>> z = platform_zone("Asia/Shanghai")
>>> platform_day(1688313600, z)  # 2023-07-02T16:00:00Z
datetime.date(2023, 7, 3)
>>> day_bounds(platform_day(1688313600, z), z)
(1688313600.0, 1688400000.0)
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from guanghe.config.urls import SettingError


@lru_cache(maxsize=32)
def platform_zone(name: str) -> ZoneInfo:
    """The IANA zone ``name`` (``UTC``, ``Asia/Shanghai``); an unknown name is a setting error."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as e:
        raise SettingError(
            f"GUANGHE_TIMEZONE {name!r}: expected an IANA time zone such as UTC or Asia/Shanghai"
        ) from e


def platform_day(epoch_s: float, zone: ZoneInfo) -> date:
    """The platform day an instant (seconds since the epoch) falls on."""
    return datetime.fromtimestamp(epoch_s, zone).date()


def day_bounds(day: date, zone: ZoneInfo) -> tuple[float, float]:
    """``(start, end)`` of a platform day in epoch seconds (23 or 25 hours long on a DST change)."""
    start = datetime.combine(day, datetime.min.time(), zone)
    end = datetime.combine(day + timedelta(days=1), datetime.min.time(), zone)
    return start.timestamp(), end.timestamp()


def local_hour(epoch_s: float, zone: ZoneInfo) -> int:
    """The hour of the platform's clock (0..23) at an instant."""
    return datetime.fromtimestamp(epoch_s, zone).hour
