"""Delivered works' performance per work and per campaign, on a hand-made warehouse; answers by hand.

works: 11 (creator 1, published 2023-06-30T16:30Z: 07-01 in Asia/Shanghai), 12 (creator 1, 2023-07-01T10:00Z),
21 (creator 2, 2023-07-02T00:00Z), 22 (creator 2, no activity), 99 (creator 2, not asked for).

work_daily (organic, boosted, plays, completed, likes, comments, shares, follows):
  11  07-01  1000  200   600  300   30   5   5   4
  11  07-02   500    0   200   50   10   0   2   1
  11  07-03   100    0    40   10    2   0   0   0
  12  07-01   300  100   100   90    9   1   0   2
  12  07-03    50    0     0    0    0   0   0   0
  21  07-02  2000 1000  1500  600  100  20  30  10
  99  07-01 10^6  10^6 10^6  10^6 10^6 10^6 10^6 10^6
"""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import pytest

from guanghe.data.warehouse.duckdb import DuckDBWarehouse
from guanghe.market.performance import COLUMNS, CampaignPerformance, campaign_performance, works_performance

SH = ZoneInfo("Asia/Shanghai")
JULY_2 = date(2023, 7, 2)

DAILY = [
    (11, "2023-07-01", 1000, 200, 600, 300, 30, 5, 5, 4),
    (11, "2023-07-02", 500, 0, 200, 50, 10, 0, 2, 1),
    (11, "2023-07-03", 100, 0, 40, 10, 2, 0, 0, 0),
    (12, "2023-07-01", 300, 100, 100, 90, 9, 1, 0, 2),
    (12, "2023-07-03", 50, 0, 0, 0, 0, 0, 0, 0),
    (21, "2023-07-02", 2000, 1000, 1500, 600, 100, 20, 30, 10),
    (99, "2023-07-01", *[10**6] * 8),
]


@pytest.fixture(scope="module")
def wh(tmp_path_factory):
    wh = DuckDBWarehouse(str(tmp_path_factory.mktemp("perf") / "perf.duckdb"))
    for c in (1, 2):
        wh.raw.execute(
            f"INSERT INTO creators VALUES ({c}, DATE '2020-01-01', 'east', 'food', NULL, false, false)"
        )
    works = [(11, 1, "2023-06-30 16:30:00"), (12, 1, "2023-07-01 10:00:00"), (21, 2, "2023-07-02 00:00:00"),
             (22, 2, "2023-07-02 09:00:00"), (99, 2, "2023-07-01 09:00:00")]  # fmt: skip
    for w, c, at in works:
        wh.raw.execute(
            f"INSERT INTO works VALUES ({w}, {c}, TIMESTAMP '{at}', 'short_video', 'food', 30, NULL, NULL)"
        )
    for w, d, *counts in DAILY:
        wh.raw.execute(f"INSERT INTO work_daily VALUES ({w}, DATE '{d}', {', '.join(map(str, counts))})")
    yield wh
    wh.close()


def test_per_work_up_to_a_day(wh) -> None:
    t = works_performance(wh, [21, 11, 12, 22, 11], JULY_2, SH)  # duplicates and order do not matter
    assert t.column_names == list(COLUMNS)
    rows = {r["work_id"]: r for r in t.to_pylist()}
    assert list(rows) == [11, 12, 21, 22]
    w11 = rows[11]  # days 07-01 and 07-02 (07-03 is after ``through``)
    assert (w11["days"], w11["impressions"], w11["organic_impressions"], w11["boosted_impressions"]) == (
        2, 1700, 1500, 200,
    )  # fmt: skip
    assert (w11["plays"], w11["completed_plays"], w11["likes"], w11["comments"], w11["shares"]) == (
        800, 350, 40, 5, 7,
    )  # fmt: skip
    assert w11["completion_rate"] == pytest.approx(350 / 800)
    assert (w11["engagement"], w11["engagement_rate"]) == (52, pytest.approx(52 / 800))
    assert w11["follows_gained"] == 5
    assert (w11["creator_id"], w11["published_on"]) == (1, date(2023, 7, 1))  # 16:30Z is July 1 in Shanghai
    w12 = rows[12]
    assert (w12["days"], w12["impressions"], w12["plays"], w12["completion_rate"]) == (1, 400, 100, 0.9)
    assert (w12["engagement"], w12["engagement_rate"], w12["follows_gained"]) == (10, pytest.approx(0.1), 2)
    w21 = rows[21]
    assert (w21["impressions"], w21["completion_rate"], w21["engagement_rate"]) == (3000, 0.4, 0.1)
    # a delivered work without activity: zeros, no rates
    w22 = rows[22]
    assert (w22["creator_id"], w22["days"], w22["impressions"], w22["plays"], w22["follows_gained"]) == (
        2, 0, 0, 0, 0,
    )  # fmt: skip
    assert w22["completion_rate"] is None and w22["engagement_rate"] is None


def test_all_days_utc_zone_and_unknown_ids(wh) -> None:
    rows = {r["work_id"]: r for r in works_performance(wh, [11, 12, 999]).to_pylist()}
    assert (rows[11]["days"], rows[11]["impressions"], rows[11]["plays"]) == (3, 1800, 840)
    assert rows[11]["completion_rate"] == pytest.approx(360 / 840)
    assert rows[11]["published_on"] == date(2023, 6, 30)  # UTC by default
    # 12's 07-03 row has impressions but no plays: counted in impressions and days
    assert (rows[12]["days"], rows[12]["impressions"], rows[12]["plays"]) == (2, 450, 100)
    assert rows[999]["creator_id"] is None and rows[999]["published_on"] is None and rows[999]["days"] == 0
    empty = works_performance(wh, [])
    assert empty.num_rows == 0 and empty.column_names == list(COLUMNS)


def test_campaign_rates_are_ratios_of_sums(wh) -> None:
    c = campaign_performance(wh, [11, 12, 21, 22], JULY_2)
    assert c == CampaignPerformance(
        works=4, works_with_activity=3, impressions=5100, organic_impressions=3800, boosted_impressions=1300,
        plays=2400, completed_plays=1040, completion_rate=pytest.approx(1040 / 2400), likes=149, comments=26,
        shares=37, engagement=212, engagement_rate=pytest.approx(212 / 2400), follows_gained=17,
    )  # fmt: skip
    # not the average of the works' rates (0.4375, 0.9, 0.4 -> 0.579)
    assert c.completion_rate != pytest.approx((350 / 800 + 0.9 + 0.4) / 3)
    # the campaign's totals are the sums of its works' rows
    per_work = works_performance(wh, [11, 12, 21, 22], JULY_2)
    for col in ("impressions", "plays", "completed_plays", "engagement", "follows_gained"):
        assert sum(per_work[col].to_pylist()) == getattr(c, col)
    # all days: 11's 07-03 and 12's 07-03 rows join
    assert campaign_performance(wh, [11, 12, 21, 22]).impressions == 5100 + 100 + 50


def test_campaign_without_plays_has_no_rates(wh) -> None:
    c = campaign_performance(wh, [22])
    assert (c.works, c.works_with_activity, c.impressions, c.completion_rate, c.engagement_rate) == (
        1, 0, 0, None, None,
    )  # fmt: skip
    assert campaign_performance(wh, []).works == 0
