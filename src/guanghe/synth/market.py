"""Parameters of the money events (``SynthConfig.market``): who earns, how much, and when each step happens.

Amounts are fen before ``exp(monetisation_trend * m)``; adoption probabilities are before
``exp(uptake_trend * m)`` (both calibrated knobs of ``SynthConfig``). See docs/synth.md, "Money events".
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Market:
    # --- who earns. A creator adopts a channel while a uniform drawn once for it (per creator and channel) is
    # below P(adopt): the channel's base for tail (<= 1k followers), waist (10k) and head (>= 1M), interpolated
    # on log10(followers), x its monetisation propensity (not ad_share, local_life; task: its square root)
    # x exp(uptake_trend m), at most 0.95. An adopter earns in a month with P = monthly[channel]
    # (x inactive_income in a month without works). Adoption moves smoothly with followers and the trend, so
    # the yearly figures do not re-draw every creator's channels each month.
    adoption: dict[str, tuple[float, float, float]] = field(
        default_factory=lambda: {
            "ad_share": (0.10, 0.30, 0.50),  # joining 磁力万合 (members stay), from ad_share_launch on
            "brand_deal": (0.02, 0.30, 1.0),
            "affiliate": (0.25, 0.45, 0.7),  # x ecommerce_uptake for e-commerce creators
            "task": (0.55, 0.65, 0.65),
            "local_life": (0.8, 1.0, 1.0),  # local-life creators only
        }
    )
    adoption_correlation: float = 0.9  # of a creator's uniforms across channels
    ad_correlation: float = 0.5  # the same for 磁力万合
    monthly: dict[str, float] = field(
        default_factory=lambda: {"brand_deal": 0.3, "affiliate": 0.2, "task": 0.2, "local_life": 0.5}
    )
    inactive_income: float = 0.15
    amount_follower_exp: float = 0.25  # amounts scale as ((F + 1000) / 6000) ** exp

    # --- 磁力万合 ad share: ads run on a member's work-days with at least ad_min_plays plays
    ad_share_launch: str = "2023-03"
    ad_share_new_earner: float = 1.6  # joining multiplier for creators never paid before
    ad_min_plays: int = 150
    ad_rate: float = 0.05  # ad impressions per play (x U(0.5, 1.5))
    ad_cpm_fen: float = 150.0  # gross fen per 1000 ad impressions (x lognormal(0.3))

    # --- 磁力聚星 brand deals: 1 + Poisson(brand_extra x exp(brand_orders_trend m)) orders in a deal month;
    # the deal months and counts are seasonal (the creator's draws for a calendar month repeat every year)
    brand_price_fen: float = 40_000.0  # median price for a 5k-follower creator (lognormal, brand_sigma)
    brand_sigma: float = 0.3
    brand_extra: float = 0.5
    brand_trend: float = 0.0  # monthly log-growth of deal uptake (on top of the creators' audience growth)
    brand_orders_trend: float = 0.0612  # monthly log-growth of orders per deal month (Q2 orders x2 YoY)
    brand_price_drift: float = 0.057  # monthly log-decline of prices as deals reach smaller creators
    advertisers_per_creator: float = 0.005  # advertisers active at the window's start, per creator
    advertiser_trend: float = 0.028  # monthly log-growth of active advertisers (June +40% YoY)

    # --- 商品分销 e-commerce orders
    ecommerce_uptake: float = 15.0  # x P(adopt affiliate) for e-commerce creators
    ecommerce_monthly: float = 0.8  # P(an adopting e-commerce creator sells in a month)
    ecommerce_orders: float = 3.0  # e-commerce creators: 1 + Poisson(orders x reach x exp(trend m))
    other_orders: float = 0.3  # other creators: 1 + Poisson(other_orders)
    ecommerce_reach_exp: float = 0.3  # reach = ((F + 1000) / 6000) ** exp
    ecommerce_trend: float = 0.0
    order_fen: float = 12_000.0  # median order amount (lognormal, order_sigma)
    order_sigma: float = 0.8
    commission_bps: tuple[int, ...] = (1000, 2000, 3000, 4000, 5000)
    commission_p: tuple[float, ...] = (0.15, 0.3, 0.3, 0.15, 0.1)
    merchants_per_creator: float = 0.04
    touchpoints_start: tuple[float, float, float] = (0.75, 0.20, 0.05)  # live, short_video, storefront
    touchpoints_end: tuple[float, float, float] = (0.40, 0.35, 0.25)  # incentives spread to the pan-shelf
    cancel: float = 0.04  # refunded in full before delivery
    returns: float = 0.08  # refunded within the return window (full, or partial with p partial)
    after_sales: float = 0.02  # refunded after the window closed
    partial: float = 0.3
    delivery_days: float = 2.5  # mean days from payment to delivery: 1 + Gamma(2, delivery_days / 2 - 0.5)

    # --- 本地生活 local-life vouchers: 1 + Poisson(lambda(m)) per earning creator-month
    local_ramp: str = "2023-01"  # growth accelerates from this month (Jan -> Jun 2023: GMV x9.5)
    vouchers: float = 2.0  # lambda in the ramp month
    voucher_growth: float = 0.43  # monthly log-growth of lambda from the ramp (paying consumers x6)
    voucher_growth_before: float = 0.02
    voucher_fen: float = 5_000.0  # median voucher amount in the ramp month (lognormal 0.6)
    voucher_fen_growth: float = 0.092  # from the ramp: GMV grows faster than orders
    voucher_bps: float = 1_500.0  # median commission in the ramp month
    voucher_bps_decline: float = 0.22  # from the ramp: creator monetization x3.1 while GMV x9.5
    redeemed: float = 0.85  # the rest: refunded unused (refund_unused) or still open
    refund_unused: float = 0.6
    refund_redeemed: float = 0.03  # refunded (in part or in full) after redemption
    redeem_days: float = 4.0  # mean days from payment to redemption (exponential)
    stores_per_creator: float = 0.02

    # --- 任务中心 tasks: 1 + Poisson(task_extra) rewards in an earning month
    tasks_per_month: int = 50
    task_reward_fen: float = 1_500.0  # median reward of a task (lognormal 0.4)
    task_extra: float = 0.4

    # --- cash support: weekly installments for creators supported by a cash program
    cash_programs: tuple[str, ...] = ("guanghe", "juguang", "feiniao", "ecom_tail")
    cash_share: float = 0.8  # P(adopt) for cash: a supported adopter gets its program's cash that month
    installment_fen: float = 3_000.0  # median weekly installment for a 5k-follower creator (lognormal 0.4)

    # --- MCN contracts (creators.mcn_id is the agency of the contract open at the window's end)
    mcn_signed_in_window: float = 0.3  # current contracts signed during the window (the rest: before it)
    mcn_previous: float = 0.3  # of those: a previous agency's contract ended the day before
    mcn_left: float = 0.02  # creators without an agency now whose contract ended in the window
    mcn_share_bps: tuple[int, ...] = (1000, 2000, 3000, 4000, 5000)
    mcn_share_p: tuple[float, ...] = (0.1, 0.3, 0.35, 0.15, 0.1)
