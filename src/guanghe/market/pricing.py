"""Expected reach and price guidance, fitted on the warehouse's own history (docs/market.md, "Discovery, media
kits and price guidance").

**Expected reach** of one sponsored short video by a creator, as of day D: the plays a new short video of
theirs gets, predicted by a log-linear least-squares fit of a work's plays on the creator's media kit at the
time it was published:

    ln(1 + plays) = b0 + b1 ln(1 + median_plays) + b2 ln(1 + followers) + b3 completion_rate

fitted (numpy ``lstsq``) on the short videos published in the ``REACH_WINDOW`` days after D - ``REACH_LAG``
(their plays summed up to D, so each had at least ``REACH_LAG - REACH_WINDOW`` days of life), against the
creators' kits as of D - ``REACH_LAG``. ``exp(prediction) - 1`` is the typical (median) reach. Creators without
recent works fall back to the fit with median_plays = 0.

**Price.** What brands paid per expected reach is read from the completed deals of the 12 months ending with D
(``brand_orders``, the deal creators' expected reach as of D):

    ln(price) = a + e ln(reach / 1000) + g age_months + residual

(``age_months``: months between the deal and D, so ``g`` absorbs the market's drift and the growth of
creators since). The suggested price of a short video is ``exp(a) (reach / 1000)^e``: expected reach ×
a CPM of ``exp(a) (reach / 1000)^(e - 1)`` fen per 1,000 plays (e = 1 is a flat CPM; e < 1 a CPM falling with
reach, as deal prices grow slower than audiences). The band is the p25..p75 of the residuals around it.
A live-stream mention is priced at ``LIVE_MENTION_FACTOR`` of a short video (documented policy constant).
With fewer than ``MIN_DEALS`` deals the fit falls back to a flat CPM: e = 1, g = 0, a = median ln(price per
1,000 reach).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa

from guanghe.data.warehouse import Warehouse
from guanghe.market.media_kit import _date, _ts, day_start, media_kits, shift_months

DELIVERABLES = ("short_video", "live_mention")
LIVE_MENTION_FACTOR = 0.5  # a mention inside a live session: half the price of a dedicated short video
REACH_LAG = 60  # the reach fit's features are the kits as of D - 60 days ...
REACH_WINDOW = 30  # ... and its targets the short videos published in the 30 days after that
MIN_WORKS = 200  # fewer short videos to fit on: reach = median plays of the last 30 works
MIN_DEALS = 20  # fewer deals to fit on: a flat CPM
DAYS_PER_MONTH = 365.25 / 12


@dataclass(frozen=True)
class ReachModel:
    """ln(1 + plays) = b0 + b1 ln(1 + median_plays) + b2 ln(1 + followers) + b3 completion_rate."""

    coef: tuple[float, float, float, float]
    works: int  # short videos the fit used (0: the fallback, reach = median plays)
    r2: float | None  # in-sample R² of ln(1 + plays)

    @staticmethod
    def features(median_plays: np.ndarray, followers: np.ndarray, completion: np.ndarray) -> np.ndarray:
        mp = np.nan_to_num(np.asarray(median_plays, np.float64), nan=0.0)
        cr = np.nan_to_num(np.asarray(completion, np.float64), nan=0.0)
        fo = np.asarray(followers, np.float64)
        return np.column_stack([np.ones(len(mp)), np.log1p(mp), np.log1p(fo), cr])

    def predict(self, median_plays: np.ndarray, followers: np.ndarray, completion: np.ndarray) -> np.ndarray:
        """Expected plays of a new short video (>= 0)."""
        x = self.features(median_plays, followers, completion)
        return np.maximum(0.0, np.expm1(x @ np.asarray(self.coef)))


MEDIAN_PLAYS = ReachModel((0.0, 1.0, 0.0, 0.0), 0, None)  # the fallback: reach = median plays


def fit_reach(wh: Warehouse, as_of: date, zone: ZoneInfo) -> ReachModel:
    """Fit :class:`ReachModel` on the warehouse's history up to ``as_of`` (see the module's docstring)."""
    start = as_of - timedelta(days=REACH_LAG)
    kits = media_kits(wh, None, start, zone)
    works, wd = wh.table("works"), wh.table("work_daily")
    new = works.filter(
        (works.kind == "short_video")
        & (works.published_at >= _ts(start + timedelta(days=1), zone))
        & (works.published_at < _ts(start + timedelta(days=REACH_WINDOW + 1), zone))
    ).select("work_id", "creator_id")
    days = wd.filter((wd.date > _date(start)) & (wd.date <= _date(as_of))).semi_join(new, "work_id")
    plays = days.group_by("work_id").aggregate(plays=days.plays.sum())
    j = new.left_join(plays, "work_id")
    t = wh.fetch(j.select("creator_id", plays=j.plays.coalesce(0)))
    if t.num_rows < MIN_WORKS:
        return MEDIAN_PLAYS
    k = kits.to_pandas().set_index("creator_id")
    w = t.to_pandas().join(k[["median_plays", "followers", "completion_rate"]], on="creator_id")
    x = ReachModel.features(w.median_plays.to_numpy(), w.followers.to_numpy(), w.completion_rate.to_numpy())
    y = np.log1p(w.plays.to_numpy(np.float64))
    coef, *_ = np.linalg.lstsq(x, y, rcond=None)
    resid = y - x @ coef
    r2 = 1.0 - float(resid @ resid) / float(((y - y.mean()) ** 2).sum()) if len(y) > 1 else None
    return ReachModel(tuple(float(c) for c in coef), len(y), r2)  # type: ignore[arg-type]


@dataclass(frozen=True)
class PriceModel:
    """ln(price) = a + e ln(reach / 1000) + g age_months; band: residual quantiles (p25, p75)."""

    a: float
    elasticity: float
    drift_per_month: float
    band: tuple[float, float]
    deals: int  # deals the fit used (< MIN_DEALS: the flat-CPM fallback)

    def price(self, reach: np.ndarray) -> np.ndarray:
        """Suggested price (fen, float) of a short video for an expected reach (reach < 1 counts as 1)."""
        r = np.maximum(np.asarray(reach, np.float64), 1.0) / 1000.0
        return np.exp(self.a + self.elasticity * np.log(r))

    def cpm(self, reach: np.ndarray) -> np.ndarray:
        """Fen per 1,000 expected plays at that reach."""
        return self.price(reach) / (np.maximum(np.asarray(reach, np.float64), 1.0) / 1000.0)


def fit_prices(wh: Warehouse, reach: pa.Table, as_of: date, zone: ZoneInfo) -> PriceModel:
    """Fit :class:`PriceModel` on the deals completed in the 12 months ending ``as_of``; ``reach`` holds
    ``creator_id`` and ``expected_reach`` (as of ``as_of``)."""
    bo = wh.table("brand_orders")
    bo = bo.filter(
        (bo.completed_at >= _ts(shift_months(as_of, -12) + timedelta(days=1), zone))
        & (bo.completed_at < _ts(as_of + timedelta(days=1), zone))
    )
    deals = wh.fetch(bo.select("creator_id", "price_fen", "completed_at")).to_pandas()
    r = reach.select(["creator_id", "expected_reach"]).to_pandas().set_index("creator_id")
    deals = deals.join(r, on="creator_id").dropna(subset=["expected_reach"])
    price = deals.price_fen.to_numpy(np.float64)
    lr = np.log(np.maximum(deals.expected_reach.to_numpy(np.float64), 1.0) / 1000.0)
    end = np.datetime64(day_start(as_of + timedelta(days=1), zone), "us")
    age_s = (end - deals.completed_at.to_numpy("datetime64[us]")) / np.timedelta64(1, "s")
    months = age_s / 86_400.0 / DAYS_PER_MONTH
    y = np.log(price)
    if len(y) < MIN_DEALS:
        if len(y) == 0:
            raise ValueError(
                f"no completed brand deals in the 12 months ending {as_of}: nothing to price from"
            )
        resid = y - lr
        a = float(np.median(resid))
        lo, hi = np.quantile(resid - a, [0.25, 0.75])
        return PriceModel(a, 1.0, 0.0, (float(lo), float(hi)), len(y))
    x = np.column_stack([np.ones(len(y)), lr, months])
    coef, *_ = np.linalg.lstsq(x, y, rcond=None)
    resid = y - x @ coef
    lo, hi = np.quantile(resid, [0.25, 0.75])
    return PriceModel(float(coef[0]), float(coef[1]), float(coef[2]), (float(lo), float(hi)), len(y))


@dataclass(frozen=True)
class Guidance:
    """The fitted models behind a price guidance table."""

    as_of: date
    reach: ReachModel
    prices: PriceModel


def price_guidance(
    wh: Warehouse, kits: pa.Table, as_of: date, zone: ZoneInfo = ZoneInfo("UTC")
) -> tuple[pa.Table, Guidance]:
    """Expected reach and suggested prices for the creators of ``kits`` (:func:`media_kits` as of ``as_of``):
    ``creator_id``, ``expected_reach`` (plays, float), ``cpm_fen`` (fen per 1,000 expected plays),
    ``suggested_fen`` (a short video), ``band_low_fen``/``band_high_fen`` (p25..p75), ``live_mention_fen``
    (integers in fen, at least 1), with the fitted models."""
    reach_model = fit_reach(wh, as_of, zone)
    reach = reach_model.predict(
        kits.column("median_plays").to_numpy(zero_copy_only=False),
        kits.column("followers").to_numpy(),
        kits.column("completion_rate").to_numpy(zero_copy_only=False),
    )
    ids = kits.column("creator_id")
    reach_t = pa.table({"creator_id": ids, "expected_reach": reach})
    # the price fit reads every deal creator's reach: creators outside ``kits`` need theirs too
    all_kits = (
        kits if kits.num_rows and _covers_deals(wh, kits, as_of, zone) else media_kits(wh, None, as_of, zone)
    )
    all_reach = reach_model.predict(
        all_kits.column("median_plays").to_numpy(zero_copy_only=False),
        all_kits.column("followers").to_numpy(),
        all_kits.column("completion_rate").to_numpy(zero_copy_only=False),
    )
    prices = fit_prices(
        wh, pa.table({"creator_id": all_kits.column("creator_id"), "expected_reach": all_reach}), as_of, zone
    )
    p = prices.price(reach)
    lo, hi = prices.band

    def fen(x: np.ndarray) -> pa.Array:
        return pa.array(np.maximum(1, np.rint(x)).astype(np.int64))

    out = reach_t.append_column("cpm_fen", pa.array(prices.cpm(reach)))
    out = out.append_column("suggested_fen", fen(p))
    out = out.append_column("band_low_fen", fen(p * np.exp(lo)))
    out = out.append_column("band_high_fen", fen(p * np.exp(hi)))
    out = out.append_column("live_mention_fen", fen(p * LIVE_MENTION_FACTOR))
    return out, Guidance(as_of, reach_model, prices)


def _covers_deals(wh: Warehouse, kits: pa.Table, as_of: date, zone: ZoneInfo) -> bool:
    """Whether ``kits`` holds every creator of the warehouse (then the deals' creators are all in it)."""
    return kits.num_rows >= wh.count("creators")
