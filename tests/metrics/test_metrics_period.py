"""Period parsing, prior year (Feb 29) and previous period."""

from __future__ import annotations

from datetime import date

import pytest

from guanghe.metrics.period import Period, PeriodError, parse_period, shift_date

D = date


@pytest.mark.parametrize(
    ("text", "start", "end", "label"),
    [
        ("2023", D(2023, 1, 1), D(2023, 12, 31), "2023"),
        ("2023-H1", D(2023, 1, 1), D(2023, 6, 30), "2023-H1"),
        ("2023-h2", D(2023, 7, 1), D(2023, 12, 31), "2023-H2"),
        ("2023-Q2", D(2023, 4, 1), D(2023, 6, 30), "2023-Q2"),
        ("2023-Q4", D(2023, 10, 1), D(2023, 12, 31), "2023-Q4"),
        ("2023-06", D(2023, 6, 1), D(2023, 6, 30), "2023-06"),
        ("2024-02", D(2024, 2, 1), D(2024, 2, 29), "2024-02"),  # leap February
        ("2023-01-01..2023-06-30", D(2023, 1, 1), D(2023, 6, 30), "2023-01-01..2023-06-30"),
        (" 2023-05-05..2023-05-05 ", D(2023, 5, 5), D(2023, 5, 5), "2023-05-05..2023-05-05"),
    ],
)
def test_parse_forms(text: str, start: date, end: date, label: str) -> None:
    p = parse_period(text)
    assert (p.start, p.end, p.label) == (start, end, label)


def test_last_months_end_with_the_month_of_the_last_data_day() -> None:
    # Data ends mid-June 2023: the 12 months are 2022-07..2023-06, the 6 months 2023-01..2023-06.
    assert parse_period("last-12m", D(2023, 6, 15)) == Period(D(2022, 7, 1), D(2023, 6, 30), "months", 12)
    assert parse_period("last-6m", D(2023, 6, 30)) == Period(D(2023, 1, 1), D(2023, 6, 30), "months", 6)
    # Ends in a leap February: 2023-03-01..2024-02-29.
    assert parse_period("last-12m", D(2024, 2, 29)).start == D(2023, 3, 1)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2023-13", "expected 01..12"),
        ("2023-Q5", "cannot read period"),
        ("23", "cannot read period"),
        ("2023-02-30..2023-03-01", "bad date '2023-02-30'"),
        ("2023-06-30..2023-01-01", "ends before it starts"),
        ("last-0m", "between 1 and 120"),
        ("", "cannot read period"),
    ],
)
def test_bad_text_is_a_clear_error(text: str, message: str) -> None:
    with pytest.raises(PeriodError, match=message):
        parse_period(text)


def test_relative_period_needs_data() -> None:
    with pytest.raises(PeriodError, match="no data"):
        parse_period("last-12m")


def test_prior_year_of_calendar_periods() -> None:
    assert parse_period("2023-Q2").prior_year().label == "2022-Q2"
    assert parse_period("2023-H1").prior_year().label == "2022-H1"
    assert parse_period("2023").prior_year().label == "2022"
    # Feb 2023 -> Feb 2024 stays the whole month: 28 -> 29 days, and back again.
    assert parse_period("2023-02").prior_year() == parse_period("2022-02")
    assert parse_period("2024-02").prior_year().end == D(2023, 2, 28)
    assert parse_period("2025-02").prior_year().end == D(2024, 2, 29)
    p12 = parse_period("last-12m", D(2024, 2, 10))
    assert (p12.prior_year().start, p12.prior_year().end) == (D(2022, 3, 1), D(2023, 2, 28))


def test_prior_year_of_ranges_clamps_feb_29() -> None:
    p = parse_period("2024-02-29..2024-02-29").prior_year()
    assert (p.start, p.end) == (D(2023, 2, 28), D(2023, 2, 28))
    p = parse_period("2023-03-01..2024-02-29").prior_year()
    assert (p.start, p.end) == (D(2022, 3, 1), D(2023, 2, 28))
    assert shift_date(D(2024, 3, 31), -1) == D(2024, 2, 29)


def test_previous_period() -> None:
    assert parse_period("2023-01").previous().label == "2022-12"
    assert parse_period("2023-Q1").previous().label == "2022-Q4"
    assert parse_period("2023-H1").previous().label == "2022-H2"
    assert parse_period("2023").previous().label == "2022"
    assert parse_period("2024-03").previous().end == D(2024, 2, 29)
    # last-6m (2023-01..2023-06) -> the six months before: 2022-07-01..2022-12-31.
    p6 = parse_period("last-6m", D(2023, 6, 30)).previous()
    assert (p6.start, p6.end) == (D(2022, 7, 1), D(2022, 12, 31))
    # A range of 10 days (05-01..05-10) -> the 10 days before: 04-21..04-30.
    r = parse_period("2023-05-01..2023-05-10").previous()
    assert (r.start, r.end, r.days) == (D(2023, 4, 21), D(2023, 4, 30), 10)
    # A leap-day single-day range -> the day before.
    assert parse_period("2024-03-01..2024-03-01").previous().start == D(2024, 2, 29)


def test_period_rejects_end_before_start() -> None:
    with pytest.raises(PeriodError):
        Period(D(2023, 2, 1), D(2023, 1, 1))
