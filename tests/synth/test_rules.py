"""The generator's money rules: their numbers equal the shipped rule files, and each rule gives the amounts
computed by hand on small cases (integer fen, floor rounding, the day money is recognised on)."""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from guanghe.data.money_schema import TOUCHPOINTS
from guanghe.synth import SynthConfig, rulebook
from guanghe.synth.config import DAY_US, PROGRAMS
from guanghe.synth.earnings import Earnings, bps
from guanghe.synth.rules import AffiliateBonus, MoneyRules

CHANNELS_DIR = Path(__file__).resolve().parents[2] / "examples" / "channels"


def _toml(name: str) -> dict:
    return tomllib.loads((CHANNELS_DIR / f"{name}.toml").read_text())


def test_rule_numbers_equal_the_shipped_rule_files() -> None:
    got = SynthConfig().money
    ad, aff, local, brand = _toml("ad_share"), _toml("affiliate"), _toml("local_life"), _toml("brand_deal")
    assert got.ad_share_bps == ad["share_bps"]
    assert got.ad_bonus_bps == {b["program"]: b["extra_bps"] for b in ad["bonus"]}
    assert (got.affiliate_take_bps, got.return_window_days) == (
        aff["platform_take_bps"],
        aff["return_window_days"],
    )
    assert got.affiliate_bonus == tuple(AffiliateBonus(b["program"], tuple(b["touchpoints"]), b["bps"])
                                        for b in aff["bonus"])  # fmt: skip
    assert got.local_life_take_bps == local["platform_take_bps"]
    assert got.local_life_bonus_bps == {b["program"]: b["bps"] for b in local["bonus"]}
    assert got.brand_fee_bps == brand["fee_bps"]
    assert got.brand_fee_discounts == {d["program"]: d["fee_bps"] for d in brand["fee_discount"]}
    incentive = _toml("incentive")
    assert (incentive["installment"], incentive["condition"]) == ("weekly", "posted_in_week")
    assert set(got.programs) | set(SynthConfig().market.cash_programs) <= set(PROGRAMS)
    assert sorted(p.stem for p in CHANNELS_DIR.glob("*.toml")) == sorted(
        ["ad_share", "affiliate", "brand_deal", "incentive", "local_life", "task"]
    )  # a new channel file needs a rule here


def test_brand_fee_is_the_lowest_applicable() -> None:
    r = MoneyRules()
    assert (r.fee_bps(), r.fee_bps(brand_star=True), r.fee_bps(xiaomai=True, brand_star=True)) == (
        500,
        300,
        200,
    )


# --- hand-computed rules on a 2-month window (2023-05, 2023-06) --------------------------------------------

CFG = SynthConfig(creators=3, months=2)
MAY1 = (date(2023, 5, 1) - date(1970, 1, 1)).days
JUN30 = MAY1 + 31 + 29


def _truth(e: Earnings) -> dict[tuple[int, str, str, str], int]:
    t = e.table().to_pylist()
    return {(r["creator_id"], r["channel"], r["month"], r["line"]): r["amount_fen"] for r in t}


def _us(day: int, hour: int = 12) -> int:
    return day * DAY_US + hour * 3_600_000_000


def _members(**flags: list[bool]) -> dict[str, np.ndarray]:
    out = {p: np.zeros(3, bool) for p in PROGRAMS}
    out.update({p: np.array(v) for p, v in flags.items()})
    return out


def test_floor_rounding() -> None:
    assert bps(np.array([19_999, 1, 10_000]), 5_000).tolist() == [9_999, 0, 5_000]


def test_ad_share_by_tier_plus_member_bonus_each_floored() -> None:
    e = Earnings(CFG)
    # gross 1999 fen: tail 5000 -> 999; waist 5500 -> 1099 (+ guanghe 1000 bps -> 199) ; head 6000 -> 1199
    rulebook.ad_share(e, MoneyRules(), np.array([0, 1, 2]), np.array([MAY1, MAY1 + 3, JUN30]),
                      np.array([1_999] * 3), np.array([0, 1, 2]), _members(guanghe=[False, True, False]))  # fmt: skip
    assert _truth(e) == {(1, "ad_share", "2023-05", "earning"): 999, (2, "ad_share", "2023-05", "earning"): 1_298,
                         (3, "ad_share", "2023-06", "earning"): 1_199}  # fmt: skip


def test_affiliate_window_refunds_bonus_and_clawbacks() -> None:
    e = Earnings(CFG)
    sv, live = TOUCHPOINTS.index("short_video"), TOUCHPOINTS.index("live")
    d = MAY1 + 20  # delivered 2023-05-21: close day 2023-05-28
    rulebook.affiliate(
        e, MoneyRules(), np.array([0, 0, 1, 2, 2]), np.array([sv, sv, live, sv, sv]), TOUCHPOINTS,
        amount=np.array([10_000, 10_000, 10_000, 10_000, 10_000]),
        rate=np.array([2_000] * 5),
        delivered=np.array([_us(d), _us(d), _us(d), -1, _us(JUN30 - 3)]),
        # order 0: 3000 back on the close day (before close); order 1: 3000 back after close (2023-06-02);
        # order 2: no refund; order 3: undelivered (held); order 4: closes after the window (held)
        refunded=np.array([_us(d + 7, 23), _us(MAY1 + 32), -1, -1, -1]),
        refund=np.array([3_000, 3_000, 0, 0, 0]),
        member=_members(ecom_tail=[True, False, True]),
    )  # fmt: skip
    # order 0: base 7000 -> commission 1400 + bonus 70, fee 140; order 1: commission 2000 + bonus 100, fee 200,
    # then clawback 600 + 30 and the fee on 600 (60) returned; order 2: live, no bonus: 2000, fee 200
    assert _truth(e) == {
        (1, "affiliate", "2023-05", "earning"): 1_470 + 2_100, (1, "affiliate", "2023-05", "fee"): -340,
        (1, "affiliate", "2023-06", "clawback"): -630, (1, "affiliate", "2023-06", "fee"): 60,
        (2, "affiliate", "2023-05", "earning"): 2_000, (2, "affiliate", "2023-05", "fee"): -200,
    }  # fmt: skip


def test_full_refund_before_close_voids_the_commission() -> None:
    e = Earnings(CFG)
    rulebook.affiliate(e, MoneyRules(), np.array([0]), np.array([0]), TOUCHPOINTS, np.array([5_000]),
                       np.array([3_000]), np.array([_us(MAY1)]), np.array([_us(MAY1 + 2)]), np.array([5_000]),
                       _members())  # fmt: skip
    assert _truth(e) == {}


def test_local_life_on_redemption_with_feiniao_bonus_and_clawback() -> None:
    e = Earnings(CFG)
    rulebook.local_life(
        e, MoneyRules(), np.array([0, 1, 2]), amount=np.array([8_888, 8_888, 8_888]), rate=np.array([1_234] * 3),
        redeemed=np.array([_us(MAY1 + 30), _us(MAY1 + 1), -1]),
        refunded=np.array([_us(MAY1 + 31), -1, _us(MAY1 + 2)]), refund=np.array([4_444, 0, 8_888]),
        member=_members(feiniao=[True, False, True]),
    )  # fmt: skip
    # commission floor(8888 x 0.1234) = 1096, fee 109, feiniao bonus floor(8888 x 0.02) = 177;
    # creator 1 refunds 4444 on 2023-06-01: clawback 548 + 88, fee 54 returned; creator 3 never redeemed
    assert _truth(e) == {
        (1, "local_life", "2023-05", "earning"): 1_273, (1, "local_life", "2023-05", "fee"): -109,
        (1, "local_life", "2023-06", "clawback"): -636, (1, "local_life", "2023-06", "fee"): 54,
        (2, "local_life", "2023-05", "earning"): 1_096, (2, "local_life", "2023-05", "fee"): -109,
    }  # fmt: skip


def test_brand_task_and_incentive() -> None:
    e = Earnings(CFG)
    rulebook.brand_deal(e, MoneyRules(), np.array([0, 1, 2]), np.array([_us(MAY1)] * 3), np.array([12_345] * 3),
                        _members(xiaomai=[True, False, True], brand_star=[False, True, True]))  # fmt: skip
    rulebook.task(e, np.array([0, 0]), np.array([_us(MAY1), _us(JUN30)]), np.array([500, 700]))
    mondays = np.array([MAY1 + 28, MAY1 + 56])  # 2023-05-29 (Sunday 2023-06-04) and 2023-06-26 (Sunday 07-02)
    rulebook.incentive(e, np.array([1, 1]), mondays, np.array([3_000, 3_000]), np.array([True, True]))
    assert _truth(e) == {
        (1, "brand_deal", "2023-05", "earning"): 12_345, (1, "brand_deal", "2023-05", "fee"): -246,
        (2, "brand_deal", "2023-05", "earning"): 12_345, (2, "brand_deal", "2023-05", "fee"): -370,
        (3, "brand_deal", "2023-05", "earning"): 12_345, (3, "brand_deal", "2023-05", "fee"): -246,
        (1, "task", "2023-05", "earning"): 500, (1, "task", "2023-06", "earning"): 700,
        (2, "incentive", "2023-06", "earning"): 3_000,  # the week ending after the window is not paid yet
    }  # fmt: skip


def test_money_before_the_window_is_an_error() -> None:
    with pytest.raises(ValueError, match="before the window"):
        Earnings(CFG).add("task", "earning", np.array([0]), np.array([MAY1 - 1]), np.array([5]))
