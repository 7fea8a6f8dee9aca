"""Reporting periods: whole platform days, start and end inclusive, with their prior year and previous period.

A period's days are calendar days of the platform's time zone (``Period.zone``, default UTC). A period may
carry the span of the data it is computed on (``data_start``/``data_end``); it is then ``partial`` when the
data does not cover all of it, and ``covered_start``/``covered_end`` say which days it does cover.

>>> p = parse_period("2023-Q2")
>>> p.start, p.end
(datetime.date(2023, 4, 1), datetime.date(2023, 6, 30))
>>> p.previous().label, p.prior_year().label
('2023-Q1', '2022-Q2')
>>> parse_period("last-12m", data_end=date(2023, 6, 15)).label  # June is not complete: it ends with May
'2022-06-01..2023-05-31'
>>> y = parse_period("2023").with_data(date(2021, 7, 1), date(2023, 6, 15))
>>> y.partial, y.covered_start, y.covered_end
(True, datetime.date(2023, 1, 1), datetime.date(2023, 6, 15))
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

DEFAULT_PERIOD = "last-12m"
UTC_ZONE = ZoneInfo("UTC")

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


def last_complete_month(data_end: date) -> tuple[int, int]:
    """(year, month) of the last month the data covers to its last day: the month of ``data_end`` when
    ``data_end`` is that month's last day, else the month before."""
    if data_end == month_end(data_end.year, data_end.month):
        return data_end.year, data_end.month
    return add_months(data_end.year, data_end.month, -1)


@dataclass(frozen=True)
class Period:
    """[start, end] whole days of ``zone`` (the platform's time zone); ``kind``: year, half, quarter, month,
    months (N whole months), range. ``data_start``/``data_end``: the first and last day of the data the
    period is computed on, when known (see ``compute.data_range``)."""

    start: date
    end: date
    kind: str = "range"
    months: int = 0  # length in months for calendar kinds, 0 for a range
    zone: ZoneInfo = UTC_ZONE
    data_start: date | None = None
    data_end: date | None = None

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise PeriodError(f"period ends ({self.end}) before it starts ({self.start})")
        if (self.data_start is None) != (self.data_end is None):
            raise ValueError("a period's data_start and data_end are both known or both None")

    def with_data(self, data_start: date, data_end: date) -> Period:
        """This period on data spanning ``data_start``..``data_end`` (platform days, inclusive)."""
        return replace(self, data_start=data_start, data_end=data_end)

    @property
    def partial(self) -> bool:
        """True when the data's span is known and does not cover every day of the period."""
        if self.data_start is None or self.data_end is None:
            return False
        return self.start < self.data_start or self.end > self.data_end

    @property
    def covered_start(self) -> date | None:
        """First day of the period the data covers; None when it covers none (or the span is unknown)."""
        return self._covered()[0]

    @property
    def covered_end(self) -> date | None:
        """Last day of the period the data covers; None when it covers none (or the span is unknown)."""
        return self._covered()[1]

    def _covered(self) -> tuple[date | None, date | None]:
        if self.data_start is None or self.data_end is None:
            return None, None
        first, last = max(self.start, self.data_start), min(self.end, self.data_end)
        return (first, last) if first <= last else (None, None)

    @property
    def timezone(self) -> str:
        return str(getattr(self.zone, "key", self.zone))

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: label, start, end, timezone, partial, covered_start/_end, data_start/_end."""

        def iso(d: date | None) -> str | None:
            return None if d is None else d.isoformat()

        return {
            "label": self.label, "start": iso(self.start), "end": iso(self.end), "timezone": self.timezone,
            "partial": self.partial, "covered_start": iso(self.covered_start),
            "covered_end": iso(self.covered_end), "data_start": iso(self.data_start),
            "data_end": iso(self.data_end),
        }  # fmt: skip

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
        return replace(self, start=date(y, m, 1), end=month_end(ey, em))

    def prior_year(self) -> Period:
        """The same dates 12 months earlier; calendar periods stay whole months (Feb 29 clamps to Feb 28).
        Keeps the zone and the data's span."""
        if self.kind == "range":
            return replace(self, start=shift_date(self.start, -12), end=shift_date(self.end, -12))
        return self._shift_months(-12)

    def previous(self) -> Period:
        """The period just before: previous calendar month/quarter/half/year/N months; for a range the same
        number of days immediately before. Keeps the zone and the data's span."""
        if self.kind == "range":
            return replace(
                self, start=self.start - timedelta(days=self.days), end=self.start - timedelta(days=1)
            )
        return self._shift_months(-self.months)


def calendar_period(kind: str, year: int, first_month: int) -> Period:
    n = _MONTHS_OF[kind]
    ey, em = add_months(year, first_month, n - 1)
    return Period(date(year, first_month, 1), month_end(ey, em), kind, n)


def last_months(n: int, data_end: date) -> Period:
    """The ``n`` whole months ending with the last complete month of data ending ``data_end``
    (:func:`last_complete_month`): data ending 2023-06-30 gives 2022-07..2023-06, ending 2023-06-15
    2022-06..2023-05."""
    ly, lm = last_complete_month(data_end)
    y, m = add_months(ly, lm, -(n - 1))
    return Period(date(y, m, 1), month_end(ly, lm), "months", n)


_FORMS = "2023 (year), 2023-H1, 2023-Q2, 2023-06 (month), 2023-01-01..2023-06-30 (range), last-12m, last-6m"


def _date(text: str, whole: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise PeriodError(f"bad date {text!r} in period {whole!r}: expected YYYY-MM-DD") from None


def parse_period(text: str, data_end: date | None = None, zone: ZoneInfo = UTC_ZONE) -> Period:
    """Parse period text into days of ``zone``; ``last-Nm`` needs ``data_end`` (the data's last day)."""
    return replace(_parse(text, data_end), zone=zone)


def _parse(text: str, data_end: date | None) -> Period:
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
