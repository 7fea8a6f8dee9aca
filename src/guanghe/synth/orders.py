"""Orders attributed to creators: e-commerce (商品分销) and local-life vouchers (本地生活), each with its whole
life drawn at payment (delivery or redemption, refunds) and cut at the window's end (a later step is null)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from guanghe.data.money_schema import TOUCHPOINTS
from guanghe.data.schema import TABLES
from guanghe.synth import rulebook
from guanghe.synth.arrow import optional_timestamps, strings, timestamps
from guanghe.synth.config import DAY_US
from guanghe.synth.earnings import Earnings
from guanghe.synth.moment import Moment


def _who(
    mo: Moment, channel: str, p: np.ndarray, lam: np.ndarray | float, monthly: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Creators with orders this month, one entry per order, in order of payment: (creator index, paid_at)."""
    idx = mo.earners(channel, p, monthly)
    lam = lam[idx] if isinstance(lam, np.ndarray) else lam
    cidx = np.repeat(idx, 1 + mo.rng.poisson(lam, len(idx)))
    paid = mo.times(cidx)
    order = np.argsort(paid, kind="stable")
    return cidx[order], paid[order]


def _refund(mo: Moment, amount: np.ndarray, full: np.ndarray) -> np.ndarray:
    """The whole amount, or a part of it (20%..80%, at least 1 fen) unless ``full``."""
    part = np.maximum(1, np.floor(amount * mo.rng.uniform(0.2, 0.8, len(amount)))).astype(np.int64)
    return np.where(full | (mo.rng.random(len(amount)) >= mo.market.partial), amount, part)


def _days(mo: Moment, mean_days: float, n: int) -> np.ndarray:
    return np.floor(mo.rng.exponential(mean_days, n) * DAY_US).astype(np.int64)


def ecommerce(mo: Moment, e: Earnings, first_id: int) -> pa.Table:
    mk, pop, rng = mo.market, mo.pop, mo.rng
    p = (
        mo.base("affiliate")
        * pop.monetisation
        * np.where(pop.is_ecommerce, mk.ecommerce_uptake, 1.0)
        * mo.trend
    )
    reach = ((mo.followers + 1_000.0) / 6_000.0) ** mk.ecommerce_reach_exp * np.exp(
        mk.ecommerce_trend * mo.month.index
    )
    lam = np.where(pop.is_ecommerce, mk.ecommerce_orders * reach, mk.other_orders)
    monthly = np.where(pop.is_ecommerce, mk.ecommerce_monthly, mk.monthly["affiliate"])
    cidx, paid = _who(mo, "affiliate", p, lam, monthly)
    n = len(cidx)
    amount = mo.fen(mo.lognormal(mk.order_fen, mk.order_sigma, n), least=100)
    rate = rng.choice(np.array(mk.commission_bps, np.int64), n, p=np.array(mk.commission_p))
    frac = float(np.clip(1 + mo.months_from(f"{mo.cfg.end.year:04d}-{mo.cfg.end.month:02d}") / 23, 0, 1))
    mix = np.array(mk.touchpoints_start) + frac * (
        np.array(mk.touchpoints_end) - np.array(mk.touchpoints_start)
    )
    touch = np.searchsorted(np.cumsum(mix) / mix.sum(), rng.random(n)).astype(np.int8)
    merchants = max(1, round(mo.cfg.creators * mk.merchants_per_creator))
    merchant = 1 + np.floor(merchants * rng.random(n) ** 2).astype(np.int64)  # a few big merchants

    window = mo.cfg.money.return_window_days
    u = rng.random(n)
    cancel = u < mk.cancel
    back = ~cancel & (u < mk.cancel + mk.returns)
    late = ~cancel & ~back & (u < mk.cancel + mk.returns + mk.after_sales)
    delivered = paid + np.floor((1 + rng.gamma(2.0, (mk.delivery_days - 1) / 2, n)) * DAY_US).astype(np.int64)
    delivered[cancel] = -1
    refunded = np.full(n, -1, np.int64)
    refunded[cancel] = paid[cancel] + np.floor(rng.uniform(0.05, 2.0, int(cancel.sum())) * DAY_US).astype(
        np.int64
    )
    # a return inside the window: before delivered + window days, so on or before the close day
    refunded[back] = delivered[back] + np.floor(rng.random(int(back.sum())) * window * DAY_US).astype(
        np.int64
    )
    closed = (
        delivered[late] // DAY_US + window + 1
    ) * DAY_US  # after-sales: from the day after the close day
    refunded[late] = closed + _days(mo, 10.0, int(late.sum()))
    refund = _refund(mo, amount, cancel)
    delivered, refunded = mo.censor(delivered), mo.censor(refunded)
    refund = np.where(refunded >= 0, refund, 0)

    rulebook.affiliate(e, mo.cfg.money, cidx, touch, TOUCHPOINTS, amount, rate, delivered, refunded, refund,
                       mo.member)  # fmt: skip
    return pa.Table.from_arrays(
        [
            pa.array(np.arange(first_id, first_id + n, dtype=np.int64)),
            pa.array(pop.creator_id[cidx]),
            pa.array(merchant),
            pa.array(merchant * 1_000 + rng.integers(0, 1_000, n)),
            strings(TOUCHPOINTS, touch),
            timestamps(paid),
            pa.array(amount),
            pa.array(rate, pa.int32()),
            optional_timestamps(delivered),
            optional_timestamps(refunded),
            pa.array(refund),
        ],
        schema=TABLES["ecommerce_orders"].arrow_schema(),
    )


def local_life(mo: Moment, e: Earnings, first_id: int) -> pa.Table:
    mk, pop, rng = mo.market, mo.pop, mo.rng
    t = mo.months_from(mk.local_ramp)
    lam = mk.vouchers * np.exp((mk.voucher_growth if t >= 0 else mk.voucher_growth_before) * t)
    cidx, paid = _who(mo, "local_life", mo.base("local_life") * pop.is_local_life * mo.trend, lam)
    n = len(cidx)
    grown = max(t, 0)
    amount = mo.fen(mo.lognormal(mk.voucher_fen * np.exp(mk.voucher_fen_growth * grown), 0.6, n), least=100)
    rate = mk.voucher_bps * np.exp(-mk.voucher_bps_decline * grown) * rng.uniform(0.6, 1.4, n)
    rate = np.clip(np.round(rate), 100, 5_000).astype(np.int64)
    stores = max(1, round(mo.cfg.creators * mk.stores_per_creator))
    store = 1 + np.floor(stores * rng.random(n) ** 1.5).astype(np.int64)

    used = rng.random(n) < mk.redeemed
    redeemed = np.where(used, paid + np.maximum(600_000_000, _days(mo, mk.redeem_days, n)), -1)
    u = rng.random(n)
    after = used & (u < mk.refund_redeemed)  # a complaint after redemption: in part or in full
    unused = ~used & (u < mk.refund_unused)  # an unused voucher refunded in full
    refunded = np.full(n, -1, np.int64)
    refunded[after] = redeemed[after] + np.floor(rng.random(int(after.sum())) * 3 * DAY_US).astype(np.int64)
    refunded[unused] = paid[unused] + np.maximum(60_000_000, _days(mo, 7.0, int(unused.sum())))
    refund = _refund(mo, amount, unused)
    redeemed, refunded = mo.censor(redeemed), mo.censor(refunded)
    refund = np.where(refunded >= 0, refund, 0)

    rulebook.local_life(e, mo.cfg.money, cidx, amount, rate, redeemed, refunded, refund, mo.member)
    return pa.Table.from_arrays(
        [
            pa.array(np.arange(first_id, first_id + n, dtype=np.int64)),
            pa.array(pop.creator_id[cidx]),
            pa.array(store),
            timestamps(paid),
            pa.array(amount),
            pa.array(rate, pa.int32()),
            optional_timestamps(redeemed),
            optional_timestamps(refunded),
            pa.array(refund),
        ],
        schema=TABLES["local_life_orders"].arrow_schema(),
    )
