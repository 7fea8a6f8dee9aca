"""Price guidance: the flat-CPM fallback by hand, and the fitted model against the synthetic platform's truth."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from test_media_kit import AS_OF, SHANGHAI, hand_platform

from guanghe.data.warehouse.duckdb import DuckDBWarehouse
from guanghe.market.media_kit import media_kits
from guanghe.market.price_check import backtest
from guanghe.market.pricing import LIVE_MENTION_FACTOR, MEDIAN_PLAYS, ReachModel, price_guidance
from guanghe.synth import SynthConfig, generate

UTC = ZoneInfo("UTC")


def test_flat_cpm_fallback_by_hand() -> None:
    wh = hand_platform().warehouse()
    try:
        kits = media_kits(wh, None, AS_OF, SHANGHAI)
        g, models = price_guidance(wh, kits, AS_OF, SHANGHAI)
    finally:
        wh.close()
    # 2 short videos in the reach fit's window (fewer than MIN_WORKS): reach = median plays
    assert models.reach == MEDIAN_PLAYS
    # 3 deals (fewer than MIN_DEALS), all creator 1's (reach 225): 10,000, 30,000, 50,000 fen, i.e.
    # 44,444, 133,333, 222,222 fen per 1,000 plays: the flat CPM is their median, 133,333.3
    p = models.prices
    assert (p.deals, p.elasticity, p.drift_per_month) == (3, 1.0, 0.0)
    assert math.exp(p.a) == pytest.approx(30_000 / 0.225)
    # band: residuals ln(1/3), 0, ln(5/3); p25 = ln(1/3) / 2, p75 = ln(5/3) / 2
    assert p.band == pytest.approx((math.log(1 / 3) / 2, math.log(5 / 3) / 2))
    rows = {r["creator_id"]: r for r in g.to_pylist()}
    assert rows[1]["expected_reach"] == pytest.approx(225.0) and rows[1]["suggested_fen"] == 30_000
    assert rows[1]["cpm_fen"] == pytest.approx(133_333.33, rel=1e-6)
    assert rows[1]["band_low_fen"] == round(30_000 * math.sqrt(1 / 3))  # 17,321
    assert rows[1]["band_high_fen"] == round(30_000 * math.sqrt(5 / 3))  # 38,730
    assert rows[1]["live_mention_fen"] == round(30_000 * LIVE_MENTION_FACTOR)
    # creator 3: reach 175 -> 0.175 x 133,333 = 23,333; creator 2 (no plays): reach 0 counts as 1 play -> 133
    assert rows[3]["suggested_fen"] == 23_333 and rows[2]["suggested_fen"] == 133


def test_reach_model_predicts() -> None:
    m = ReachModel((0.5, 0.4, 0.4, 1.6), 10, 0.5)
    got = m.predict(np.array([np.nan, 999.0]), np.array([0, 9_999]), np.array([np.nan, 0.25]))
    assert got[0] == pytest.approx(math.expm1(0.5))
    assert got[1] == pytest.approx(math.expm1(0.5 + 0.4 * math.log(1000) + 0.4 * math.log(10_000) + 0.4))


# The truth check. Seeds 202 and 303 were not used for any choice of the model (seed 101 was, while it was
# written). The deals of 2023-04..06 are the generator's own draws (synth/deals.py: price = 40,000 fen x
# ((F + 1000) / 6000)^0.25 x exp(-0.0547 m) x lognormal(0.3)), scored against the guidance fitted on the
# history up to 2023-03-31.
#
# Thresholds: the generator's lognormal(0.3) noise alone keeps a perfect predictor's median |ln ratio| at
# 0.3 x 0.674 = 0.20 and its rank correlation well below 1; seed 101 gave Spearman 0.74, median |ln ratio|
# 0.23, median ratio 1.06. We require Spearman >= 0.6, median ratio in 0.8 .. 1.25 (prices drift ~5 % a month,
# so a 3-month horizon alone moves it by up to ~15 %), median |ln ratio| <= 0.35 and at most 0.6 x either
# baseline's, and 35 .. 65 % of the actual prices inside the p25..p75 band (50 % if calibrated).
SEEDS = (202, 303)
CREATORS = 3_000


@pytest.fixture(scope="module", params=SEEDS)
def synth_wh(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    root: Path = tmp_path_factory.mktemp(f"pricing{request.param}")
    generate(SynthConfig(creators=CREATORS, months=24, seed=request.param), root)
    wh = DuckDBWarehouse.over_parquet(root / "data")
    yield wh
    wh.close()


def test_prices_against_the_synthetic_truth(synth_wh) -> None:
    b = backtest(synth_wh, date(2023, 3, 31), UTC, months_after=3)
    m, f, flat = b.model, b.followers, b.flat
    print(f"\nmodel {m}\nfollowers {f}\nflat {flat}\n{b.guidance}")
    assert m.deals >= 500
    assert b.guidance.reach.works > 1_000 and b.guidance.prices.deals > 1_000
    assert m.spearman >= 0.6
    assert 0.8 <= m.median_ratio <= 1.25
    assert m.median_abs_log <= 0.35
    assert m.median_abs_log <= 0.6 * f.median_abs_log and m.median_abs_log <= 0.6 * flat.median_abs_log
    assert 0.35 <= m.in_band <= 0.65
    assert math.isnan(flat.spearman)  # a flat price cannot rank creators at all
