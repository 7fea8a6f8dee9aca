"""Ad share gated by the creator's growth level on the ad day (money.levels), by hand."""

from __future__ import annotations

from datetime import date

import numpy as np
from money_checks import at, check_conservation, day, income, run
from money_platform import Platform

from guanghe.data.warehouse import open_warehouse
from guanghe.money.days import day_number
from guanghe.money.levels import LevelRights

RUN = date(2023, 5, 10)
LEVELS = ((0, "newcomer", False, 0), (1, "rising", True, 0), (2, "quality", True, 500))


def _levels(p: Platform, run: date = RUN) -> Platform:
    for rank, name, share, discount in LEVELS:
        p.add("level_rights", as_of=run, rank=rank, level=name, ad_share=share, fee_discount_bps=discount,
              task_center=rank > 0, traffic_coupon=0, creators=1, rules_sha256="x")  # fmt: skip
    return p


def _change(p: Platform, creator: int, on: date, rank: int, was: int) -> Platform:
    return p.add("creator_levels", creator_id=creator, as_of=on, level=LEVELS[rank][1], rank=rank,
                 previous_level=LEVELS[was][1], previous_rank=was, reason="test")  # fmt: skip


def test_a_level_without_ad_share_earns_nothing_from_the_run_on(tmp_path, make_ledger):
    p = Platform()
    for c in (1, 2, 3):
        p.creator(c)
    p.work(11, 1, at("2023-04-01T10:00")).work(21, 2, at("2023-04-01T10:00")).work(
        31, 3, at("2023-04-01T10:00")
    )
    _levels(p)
    _change(p, 2, RUN, 2, 0)  # 2 enters quality at the run; 1 stays newcomer (no row); 3 rises on the 20th
    _change(p, 3, date(2023, 5, 20), 1, 0)
    for d, gross in (("2023-05-09", 1_000), ("2023-05-10", 2_000), ("2023-05-20", 4_000)):
        for w in (11, 21, 31):
            p.add("ad_revenue", work_id=w, date=day(d), ad_impressions=10, gross_fen=gross)
    wh, ledger = p.write(tmp_path / "wh.duckdb"), make_ledger()
    run(wh, ledger, day("2023-05-31"))
    got = {(c, d): a for c, ch, a, d, *_ in income(wh) if ch == "ad_share"}
    assert got == {
        (1, day("2023-05-09")): 500, (2, day("2023-05-09")): 500, (3, day("2023-05-09")): 500,  # before any run
        (2, day("2023-05-10")): 1_000,  # 1 and 3 are newcomers on the 10th: nothing
        (2, day("2023-05-20")): 2_000, (3, day("2023-05-20")): 2_000,  # 3 is rising from the 20th
    }  # fmt: skip
    check_conservation(ledger, wh)


def test_rights_lookup_by_day_and_run(tmp_path):
    p = _levels(Platform().creator(1).creator(2))
    _levels(p, date(2023, 6, 1))  # a second run
    _change(p, 1, RUN, 2, 0)
    _change(p, 1, date(2023, 6, 1), 1, 2)
    url = p.write(tmp_path / "wh.duckdb")
    wh = open_warehouse(url)
    try:
        lr = LevelRights(wh)
    finally:
        wh.close()
    days = np.array([day_number(d) for d in (date(2023, 5, 9), RUN, date(2023, 5, 31), date(2023, 6, 1))])
    r = lr.at(np.array([1, 1, 1, 1]), days)
    assert r.ad_share.tolist() == [True, True, True, True]
    assert r.fee_discount_bps.tolist() == [0, 500, 500, 0]
    r = lr.at(np.array([2, 2]), days[:2])
    assert r.ad_share.tolist() == [True, False] and r.fee_discount_bps.tolist() == [0, 0]
