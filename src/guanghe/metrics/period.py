"""Reporting periods: whole UTC days, start and end inclusive, with their prior year and previous period.

>>> p = parse_period("2023-Q2")
>>> p.start, p.end
(datetime.date(2023, 4, 1), datetime.date(2023, 6, 30))
>>> p.previous().label, p.prior_year().label
('2023-Q1', '2022-Q2')
>>> parse_period("last-12m", data_end=date(2023, 6, 15)).label
'2022-07-01..2023-06-30'
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

DEFAULT_PERIOD = "last-12m"

# Period kinds; all but "range" are whole calendar months (``months`` = that many months).
_MONTHS_OF = {"year": 12, "half": 6, "quarter": 3, "month": 1}


class PeriodError(ValueError):
    """Period text could not be understood."""


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def add_months(year: int, month: int, n: int) -> tuple[int, int]:
    """(year, month) moved by ``n`` months."""
    k = year * 12 + (month - 1) + n
    return k // 12, k % 12 + 1


def shift_date(d: date, months: int) -> date:
    """``d`` moved by whole months, clamped to the month's last day (2024-02-29 - 12 months = 2023-02-28)."""
    y, m = add_months(d.year, d.month, months)
    return date(y, m, min(d.day, calendar.monthrange(y, m)[1]))


@dataclass(frozen=True)
class Period:
    """[start, end] whole UTC days; ``kind``: year, half, quarter, month, months (N whole months), range."""

    start: date
    end: date
    kind: str = "range"
    months: int = 0  # length in months for calendar kinds, 0 for a range

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise PeriodError(f"period ends ({self.end}) before it starts ({self.start})")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def label(self) -> str:
        s = self.start
        if self.kind == "year":
            return f"{s.year}"
        if self.kind == "half":
            return f"{s.year}-H{1 if s.month == 1 else 2}"
        if self.kind == "quarter":
            return f"{s.year}-Q{(s.month - 1) // 3 + 1}"
        if self.kind == "month":
            return f"{s.year}-{s.month:02d}"
        return f"{self.start.isoformat()}..{self.end.isoformat()}"

    def __str__(self) -> str:
        return self.label

    def _shift_months(self, n: int) -> Period:
        y, m = add_months(self.start.year, self.start.month, n)
        ey, em = add_months(y, m, self.months - 1)
        return Period(date(y, m, 1), month_end(ey, em), self.kind, self.months)

    def prior_year(self) -> Period:
        """The same dates 12 months earlier; calendar periods stay whole months (Feb 29 clamps to Feb 28)."""
        if self.kind == "range":
            return Period(shift_date(self.start, -12), shift_date(self.end, -12))
        return self._shift_months(-12)

    def previous(self) -> Period:
        """The period just before: previous calendar month/quarter/half/year/N months; for a range the same
        number of days immediately before."""
        if self.kind == "range":
            return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1))
        return self._shift_months(-self.months)


def calendar_period(kind: str, year: int, first_month: int) -> Period:
    n = _MONTHS_OF[kind]
    ey, em = add_months(year, first_month, n - 1)
    return Period(date(year, first_month, 1), month_end(ey, em), kind, n)


def last_months(n: int, data_end: date) -> Period:
    """The ``n`` whole months ending with the month that contains ``data_end``."""
    y, m = add_months(data_end.year, data_end.month, -(n - 1))
    return Period(date(y, m, 1), month_end(data_end.year, data_end.month), "months", n)


_FORMS = "2023 (year), 2023-H1, 2023-Q2, 2023-06 (month), 2023-01-01..2023-06-30 (range), last-12m, last-6m"


def _date(text: str, whole: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise PeriodError(f"bad date {text!r} in period {whole!r}: expected YYYY-MM-DD") from None


def parse_period(text: str, data_end: date | None = None) -> Period:
    """Parse period text; ``last-Nm`` needs ``data_end`` (the last day with data)."""
    t = text.strip()
    if m := re.fullmatch(r"(\d{4})", t):
        return calendar_period("year", int(m[1]), 1)
    if m := re.fullmatch(r"(\d{4})-[Hh]([12])", t):
        return calendar_period("half", int(m[1]), 1 if m[2] == "1" else 7)
    if m := re.fullmatch(r"(\d{4})-[Qq]([1-4])", t):
        return calendar_period("quarter", int(m[1]), 3 * int(m[2]) - 2)
    if m := re.fullmatch(r"(\d{4})-(\d{2})", t):
        if not 1 <= int(m[2]) <= 12:
            raise PeriodError(f"bad month {m[2]!r} in period {text!r}: expected 01..12")
        return calendar_period("month", int(m[1]), int(m[2]))
    if m := re.fullmatch(r"(\S+)\.\.(\S+)", t):
        start, end = _date(m[1], text), _date(m[2], text)
        if end < start:
            raise PeriodError(f"period {text!r} ends before it starts")
        return Period(start, end)
    if m := re.fullmatch(r"last-(\d+)m", t, flags=re.IGNORECASE):
        n = int(m[1])
        if not 1 <= n <= 120:
            raise PeriodError(f"bad period {text!r}: last-Nm needs N between 1 and 120")
        if data_end is None:
            raise PeriodError(f"period {text!r} is relative to the data, but the warehouse has no data")
        return last_months(n, data_end)
    raise PeriodError(f"cannot read period {text!r}: expected one of {_FORMS}")
