"""The default platform reproduces the seed's six YoY figures, computed by the metric catalog (the income
figures from the truth's earnings, as the income table holds them after accrual), the marketplace's June
advertisers and Q2 orders, and the seed's money dynamics; seeds not used for calibration stay within 3 pp
(the first-time share and Q2 orders: 5 pp)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest
from synth_catalog import catalog_values
from synth_views import views

from guanghe.synth import SynthConfig, generate
from guanghe.synth.figures import (
    FIRST_TIME_AD_SHARE,
    MARKET_TARGETS,
    TARGETS,
    first_time_ad_share,
    market_values,
    market_yoy,
    values,
    yoy,
)

# The marketplace's figures (June advertisers, Q2 orders): tolerance on the default platform (seed 7) and on
# seeds not used for calibration. The Q2 orders spread between seeds (~1.5 pp) like the first-time share.
MARKET_TOLERANCE = {"market_advertisers": (0.01, 0.03), "market_orders": (0.03, 0.05)}


@pytest.fixture(scope="module")
def default_platform(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SynthConfig]:
    cfg = SynthConfig()  # 50,000 creators x 24 months, seed 7, window 2021-07..2023-06
    assert (cfg.creators, cfg.months, cfg.seed) == (50_000, 24, 7)
    out = tmp_path_factory.mktemp("synth-default")
    generate(cfg, out)
    return out, cfg


@pytest.mark.slow
def test_default_platform_matches_seed_figures(default_platform: tuple[Path, SynthConfig]) -> None:
    out, cfg = default_platform
    got = catalog_values(out, cfg.end)
    off = {k: round(got[k]["yoy"] - target, 4) for k, target in TARGETS.items()}
    assert all(abs(v) <= 0.01 for v in off.values()), off
    first = got["first_time_earner_share_ad_share"]["value"]
    assert abs(first - FIRST_TIME_AD_SHARE) <= 0.03, first
    assert first == pytest.approx(first_time_ad_share(out, cfg.end))
    market = {k: round(got[k]["yoy"] - target, 4) for k, target in MARKET_TARGETS.items()}
    assert all(abs(v) <= MARKET_TOLERANCE[k][0] for k, v in market.items()), market
    assert market_yoy(out, cfg.end) == pytest.approx({k: got[k]["yoy"] for k in MARKET_TARGETS})


@pytest.mark.slow
def test_default_platform_money_dynamics(default_platform: tuple[Path, SynthConfig]) -> None:
    """The seed's facts about the channels (docs/synth.md, "Money events")."""
    out, _ = default_platform
    c = views(duckdb.connect(), out)
    one = lambda sql: c.execute(sql).fetchone()[0]  # noqa: E731
    # brand marketplace: Q2 orders x2 YoY, June advertisers +40% YoY, counted on the raw event table (UTC days),
    # apart from the catalog (test_default_platform_matches_seed_figures holds the catalog to ±1 pp). The
    # advertisers' +40 % is the generator's own knob (a brand pool growing 1.40x a year, nearly every brand
    # ordering each month): this checks the events carry it, not that anything makes it emerge.
    q2 = "SELECT count(*) FROM brand_orders WHERE completed_at >= DATE '{y}-04-01' AND completed_at < DATE '{y}-07-01'"
    assert 1.7 <= one(q2.format(y=2023)) / one(q2.format(y=2022)) <= 2.3
    june = "SELECT count(DISTINCT brand_id) FROM brand_orders WHERE strftime(completed_at, '%Y-%m') = '{}'"
    assert 1.3 <= one(june.format("2023-06")) / one(june.format("2022-06")) <= 1.5
    # local life, January -> June 2023: paying consumers (orders) x6, GMV x9.5, creator monetization x3.1
    ll = "SELECT {} FROM local_life_orders WHERE strftime(paid_at, '%Y-%m') = '{}'"
    assert 4.5 <= one(ll.format("count(*)", "2023-06")) / one(ll.format("count(*)", "2023-01")) <= 7.5
    assert (
        7.5
        <= one(ll.format("sum(amount_fen)", "2023-06")) / one(ll.format("sum(amount_fen)", "2023-01"))
        <= 11.5
    )
    earned = "SELECT sum(amount_fen) FROM truth WHERE channel = 'local_life' AND month = '{}'"
    assert 2.4 <= one(earned.format("2023-06")) / one(earned.format("2023-01")) <= 3.8
    # e-commerce: sales spread from live streams to short videos and storefronts
    share = (
        "SELECT avg((touchpoint = 'live')::INT) FROM ecommerce_orders WHERE strftime(paid_at, '%Y') = '{}'"
    )
    assert one(share.format("2021")) > 0.65 and one(share.format("2023")) < 0.5
    # 磁力万合 launched 2023-03: ad-share income only from then; cash only in weeks with a work
    assert one("SELECT min(month) FROM truth WHERE channel = 'ad_share'") == "2023-03"
    paid = one("SELECT sum(amount_fen) FROM truth WHERE channel = 'incentive'")
    granted = one(
        f"SELECT sum(amount_fen) FROM cash_grants WHERE week_start + 6 <= DATE '{date(2023, 6, 30)}'"
    )
    assert 0.4 < paid / granted < 0.95
    # volume: the demo platform's money events stay within about a million rows
    events = ("ad_revenue", "ecommerce_orders", "local_life_orders", "mcn_contracts", "cash_grants",
              "brand_orders", "task_rewards")  # fmt: skip
    assert sum(one(f"SELECT count(*) FROM {t}") for t in events) <= 1_000_000


@pytest.mark.slow
@pytest.mark.parametrize("seed", [17, 18, 19])  # calibration averages seeds 7..16
def test_seeds_not_used_for_calibration(tmp_path: Path, seed: int) -> None:
    generate(SynthConfig(seed=seed), tmp_path)
    got = yoy(tmp_path)
    off = {k: round(got[k] - target, 4) for k, target in TARGETS.items()}
    assert all(abs(v) <= 0.03 for v in off.values()), off
    assert abs(first_time_ad_share(tmp_path) - FIRST_TIME_AD_SHARE) <= 0.05
    market = {k: round(v - MARKET_TARGETS[k], 4) for k, v in market_yoy(tmp_path).items()}
    assert all(abs(v) <= MARKET_TOLERANCE[k][1] for k, v in market.items()), market


def test_own_sql_agrees_with_catalog(small_run: tuple[Path, dict]) -> None:
    out, _ = small_run
    end = date(2023, 6, 30)
    mine = values(out, end)
    catalog = catalog_values(out, end)
    assert mine == {k: catalog[k]["value"] for k in mine}
    assert mine["works_published"] > 0 and mine["creators_multi_income"] > 0
    assert catalog["first_time_earner_share_ad_share"]["value"] == pytest.approx(
        first_time_ad_share(out, end)
    )
    market = market_values(out, end)
    assert market == {k: catalog[k]["value"] for k in MARKET_TARGETS}
    assert market["market_orders"] > market["market_advertisers"] > 0
