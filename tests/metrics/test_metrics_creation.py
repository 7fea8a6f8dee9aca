"""Creation metrics on fixtures/platform, answers computed by hand from the CSV files.

Works (fixtures/platform/works.csv), one per listed month on the 10th unless said:
  creator 1: every month 2022-07..2023-08 (ids 101-114)
  creator 2: every month 2022-07..2023-06 EXCEPT 2023-03 (ids 201-211)
  creator 3: joined 2023-04-20; 2023-04-25, 2023-05-05, 2023-05-06
  creator 4: 2023-06-30 23:59:59 and 2023-07-01 00:00:00 (day boundary)
  creator 5: 2022-03-01, 2023-02-28, 2024-02-29 (leap day)
Followers (creator_daily.csv, sparse; carried forward):
  c1: 9000 from 2022-06-01, 10000 from 2023-03-01, 9500 from 2023-07-05
  c2: 50000 from 2022-01-01 (opening row), 60000 from 2023-06-30
  c3: 100 from 2023-04-20, 5000 from 2023-06-01, 20000 from 2023-07-01
  c4: no rows (0);  c5: 15000 from 2021-01-01, 16000 from 2024-02-29
"""

from __future__ import annotations

from guanghe.metrics import evaluate, evaluate_many, get, parse_period

NAMES = ["works_published", "active_creators", "active_creators_10k", "creators_12_months"]


def values(tables, text: str) -> dict:
    return evaluate_many(tables, get(NAMES), [parse_period(text)])[0]


def test_half_year_with_a_mid_period_joiner(tables) -> None:
    v = values(tables, "2023-H1")
    # works: c1 Jan-Jun 6 + c2 Jan,Feb,Apr,May,Jun 5 + c3 3 (joined 04-20) + c4 06-30 23:59:59 1
    # + c5 02-28 1 = 16
    assert v["works_published"] == 16
    assert v["active_creators"] == 5  # c1..c5
    # followers at 2023-06-30: c1 10000 (carried from 03-01, exactly the threshold), c2 60000 (row on the end
    # day), c3 5000, c4 0 (no rows), c5 15000 (carried from 2021) -> c1, c2, c5
    assert v["active_creators_10k"] == 3
    # window 2022-07..2023-06: c1 posted all 12 months; c2 missed 2023-03 -> streak broken
    assert v["creators_12_months"] == 1


def test_previous_half_year(tables) -> None:
    v = values(tables, "2022-H2")
    assert v["works_published"] == 12  # c1 6 + c2 6
    assert v["active_creators"] == 2
    assert v["active_creators_10k"] == 1  # c1 9000 at 2022-12-31 (< 10k), c2 50000
    assert v["creators_12_months"] == 0  # window 2022-01..2022-12: c1 only from 2022-07


def test_month_boundaries_and_streak_window(tables) -> None:
    v = values(tables, "2023-07")
    assert v["works_published"] == 2  # c1 07-10, c4 07-01 00:00:00 (c4's 06-30 23:59:59 is June)
    assert v["active_creators"] == 2
    assert v["active_creators_10k"] == 0  # c1 9500 from 07-05, c4 0
    assert v["creators_12_months"] == 1  # window 2022-08..2023-07: c1
    june = values(tables, "2023-06")
    assert june["works_published"] == 3  # c1 112, c2 211, c4 401 (23:59:59)


def test_streak_window_ends_with_the_month_of_the_periods_end(tables) -> None:
    # A range ending 2023-06-10 uses the window 2022-07-01..2023-06-10: c1's June work (06-10 12:00) is in it.
    assert evaluate("creators_12_months", tables, parse_period("2023-06-01..2023-06-10")) == 1
    # Ending 2023-06-05, c1's June work comes after the period: it does not count, so no streak.
    assert evaluate("creators_12_months", tables, parse_period("2023-06-01..2023-06-05")) == 0
    assert evaluate("creators_12_months", tables, parse_period("2022-07-01..2023-06-09")) == 0
    # Ending in 2023-09: window 2022-10..2023-09, c1 stops after 2023-08 -> 0.
    assert evaluate("creators_12_months", tables, parse_period("2023-09")) == 0


def test_leap_month_and_its_prior_year(tables) -> None:
    leap = values(tables, "2024-02")
    assert leap["works_published"] == 1  # c5 on 2024-02-29
    assert leap["active_creators_10k"] == 1  # c5: 16000 from 2024-02-29
    prior = values(tables, "2023-02")  # 2024-02's prior year: 2023-02-01..02-28
    assert prior["works_published"] == 3  # c1 02-10, c2 02-10, c5 02-28
    assert prior["active_creators_10k"] == 2  # c1 9000 no, c2 50000, c5 15000


def test_leap_day_range(tables) -> None:
    assert evaluate("works_published", tables, parse_period("2024-02-29..2024-02-29")) == 1
    assert evaluate("works_published", tables, parse_period("2023-02-28..2023-02-28")) == 1  # its prior year


def test_empty_period(tables) -> None:
    v = values(tables, "2019")
    assert v == {n: 0 for n in NAMES}
