"""Settlement months (``YYYY-MM``) and the business days they span.

>>> m = Month.parse("2023-06")
>>> (m.first, m.last, str(m.previous), str(m.next))
(datetime.date(2023, 6, 1), datetime.date(2023, 6, 30), '2023-05', '2023-07')
>>> Month.of(date(2024, 2, 29)).index - Month.parse("2024-01").index
1
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

_MONTH = re.compile(r"(\d{4})-(\d{2})")
FIRST, LAST = 2000 * 12, 2099 * 12 + 11  # the months a settlement may name (their markers are looked up)


class MonthError(ValueError):
    """Text that is not a month YYYY-MM."""


@dataclass(frozen=True, order=True)
class Month:
    index: int  # year * 12 + month - 1

    @classmethod
    def parse(cls, text: str) -> Month:
        m = _MONTH.fullmatch(text.strip())
        if not m or not 1 <= int(m.group(2)) <= 12:
            raise MonthError(f"expected a month like 2023-06, got {text!r}")
        month = cls(int(m.group(1)) * 12 + int(m.group(2)) - 1)
        if not FIRST <= month.index <= LAST:
            raise MonthError(f"expected a month from 2000-01 to 2099-12, got {text!r}")
        return month

    @classmethod
    def of(cls, day: date) -> Month:
        return cls(day.year * 12 + day.month - 1)

    @property
    def year(self) -> int:
        return self.index // 12

    @property
    def number(self) -> int:
        return self.index % 12 + 1

    @property
    def first(self) -> date:
        return date(self.year, self.number, 1)

    @property
    def last(self) -> date:
        return self.next.first - timedelta(days=1)

    @property
    def next(self) -> Month:
        return Month(self.index + 1)

    @property
    def previous(self) -> Month:
        return Month(self.index - 1)

    @property
    def key(self) -> int:
        """The month as an integer ``YYYYMM`` (the event key of its settlement transfers' ids)."""
        return self.year * 100 + self.number

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.number:02d}"


EPOCH_MONTH = 1970 * 12  # numpy's datetime64[M] counts months from 1970-01


def month_index(days: np.ndarray) -> np.ndarray:
    """Month indexes (``Month.index``) of days counted since 1970-01-01 (int64 array)."""
    return days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) + EPOCH_MONTH


def day_of(month: Month, day_number: int) -> date:
    """A day of ``month`` (1-based), clipped to the month's last day."""
    return month.first + timedelta(days=min(day_number, month.last.day) - 1)
