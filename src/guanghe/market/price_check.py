"""Back-test of the price guidance on a warehouse's own history: fit as of day D, compare the suggested prices
with the prices of the deals completed in the months after D (``brand_orders``), beside two naive baselines
fitted on the same 12 months of deals — a flat price (their median) and a price proportional to followers
(their median price per follower). On the synthetic platform the later deals' prices are the generator's own
draws: the truth check of docs/market.md."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from guanghe.data.warehouse import Warehouse
from guanghe.market.media_kit import _ts, day_start, media_kits, shift_months
from guanghe.market.pricing import Guidance, price_guidance


@dataclass(frozen=True)
class Score:
    """Suggested against actual prices over the evaluation deals."""

    deals: int
    spearman: float  # rank correlation (nan for a constant suggestion)
    log_corr: float  # Pearson correlation of ln(suggested) and ln(actual) (nan for a constant)
    median_ratio: float  # median of suggested / actual
    median_abs_log: float  # median |ln(suggested / actual)|: 0.2 is "typically 22 % off"
    in_band: float | None  # share of actual prices inside the suggested p25..p75 band (model only)


def score(suggested: np.ndarray, actual: np.ndarray, low: np.ndarray | None = None,
          high: np.ndarray | None = None) -> Score:  # fmt: skip
    s, a = np.asarray(suggested, np.float64), np.asarray(actual, np.float64)
    lr = np.log(s / a)
    varies = len(s) > 1 and np.std(s) > 0
    rho = float(pd.Series(s).rank().corr(pd.Series(a).rank())) if varies else float("nan")
    lc = float(np.corrcoef(np.log(s), np.log(a))[0, 1]) if varies else float("nan")
    band = None if low is None or high is None else float(np.mean((a >= low) & (a <= high)))
    return Score(len(a), rho, lc, float(np.exp(np.median(lr))), float(np.median(np.abs(lr))), band)


@dataclass(frozen=True)
class Backtest:
    model: Score
    followers: Score  # price = followers x median(price / followers) of the fit's deals
    flat: Score  # price = median price of the fit's deals
    guidance: Guidance


def backtest(wh: Warehouse, as_of: date, zone: ZoneInfo = ZoneInfo("UTC"), months_after: int = 3) -> Backtest:
    """Fit on the history up to ``as_of``; score on the deals completed in the ``months_after`` months after."""
    kits = media_kits(wh, None, as_of, zone)
    g, models = price_guidance(wh, kits, as_of, zone)
    k = kits.select(["creator_id", "followers"]).to_pandas().set_index("creator_id")
    gd = g.to_pandas().set_index("creator_id").join(k)
    bo = wh.table("brand_orders")
    start, after = as_of + timedelta(days=1), shift_months(as_of, months_after) + timedelta(days=1)
    fit_from = shift_months(as_of, -12) + timedelta(days=1)
    deals = bo.filter((bo.completed_at >= _ts(fit_from, zone)) & (bo.completed_at < _ts(after, zone)))
    d = (
        wh.fetch(deals.select("creator_id", "price_fen", "completed_at"))
        .to_pandas()
        .join(gd, on="creator_id")
    )
    cut = pd.Timestamp(day_start(start, zone))
    fit, ev = d[d.completed_at < cut], d[d.completed_at >= cut]
    per_follower = float(np.median(fit.price_fen / np.maximum(fit.followers, 1)))
    flat = float(np.median(fit.price_fen))
    actual = ev.price_fen.to_numpy(np.float64)
    return Backtest(
        model=score(
            ev.suggested_fen.to_numpy(np.float64),
            actual,
            ev.band_low_fen.to_numpy(),
            ev.band_high_fen.to_numpy(),
        ),
        followers=score(np.maximum(ev.followers.to_numpy(np.float64), 1) * per_follower, actual),
        flat=score(np.full(len(ev), flat), actual),
        guidance=models,
    )
