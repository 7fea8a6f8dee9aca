"""Days in the platform's time zone: a work's and an income's day is the local date of its UTC timestamp.

Asia/Shanghai is UTC+8 (no DST): its day 2023-07-01 runs from 2023-06-30T16:00Z to 2023-07-01T16:00Z, so
00:00 UTC is 08:00 local. Answers computed by hand.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from guanghe.data.warehouse.duckdb import DuckDBWarehouse
from guanghe.metrics import Period, compute, data_range, evaluate, evaluate_many, get, parse_period
from guanghe.metrics.followers import day_start

SH = ZoneInfo("Asia/Shanghai")
NY = ZoneInfo("America/New_York")


def test_day_start_is_the_local_midnight_in_utc() -> None:
    assert day_start(date(2023, 7, 1), SH) == datetime(2023, 6, 30, 16, 0)
    assert day_start(date(2023, 7, 1)) == datetime(2023, 7, 1, 0, 0)
    # New York switches to EDT on 2023-03-12: that day starts at 05:00Z, the next at 04:00Z.
    assert (day_start(date(2023, 3, 12), NY), day_start(date(2023, 3, 13), NY)) == (
        datetime(2023, 3, 12, 5), datetime(2023, 3, 13, 4),
    )  # fmt: skip


@pytest.fixture(scope="module")
def boundary(tmp_path_factory):
    """Creator 1 posts on the 10th of every month 2022-08..2023-06 (12:00Z) and at 2023-06-30T16:30Z;
    creator 2 posts at 2023-06-30T15:59Z and 2023-07-01T00:00Z; creator 3 at 2023-03-13T04:30Z (New York:
    00:30 EDT on 03-13; a fixed UTC-5 would say 03-12). Income: creator 2, 100 fen at 2023-06-30T15:59:59Z,
    200 at 2023-06-30T16:00Z."""
    wh = DuckDBWarehouse(str(tmp_path_factory.mktemp("zone") / "zone.duckdb"))
    for c in (1, 2, 3):
        wh.raw.execute(
            f"INSERT INTO creators VALUES ({c}, DATE '2020-01-01', 'east', 'food', NULL, false, false)"
        )
    posts = [
        (1, f"{y}-{m:02d}-10 12:00:00")
        for y, m in [(2022, m) for m in range(8, 13)] + [(2023, m) for m in range(1, 7)]
    ]
    posts += [(1, "2023-06-30 16:30:00"), (2, "2023-06-30 15:59:00"), (2, "2023-07-01 00:00:00")]
    posts += [(3, "2023-03-13 04:30:00")]
    for i, (c, at) in enumerate(posts):
        wh.raw.execute(
            f"INSERT INTO works VALUES ({i}, {c}, TIMESTAMP '{at}', 'short_video', 'food', 30, NULL, NULL)"
        )
    wh.raw.execute(
        "INSERT INTO income VALUES ('a', 2, 'task', 100, TIMESTAMP '2023-06-30 15:59:59', NULL, NULL, 'earning'), "
        "('b', 2, 'task', 200, TIMESTAMP '2023-06-30 16:00:00', NULL, NULL, 'earning')"
    )
    yield wh.tables()
    wh.close()


NAMES = ["works_published", "active_creators", "creators_12_months", "income_total_fen"]


def month(tables, text: str, zone: ZoneInfo) -> dict:
    return evaluate_many(tables, get(NAMES), [parse_period(text, zone=zone)])[0]


def test_publication_and_income_days_in_shanghai(boundary) -> None:
    june, july = month(boundary, "2023-06", SH), month(boundary, "2023-07", SH)
    # June (local): c1 06-10, c2 15:59Z (23:59 local); July: c1 16:30Z (00:30 local 07-01), c2 00:00Z (08:00)
    assert (june["works_published"], july["works_published"]) == (2, 2)
    assert (june["income_total_fen"], july["income_total_fen"]) == (100, 200)
    # The 12-month streak counts months of the platform: window 2022-08..2023-07, c1's July is its 16:30Z post.
    assert july["creators_12_months"] == 1
    # In UTC the 15:59Z and 16:30Z posts are both June 30; only c2's 00:00Z is July.
    june_utc, july_utc = (
        month(boundary, "2023-06", ZoneInfo("UTC")),
        month(boundary, "2023-07", ZoneInfo("UTC")),
    )
    assert (june_utc["works_published"], july_utc["works_published"]) == (3, 1)  # c1 06-10, 16:30; c2 15:59
    assert (june_utc["income_total_fen"], july_utc["income_total_fen"]) == (300, 0)
    assert july_utc["creators_12_months"] == 0  # no July work for c1 in UTC


def test_single_days_at_the_boundary(boundary) -> None:
    def works(day: str, zone: ZoneInfo) -> int:
        return evaluate("works_published", boundary, parse_period(f"{day}..{day}", zone=zone))

    assert (works("2023-06-30", SH), works("2023-07-01", SH)) == (1, 2)  # 15:59Z | 16:30Z, 00:00Z (08:00)
    assert (works("2023-06-30", ZoneInfo("UTC")), works("2023-07-01", ZoneInfo("UTC"))) == (2, 1)
    # Across the DST change: c3's 04:30Z on 03-13 is 00:30 EDT, day 03-13 in New York.
    assert (works("2023-03-12", NY), works("2023-03-13", NY)) == (0, 1)


def test_data_span_and_default_period_in_the_zone(boundary) -> None:
    assert data_range(boundary) == (date(2022, 8, 10), date(2023, 7, 1))
    assert data_range(boundary, SH) == (date(2022, 8, 10), date(2023, 7, 1))  # 00:00Z is 08:00 local
    assert data_range(boundary, NY) == (
        date(2022, 8, 10),
        date(2023, 6, 30),
    )  # 00:00Z is 20:00 the day before
    v = compute(boundary, "last-12m", ["works_published"], zone=SH)[0]
    # Data ends 2023-07-01: June is the last complete month; the period's days are Shanghai days.
    assert (v.period.start, v.period.end, v.period.timezone) == (
        date(2022, 7, 1),
        date(2023, 6, 30),
        "Asia/Shanghai",
    )
    assert v.value == 13  # c1 11 on the 10ths + c2's 15:59Z (23:59 local, June 30) + c3 2023-03-13
    # A Period object keeps its own zone, unless compute is given one.
    p = Period(date(2023, 7, 1), date(2023, 7, 1), zone=SH)
    got = compute(boundary, p, ["works_published"])[0]
    assert (got.value, got.period.partial, got.period.covered_end) == (2, False, date(2023, 7, 1))
    got = compute(boundary, Period(date(2023, 7, 1), date(2023, 7, 1)), ["works_published"], zone=SH)[0]
    assert (got.value, got.period.timezone, got.period.data_end) == (2, "Asia/Shanghai", date(2023, 7, 1))
    got = compute(boundary, p, ["works_published"], zone=NY)[0]  # NY: 16:30Z on 06-30 is 12:30 that day
    assert (got.value, got.period.partial, got.period.data_end) == (0, True, date(2023, 6, 30))


def test_platform_fixture_in_shanghai(tables) -> None:
    # fixtures/platform's boundary rows, read in Asia/Shanghai (UTC+8):
    #   c4 works 2023-06-30 23:59:59Z (07:59:59 on 07-01 local) and 2023-07-01 00:00Z (08:00): both July;
    #   c3 ad_share 250 at 2023-06-30 23:00Z (07:00 on 07-01): July;
    #   c6 ad_share 700 at 2022-12-31 23:59:59Z (07:59:59 on 2023-01-01): 2023-H1, and c6's first-ever income.
    names = ["works_published", "income_total_fen", "first_time_earner_share_ad_share"]
    h1 = evaluate_many(tables, get(names), [parse_period("2023-H1", zone=SH)])[0]
    assert h1["works_published"] == 16 - 1  # c4's 23:59:59Z work leaves June
    assert h1["income_total_fen"] == 7650 - 250 + 700  # 8100
    # ad_share earners c1, c2, c6 (c3's 250 is July there); new: c2 (05-01) and c6 (first-ever in 2023-H1)
    assert h1["first_time_earner_share_ad_share"] == pytest.approx(2 / 3)
    assert evaluate("works_published", tables, parse_period("2023-07", zone=SH)) == 3  # c1 113, c4 401, 402
    assert evaluate("income_total_fen", tables, parse_period("2022-H2", zone=SH)) == 500  # c1's task only
