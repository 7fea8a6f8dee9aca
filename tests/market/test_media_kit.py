"""Media kits on a hand-made warehouse: every figure computed by hand in the comments."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from market_platform import Platform

from guanghe.market.media_kit import KIT_COLUMNS, media_kit, media_kits

SHANGHAI = ZoneInfo("Asia/Shanghai")
UTC = ZoneInfo("UTC")
AS_OF = date(2023, 6, 30)  # 90-day window: 2023-04-02 .. 2023-06-30; 12 months: 2022-07-01 .. 2023-06-30


def hand_platform() -> Platform:
    p = Platform()
    # Creator 1: waist, food, east, MCN 9. Followers 8,000 from 03-01, 10,000 from 05-31, 12,000 from 06-20
    # (and 99,999 on 07-01, after as_of).
    p.creator(1, mcn_id=9)
    for d, f in ((date(2023, 3, 1), 8_000), (date(2023, 5, 31), 10_000), (date(2023, 6, 20), 12_000),
                 (date(2023, 7, 1), 99_999)):  # fmt: skip
        p.followers(1, d, f)
    # w11: plays 100 + 50 = 150 (the 1,000 on 07-01 is after as_of), completed 40 + 10 = 50, engaged 5+2+1+1 = 9
    p.work(11, 1, datetime(2023, 6, 10, 4))
    p.day(11, date(2023, 6, 10), plays=100, completed_plays=40, likes=5, comments=2, shares=1)
    p.day(11, date(2023, 6, 11), plays=50, completed_plays=10, likes=1)
    p.day(11, date(2023, 7, 1), plays=1_000, completed_plays=1_000, likes=1_000)
    # w12: plays 300, completed 90, engaged 10+5+3 = 18
    p.work(12, 1, datetime(2023, 5, 1, 4))
    p.day(12, date(2023, 5, 1), plays=300, completed_plays=90, likes=10, comments=5, shares=3)
    # w13: published 2023-04-01 16:00 UTC = 2023-04-02 00:00 in Shanghai (inside the 90 days there, not in UTC)
    p.work(13, 1, datetime(2023, 4, 1, 16))
    p.day(13, date(2023, 4, 2), plays=500, completed_plays=100, likes=20)
    # w16: old; plays 50, completed 5
    p.work(16, 1, datetime(2023, 1, 10, 4))
    p.day(16, date(2023, 1, 10), plays=50, completed_plays=5)
    # w15: published 2023-06-30 16:30 UTC = 2023-07-01 00:30 in Shanghai: after as_of there, a 0-play work in UTC
    p.work(15, 1, datetime(2023, 6, 30, 16, 30))
    p.day(15, date(2023, 7, 1), plays=700, completed_plays=70)
    # programs: guanghe (06-10) and juguang (04-02) inside the 90 days; xiaomai on 04-01 is one day before
    p.boost(11, date(2023, 6, 10), "guanghe")
    p.boost(13, date(2023, 4, 2), "juguang")
    p.boost(16, date(2023, 4, 1), "xiaomai")
    # deals: 2022-06-30 16:30 UTC is 2022-07-01 in Shanghai (first day of its 12 months; out in UTC);
    # 2023-06-30 17:00 UTC is 2023-07-01 in Shanghai (out there; in UTC)
    p.deal(1, datetime(2022, 6, 30, 16, 30), 10_000)
    p.deal(1, datetime(2023, 1, 15, 8), 30_000)
    p.deal(1, datetime(2023, 3, 1, 8), 50_000)
    p.deal(1, datetime(2023, 6, 30, 17), 90_000)
    # Creator 2: no rows anywhere
    p.creator(2, category="beauty", region="south")
    # Creator 3: head (2,000,000 since January), 32 works on 05-01 + i days, plays 10 (i + 1); the older two
    # (i = 0, 1) have every play completed and liked, the last 30 (plays 30 .. 320) complete 1/10, like 1/5.
    p.creator(3, category="gaming", region="north")
    p.followers(3, date(2023, 1, 1), 2_000_000)
    for i in range(32):
        plays = 10 * (i + 1)
        p.work(300 + i, 3, datetime(2023, 5, 1, 12) + timedelta(days=i), category="gaming")
        old = i < 2
        p.day(300 + i, date(2023, 5, 1) + timedelta(days=i), plays=plays,
              completed_plays=plays if old else plays // 10, likes=plays if old else plays // 5)  # fmt: skip
    return p


@pytest.fixture(scope="module")
def wh():
    w = hand_platform().warehouse()
    yield w
    w.close()


def test_kit_shanghai(wh) -> None:
    k = media_kit(wh, 1, AS_OF, SHANGHAI)
    assert (k.category, k.region, k.mcn_id, k.tier) == ("food", "east", 9, "waist")
    # followers on 06-30: 12,000; on 05-31: 10,000; on 04-01: 8,000
    assert (k.followers, k.followers_30d_ago, k.followers_90d_ago) == (12_000, 10_000, 8_000)
    assert k.trend_30d == pytest.approx(0.2) and k.trend_90d == pytest.approx(0.5)
    # works on or before 06-30 in Shanghai: w11, w12, w13, w16 (w15 is on 07-01); in the 90 days: w11, w12, w13
    assert k.recent_works == 4 and k.works_90d == 3
    # plays 150, 300, 500, 50: median (150 + 300) / 2 = 225; completed 50 + 90 + 100 + 5 = 245 of 1,000 plays;
    # engaged 9 + 18 + 20 + 0 = 47
    assert k.median_plays == 225.0
    assert k.completion_rate == pytest.approx(0.245) and k.engagement_rate == pytest.approx(0.047)
    assert k.programs_90d == ("guanghe", "juguang")
    # deals of 2022-07-01 .. 2023-06-30 in Shanghai: 10,000, 30,000, 50,000
    assert k.deals_12m == 3 and k.deal_median_fen == 30_000


def test_kit_utc_moves_the_boundaries(wh) -> None:
    k = media_kit(wh, 1, AS_OF, UTC)
    # in UTC w15 is published on 06-30 (no plays by then) and w13 on 04-01 (before the 90 days):
    # plays 0, 50, 150, 300, 500: median 150; in the 90 days: w11, w12, w15
    assert k.recent_works == 5 and k.works_90d == 3 and k.median_plays == 150.0
    assert k.completion_rate == pytest.approx(0.245)
    # deals of 2022-07-01 .. 2023-06-30 in UTC: 30,000, 50,000, 90,000
    assert k.deals_12m == 3 and k.deal_median_fen == 50_000


def test_last_30_works(wh) -> None:
    k = media_kit(wh, 3, AS_OF, SHANGHAI)
    assert k.tier == "head" and k.followers == 2_000_000 and k.trend_30d == 0.0
    # the last 30 works have plays 30, 40, ..., 320: median (170 + 180) / 2 = 175; rates 1/10 and 1/5
    assert k.recent_works == 30 and k.median_plays == 175.0
    assert k.completion_rate == pytest.approx(0.1) and k.engagement_rate == pytest.approx(0.2)
    assert k.works_90d == 32 and k.programs_90d == () and k.deals_12m == 0


def test_creator_without_rows(wh) -> None:
    k = media_kit(wh, 2, AS_OF, SHANGHAI)
    assert (k.followers, k.tier, k.trend_30d, k.trend_90d) == (0, "tail", None, None)
    assert (k.recent_works, k.works_90d, k.median_plays, k.completion_rate, k.engagement_rate) == (
        0,
        0,
        None,
        None,
        None,
    )
    assert k.programs_90d == () and k.deals_12m == 0 and k.deal_median_fen is None
    with pytest.raises(KeyError, match="no creator 99"):
        media_kit(wh, 99, AS_OF, SHANGHAI)


def test_all_and_subset_agree(wh) -> None:
    everyone = media_kits(wh, None, AS_OF, SHANGHAI)
    assert everyone.column_names == list(KIT_COLUMNS)
    assert everyone.column("creator_id").to_pylist() == [1, 2, 3]
    some = media_kits(wh, [3, 1], AS_OF, SHANGHAI)
    assert some.to_pylist() == [r for r in everyone.to_pylist() if r["creator_id"] != 2]


def test_earlier_as_of(wh) -> None:
    # as of 2023-05-31 (Shanghai): followers 10,000; 30 days before (05-01) 8,000
    k = media_kit(wh, 1, date(2023, 5, 31), SHANGHAI)
    assert (k.followers, k.followers_30d_ago) == (10_000, 8_000) and k.trend_30d == pytest.approx(0.25)
    # works: w12, w13, w16 (plays 300, 500, 50): median 300
    assert k.recent_works == 3 and k.median_plays == 300.0
