"""The money rules applied to the generated events, in integer numpy: each function adds one channel's
earnings, fees and clawbacks to the truth (``earnings.Earnings``). docs/synth.md states every rule.

``member[program]`` is a boolean per creator: it had a ``work_boost`` row of that program dated in the event's
month (the month of ``ad_revenue.date``, ``paid_at`` of an order, ``completed_at`` of a brand order).
Timestamps are microseconds since the epoch (UTC); a null one is -1. Days are UTC platform days.
"""

from __future__ import annotations

import numpy as np

from guanghe.synth.config import DAY_US
from guanghe.synth.earnings import Earnings, bps
from guanghe.synth.moment import Members
from guanghe.synth.rules import MoneyRules

TIER_NAMES = ("tail", "waist", "head")  # tier codes 0, 1, 2


def day_of(us: np.ndarray) -> np.ndarray:
    return np.asarray(us, np.int64) // DAY_US


def ad_share(
    e: Earnings, r: MoneyRules, cidx: np.ndarray, day: np.ndarray, gross: np.ndarray, tier: np.ndarray,
    member: Members,
) -> None:  # fmt: skip
    """Creator share by tier at the start of the month, then each bonus program's extra points, each floored
    on its own (separate transfers)."""
    share = np.array([r.ad_share_bps[t] for t in TIER_NAMES], np.int64)[tier]
    amount = bps(gross, share)
    for program, extra in r.ad_bonus_bps.items():
        amount += np.where(member[program][cidx], bps(gross, extra), 0)
    e.add("ad_share", "earning", cidx, day, amount)


def affiliate(
    e: Earnings, r: MoneyRules, cidx: np.ndarray, touch: np.ndarray, touchpoints: tuple[str, ...],
    amount: np.ndarray, rate: np.ndarray, delivered: np.ndarray, refunded: np.ndarray, refund: np.ndarray,
    member: Members,
) -> None:  # fmt: skip
    """Commission on the amount not refunded by the close day (delivery day + return window), posted then;
    take as a fee; bonus of the programs on the same base. A refund after the close day: clawback of the
    commission and bonus on the refunded part, the take on that commission returned. Undelivered: held."""
    delivered_ok = delivered >= 0
    close = day_of(delivered) + r.return_window_days
    rday = day_of(refunded)
    refunded_ok = (refunded >= 0) & (refund > 0)
    before = refunded_ok & (rday <= close)
    after = refunded_ok & (rday > close) & delivered_ok
    base = amount - np.where(before, refund, 0)
    commission = bps(base, rate)
    bonus = np.zeros(len(amount), np.int64)
    bonus_back = np.zeros(len(amount), np.int64)
    for b in r.affiliate_bonus:
        rate_b = np.where(member[b.program][cidx] & np.isin(touch, [touchpoints.index(t) for t in b.touchpoints]),
                          b.bps, 0)  # fmt: skip
        bonus += bps(base, rate_b)
        bonus_back += bps(refund, rate_b)
    d = delivered_ok
    e.add("affiliate", "earning", cidx[d], close[d], commission[d] + bonus[d])
    e.add("affiliate", "fee", cidx[d], close[d], -bps(commission[d], r.affiliate_take_bps))
    claw = bps(refund[after], rate[after])
    e.add("affiliate", "clawback", cidx[after], rday[after], -(claw + bonus_back[after]))
    e.add("affiliate", "fee", cidx[after], rday[after], bps(claw, r.affiliate_take_bps))


def local_life(
    e: Earnings, r: MoneyRules, cidx: np.ndarray, amount: np.ndarray, rate: np.ndarray, redeemed: np.ndarray,
    refunded: np.ndarray, refund: np.ndarray, member: Members,
) -> None:  # fmt: skip
    """Commission on redemption (+ bonus programs' points of the amount), take as a fee; a refund of a
    redeemed voucher: clawback of commission and bonus on the refunded part, the take on it returned."""
    ok = redeemed >= 0
    qday = day_of(redeemed)
    commission = bps(amount, rate)
    bonus = np.zeros(len(amount), np.int64)
    bonus_back = np.zeros(len(amount), np.int64)
    for program, extra in r.local_life_bonus_bps.items():
        rate_b = np.where(member[program][cidx], extra, 0)
        bonus += bps(amount, rate_b)
        bonus_back += bps(refund, rate_b)
    e.add("local_life", "earning", cidx[ok], qday[ok], commission[ok] + bonus[ok])
    e.add("local_life", "fee", cidx[ok], qday[ok], -bps(commission[ok], r.local_life_take_bps))
    after = ok & (refunded >= 0) & (refund > 0)
    claw = bps(refund[after], rate[after])
    fday = day_of(refunded[after])
    e.add("local_life", "clawback", cidx[after], fday, -(claw + bonus_back[after]))
    e.add("local_life", "fee", cidx[after], fday, bps(claw, r.local_life_take_bps))


def brand_deal(
    e: Earnings, r: MoneyRules, cidx: np.ndarray, completed: np.ndarray, price: np.ndarray, member: Members
) -> None:
    """Price as an earning; the service fee at the lowest rate of the creator's discount programs."""
    fee = np.full(len(price), r.brand_fee_bps, np.int64)
    for program, rate in r.brand_fee_discounts.items():
        fee = np.where(member[program][cidx], np.minimum(fee, rate), fee)
    day = day_of(completed)
    e.add("brand_deal", "earning", cidx, day, price)
    e.add("brand_deal", "fee", cidx, day, -bps(price, fee))


def task(e: Earnings, cidx: np.ndarray, completed: np.ndarray, reward: np.ndarray) -> None:
    e.add("task", "earning", cidx, day_of(completed), reward)


def incentive(
    e: Earnings, cidx: np.ndarray, week_start: np.ndarray, amount: np.ndarray, posted: np.ndarray
) -> None:
    """An installment is paid on the week's Sunday iff the creator published a work that week."""
    e.add("incentive", "earning", cidx[posted], week_start[posted] + 6, amount[posted])
