"""Pacing when supply is short: the finite-supply stream, the baselines, and the controller against them."""

from __future__ import annotations

import numpy as np
import pytest
from serve_helpers import DAY, small_platform, url_of
from typer.testing import CliRunner

from guanghe.cli import app
from guanghe.serve import replay, supply
from guanghe.serve.engine import Config
from guanghe.serve.plans import load
from guanghe.serve.policies import EvenSpread, Greedy


@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    path = str(tmp_path_factory.mktemp("supply") / "wh.duckdb")
    quotas = small_platform(path)
    return path, quotas, load(url_of(path), DAY), replay.Catalog.load(url_of(path), DAY)


def test_baselines_on_hand_computed_cases() -> None:
    assert Greedy().chance(1, 0.0, 24, 23) == 1.0
    even = EvenSpread()  # quota 24: one impression per hour, carried over
    assert even.chance(1, 0.0, 24, 0) == 1.0 and even.chance(1, 3599.0, 24, 1) == 0.0
    assert even.chance(1, 5 * 3600.0, 24, 5) == 1.0 and even.chance(1, 5 * 3600.0, 24, 6) == 0.0
    assert even.chance(1, 86_399.0, 24, 23) == 1.0


def test_the_stream_offers_f_times_each_quota_in_the_band_along_the_audience(platform) -> None:
    _, _, snap, catalog = platform
    s = supply.Stream(snap, catalog, 2_000, 1.5, guardrail=0.5, seed=3)
    per = {c: round(1.5 * snap.total(c)) for c in snap.quotas}
    assert len(s.offer_req) == sum(per.values())  # 1.5 x 1,180 = 1,770: all placed
    got = dict(zip(*np.unique(s.offer_creator, return_counts=True), strict=True))
    assert {int(c): int(n) for c, n in got.items()} == per
    pairs = set(zip(s.offer_req.tolist(), s.offer_creator.tolist(), strict=True))
    assert len(pairs) == len(s.offer_req)  # one offer per creator and request
    for j in range(0, len(s.offer_req), 97):  # each offer lies between 0.5 x the cut and the cut
        cut = s._cut(int(s.offer_req[j]))
        assert 0.5 * cut <= s.offer_score[j] < cut
        assert int(s.offer_work[j]) in snap.works[int(s.offer_creator[j])]
    by_hour = s.offers_by_hour()
    assert sum(by_hour) == len(s.offer_req)
    assert sum(by_hour[19:23]) > 3 * sum(by_hour[2:6])  # audience profile: 8,8,8,7 against 1,1,1,1
    organic = {int(w) for i in range(0, 2_000, 50) for w in catalog.work_id[s._organic(i)[0]]}
    assert not {w // 100 for w in organic} & set(snap.quotas)  # planned creators come only as offers


@pytest.mark.parametrize("seed", [0, 11])  # 0 was used to choose F and the request count; 11 was not
def test_controller_beats_greedy_and_even_spread_on_tracking_and_never_overspends(platform, seed) -> None:
    _, quotas, snap, catalog = platform
    r = supply.run(snap, catalog, 2_000, 1.5, Config(), seed=seed, sweep=False)
    ctl, greedy, even = r.row("controller"), r.row("greedy"), r.row("even spread")
    assert r.quota == sum(quotas.values()) == 1_180 and r.offers == sum(
        round(1.5 * snap.total(c)) for c in snap.quotas
    )
    for base in (greedy, even):
        assert ctl["gap_max"] < base["gap_max"] / 2 and ctl["gap_mean"] < base["gap_mean"] / 2
    assert ctl["gap_max"] < 0.06 and ctl["attainment"] >= 0.97
    assert ctl["overspend"] == greedy["overspend"] == even["overspend"] == 0.0
    assert greedy["ahead"] > 0.15  # no pacing spends the day's supply early
    assert greedy["attainment"] >= ctl["attainment"]  # ...and never delivers less in total


@pytest.mark.slow  # two replays of 1,000 requests (~8 s on a quiet machine)
def test_rank_placement_costs_the_viewer_less_at_the_same_attainment(platform) -> None:
    """The ample replay at its default size (1,000 requests for 1,180 impressions): spending pacing's p on the
    opportunities nearest the organic cut instead of at random halves the viewer cost; attainment stays 100 %."""
    from guanghe.serve.server import ServeSettings, build

    path, _, snap, catalog = platform
    out = {}
    for placement in ("draw", "rank"):
        eng = build(ServeSettings(warehouse=url_of(path), day=DAY.isoformat(), write_warehouse=False, seed=0, replay=True,
                                  placement=placement)).engine  # fmt: skip
        r = replay.run(eng.handle, lambda at, e=eng: e.pool(None, 300, at), snap, catalog, requests=1_000)
        out[placement] = r
        assert r.creators["attainment"] == 1.0 and r.overspend == 0.0
    assert out["rank"].relative_loss < 0.55 * out["draw"].relative_loss
    assert out["rank"].relative_loss < 0.015


@pytest.mark.slow  # six replays of 1,000 requests (~15 s on a quiet machine)
def test_cost_placement_costs_the_viewer_less_than_rank_on_seeds_not_used_to_design_it(platform) -> None:
    """Ranking opportunities by what the boost costs the slate (the displaced organic pick − the boosted score,
    so a slate's second boost is the dearer one it is) instead of by score / cut: less viewer cost than the old
    rank placement at the same 100 % attainment. Seeds 10-12 of this platform were not looked at before this
    test was written (the design was chosen on the demo platform, seeds 0 and 1). The gain is small — on these
    seeds 1 % of the cost (3.527 against 3.560 % summed; 4-9 % on seeds 6-9, 1-5 % on the demo) — so it is
    asserted on the three seeds' total; ≤ 1 % is not reached (each seed's cost is under 1.25 %; see
    docs/serving.md for the lower bound any placement has on this replay)."""
    from guanghe.serve.server import ServeSettings, build

    path, _, snap, catalog = platform
    loss = {"rank": 0.0, "cost": 0.0}
    for seed in (10, 11, 12):
        for placement in loss:
            eng = build(ServeSettings(warehouse=url_of(path), day=DAY.isoformat(), write_warehouse=False, seed=seed,
                                      replay=True, placement=placement)).engine  # fmt: skip
            r = replay.run(
                eng.handle, lambda at, e=eng: e.pool(None, 300, at), snap, catalog, 1_000, seed=seed
            )
            assert r.creators["attainment"] == 1.0 and r.overspend == 0.0
            loss[placement] += r.relative_loss
            if placement == "cost":
                assert r.relative_loss < 0.0125
    assert loss["cost"] < loss["rank"]


def test_cost_ranks_opportunities_by_what_they_cost_the_slate() -> None:
    import random

    from guanghe.serve.placement import Cost, Rank

    cost, rank = Cost(random.Random(0), size=100, every=10), Rank(random.Random(0), size=100, every=10)
    for k in range(1, 101):  # costs 0.01 .. 1.00 (a slate's first boost: displaced = cut = 2)
        cost(2.0 - k / 100, 2.0, 2.0)
    assert cost(1.955, 2.0, 2.0) == pytest.approx(0.04)  # it costs 0.045: 4 of the 100 seen cost less
    # a second boost: the same score displaces the better pick (2.5), so it costs 0.545 and ranks far lower
    assert cost(1.955, 2.0, 2.5) == pytest.approx(0.54)
    # the old rank sees only score / cut: both are the same opportunity to it
    for k in range(1, 101):
        rank(k / 100, 1.0, 1.0)
    assert rank(0.955, 1.0, 1.0) == rank(0.955, 1.0, 1.7) == pytest.approx(0.05)


def test_rank_orders_opportunities_by_their_share_of_the_cut() -> None:
    import random

    from guanghe.serve.placement import Rank

    rank = Rank(random.Random(0), size=100, every=10)
    for k in range(1, 101):
        rank(k / 100, 1.0, 1.0)
    # 100 seen (0.01 .. 1.00), sorted at the 100th: 0.955 beats 95 of them; 0.999 beats 99; the best is 0
    assert rank.sorted == [k / 100 for k in range(1, 101)]
    assert rank(0.955, 1.0, 1.0) == pytest.approx(0.05) and rank(0.999, 1.0, 1.0) == pytest.approx(0.01)
    assert rank(2.0, 1.0, 1.0) == 0.0


def test_replay_supply_command(platform) -> None:
    path = platform[0]
    run = CliRunner().invoke
    out = run(app, ["replay", "--date", DAY.isoformat(), "-w", f"duckdb:///{path}", "--supply", "1.5",
                    "--requests", "300", "--json"])  # fmt: skip
    assert out.exit_code == 0, out.output
    import json

    doc = json.loads(out.stdout)
    assert doc["factor"] == 1.5 and doc["requests"] == 300
    names = [r["policy"] for r in doc["rows"]]
    assert names[:3] == ["controller", "greedy", "even spread"] and "controller cost K=1 g=0.5" in names
    assert {"controller draw K=2 g=0.5", "controller rank K=2 g=0.5"} <= set(names)  # the baselines
    bad = run(app, ["replay", "--date", DAY.isoformat(), "-w", f"duckdb:///{path}", "--supply", "1.5",
                    "--url", "http://127.0.0.1:9"])  # fmt: skip
    assert bad.exit_code == 2 and "leave out --url" in bad.output
