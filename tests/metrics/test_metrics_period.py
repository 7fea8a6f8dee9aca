"""Period parsing, prior year (Feb 29), previous period, the last complete month and data coverage."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import pytest

from guanghe.metrics.period import (
    UTC_ZONE,
    Period,
    PeriodError,
    last_complete_month,
    parse_period,
    shift_date,
)

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


def test_last_months_end_with_the_last_complete_month() -> None:
    # Data ends mid-June 2023: June is not complete, so the 12 months are 2022-06..2023-05 (not a partial
    # June against a full prior June), the 6 months 2022-12..2023-05.
    assert parse_period("last-12m", D(2023, 6, 15)) == Period(D(2022, 6, 1), D(2023, 5, 31), "months", 12)
    assert parse_period("last-6m", D(2023, 6, 15)) == Period(D(2022, 12, 1), D(2023, 5, 31), "months", 6)
    # Data ends on June's last day: June is complete.
    assert parse_period("last-12m", D(2023, 6, 30)) == Period(D(2022, 7, 1), D(2023, 6, 30), "months", 12)
    assert parse_period("last-6m", D(2023, 6, 30)) == Period(D(2023, 1, 1), D(2023, 6, 30), "months", 6)
    # Data that reaches 3 days into July (boosts delivered by the service do not count, see compute) still
    # ends its default periods with June.
    assert parse_period("last-12m", D(2023, 7, 3)).end == D(2023, 6, 30)
    # Ends in a leap February: 2023-03-01..2024-02-29; on Feb 28 of a leap year February is not complete.
    assert parse_period("last-12m", D(2024, 2, 29)).start == D(2023, 3, 1)
    assert parse_period("last-12m", D(2024, 2, 28)).end == D(2024, 1, 31)
    assert last_complete_month(D(2023, 2, 28)) == (2023, 2)
    assert last_complete_month(D(2023, 1, 1)) == (2022, 12)


def test_partial_period_and_its_covered_days() -> None:
    data = (D(2021, 7, 1), D(2023, 6, 15))
    y = parse_period("2023").with_data(*data)
    assert (y.partial, y.covered_start, y.covered_end) == (True, D(2023, 1, 1), D(2023, 6, 15))
    # The comparison windows keep the data's span: 2022 is covered, 2021 starts before the data.
    assert (y.prior_year().label, y.prior_year().partial) == ("2022", False)
    early = y.prior_year().prior_year()
    assert (early.partial, early.covered_start, early.covered_end) == (True, D(2021, 7, 1), D(2021, 12, 31))
    # A period without any data: covered is None.
    none = parse_period("2030").with_data(*data)
    assert (none.partial, none.covered_start, none.covered_end) == (True, None, None)
    # Exactly the data's span is not partial; one more day is.
    assert not Period(*data).with_data(*data).partial
    assert Period(D(2021, 6, 30), D(2023, 6, 15)).with_data(*data).partial
    assert Period(D(2021, 7, 1), D(2023, 6, 16)).with_data(*data).partial
    # Unknown span: not partial, nothing known covered.
    assert (parse_period("2023").partial, parse_period("2023").covered_start) == (False, None)
    assert y.to_dict() == {
        "label": "2023", "start": "2023-01-01", "end": "2023-12-31", "timezone": "UTC", "partial": True,
        "covered_start": "2023-01-01", "covered_end": "2023-06-15", "data_start": "2021-07-01",
        "data_end": "2023-06-15",
    }  # fmt: skip


def test_zone_is_kept_by_parsing_and_comparison_windows() -> None:
    sh = ZoneInfo("Asia/Shanghai")
    p = parse_period("2023-H1", zone=sh)
    assert p.zone is sh and p.prior_year().zone is sh and p.previous().zone is sh
    assert p.to_dict()["timezone"] == "Asia/Shanghai"
    assert parse_period("2023-H1").zone is UTC_ZONE and p != parse_period("2023-H1")
    r = parse_period("2023-05-01..2023-05-10", zone=sh)
    assert r.previous().zone is sh and r.prior_year().zone is sh


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
    p12 = parse_period("last-12m", D(2024, 2, 29))
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
