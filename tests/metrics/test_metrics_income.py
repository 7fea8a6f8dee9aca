"""Income metrics on fixtures/platform/income.csv, answers computed by hand.

income.csv (fen):
  c1: task 500 2022-08-01 | ad_share 1000 2023-01-05, brand_deal 2000 02-05, affiliate 3000 03-05
  c2: ad_share 400 2023-05-01, brand_deal 600 05-02, affiliate 0 05-03 (zero: not income)
  c3: local_life 0 2023-05-01 (zero), ad_share 250 2023-06-30 23:00
  c6: ad_share 700 2022-12-31 23:59:59 | ad_share 300 2023-01-01 00:00:00, brand_deal 100 06-01
  c5: incentive 800 2022-03-15
"""

from __future__ import annotations

import pytest

from guanghe.data.schema import CHANNELS
from guanghe.metrics import evaluate_many, get, parse_period

INCOME = ["creators_with_income", "income_total_fen", *[f"income_{c}_fen" for c in CHANNELS]]
SHARES = [f"first_time_earner_share_{c}" for c in CHANNELS]


def values(tables, text: str, names: list[str]) -> dict:
    return evaluate_many(tables, get(names), [parse_period(text)])[0]


def test_totals_and_channels(tables) -> None:
    v = values(tables, "2023-H1", INCOME)
    # c1 1000+2000+3000 + c2 400+600+0 + c3 0+250 + c6 300+100 = 7650
    assert v["income_total_fen"] == 7650
    assert v["income_ad_share_fen"] == 1000 + 400 + 250 + 300  # 1950
    assert v["income_brand_deal_fen"] == 2000 + 600 + 100  # 2700
    assert v["income_affiliate_fen"] == 3000 + 0
    # zero-income channels: a zero row (local_life) and no rows at all (task, incentive)
    assert v["income_local_life_fen"] == v["income_task_fen"] == v["income_incentive_fen"] == 0
    assert isinstance(v["income_total_fen"], int)
    # c1, c2, c3 (250 > 0), c6; c3's zero local_life row alone would not count
    assert v["creators_with_income"] == 4


def test_day_boundaries(tables) -> None:
    # c6's 700 at 2022-12-31 23:59:59 is 2022-H2, with c1's task 500: 1200.
    assert values(tables, "2022-H2", ["income_total_fen"])["income_total_fen"] == 1200
    assert values(tables, "2023-01-01..2023-01-01", ["income_total_fen"])["income_total_fen"] == 300


def test_multi_income_threshold_is_more_than_two(tables) -> None:
    # 2023-H1 paying channels: c1 3 (ad_share, brand_deal, affiliate) -> counts; c2 exactly 2 (its affiliate
    # row is 0 fen) -> not; c6 2 -> not; c3 1.
    assert values(tables, "2023-H1", ["creators_multi_income"])["creators_multi_income"] == 1
    # 2023-Q1: c1 has all three (01-05, 02-05, 03-05) -> 1; 2023-01..02 only two of them -> 0
    assert values(tables, "2023-Q1", ["creators_multi_income"])["creators_multi_income"] == 1
    assert values(tables, "2023-01-01..2023-02-28", ["creators_multi_income"])["creators_multi_income"] == 0


def test_first_time_earner_shares(tables) -> None:
    v = values(tables, "2023-H1", SHARES)
    # ad_share earners c1, c2, c3, c6. First-ever positive income: c1 2022-08-01 (task, another channel),
    # c2 2023-05-01, c3 2023-06-30 (its earlier local_life row is 0 fen), c6 2022-12-31 23:59:59 -> 2/4
    assert v["first_time_earner_share_ad_share"] == pytest.approx(0.5)
    # brand_deal earners c1, c2, c6 -> only c2 is new: 1/3
    assert v["first_time_earner_share_brand_deal"] == pytest.approx(1 / 3)
    # affiliate earners: c1 only (c2's row is 0 fen) -> 0/1
    assert v["first_time_earner_share_affiliate"] == 0.0
    # no earners at all -> None, not 0
    assert v["first_time_earner_share_local_life"] is None
    assert v["first_time_earner_share_task"] is None


def test_first_time_share_ignores_later_income(tables) -> None:
    # 2022-H1: c5 incentive 800 on 2022-03-15 is its first-ever -> 1/1
    v = values(tables, "2022-H1", ["first_time_earner_share_incentive", "creators_with_income"])
    assert v == {"first_time_earner_share_incentive": 1.0, "creators_with_income": 1}
