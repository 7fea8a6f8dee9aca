"""The closed-loop simulation: known answers on hand-checkable pieces, budgets, the oracle, determinism."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from guanghe.allocate.plan import work_days
from guanghe.cli import app
from guanghe.data.warehouse import open_warehouse
from guanghe.simulate import plan as planner
from guanghe.simulate.deliver import Feed, deliver
from guanghe.simulate.page import render, write_page
from guanghe.simulate.run import Memory, SimConfig, simulate
from guanghe.simulate.world import MonthRows, _ad_income, _spread
from guanghe.synth import population
from guanghe.synth.config import SynthConfig
from guanghe.synth.gmv import gmv_truth
from guanghe.synth.retention import churn_multiplier

SMALL = SimConfig(
    creators=400, months=2, history=4, seed=5, feed=Feed(day_quota=150, sample=30),
    policies=("optimal", "explore", "uniform", "followers", "quality", "today", "oracle", "gmv", "gmv_rate"),
)  # fmt: skip


@pytest.fixture(scope="module")
def small():
    return simulate(SMALL)


def test_spread_never_exceeds_the_plan_and_floors_each_day() -> None:
    # creator 0: plan 10 x attainment 0.55 = 5 impressions over its 2 slot days; creator 1: nothing planned;
    # creator 2: planned but no slot day (no work): nothing delivered.
    c = np.array([0, 0, 0, 1, 2])
    slots = np.array([True, True, False, True, False])
    got = _spread(
        np.array([10.0, 0.0, 7.0]), np.array([0.55, 1.0, 1.0]), c, slots, 3, np.random.default_rng(0)
    )
    assert got[2] == 0 and got[3] == 0 and got[4] == 0
    assert 4 <= got[:2].sum() <= 5  # floor(5 x share) per day: at most 5, at most 1 lost to rounding
    assert np.all(got >= 0)
    one = _spread(np.array([9.0]), None, np.array([0]), np.array([True]), 1, np.random.default_rng(1))
    assert one.tolist() == [9]


def test_ad_income_by_hand() -> None:
    cfg = SynthConfig(creators=10, months=1)
    # 20,000 plays: gross = 20,000 x 0.05 x 150 / 1000 = 150 fen; tail 50% -> 75, waist 55% -> 82, head 60% -> 90;
    # 100 plays is under ad_min_plays (150): nothing.
    plays = np.array([20_000, 20_000, 20_000, 100])
    got = _ad_income(cfg, plays, np.array([5, 10_000, 2_000_000, 5]))
    assert got.tolist() == [75, 82, 90, 0]


def test_history_from_memory_by_hand(tmp_path: Path) -> None:
    cfg = SynthConfig(creators=60, months=2, seed=1)
    pop = population.build(cfg, cfg.seeds()[0])
    mem = Memory(pop, tmp_path)
    z = np.zeros(4, np.int64)
    rows = MonthRows(creator=np.array([1, 0, 0, 1]), organic=np.array([100, 50, 70, 30]),
                     boosted=np.array([0, 500, 0, 200]), follows=np.array([3, 9, 2, 5]), boost_follows=z,
                     expected=z.astype(float), plays=np.array([10, 10, 10, 10]), completed=np.array([5, 2, 3, 1]),
                     orders=z, gmv=z)  # fmt: skip
    mem.months.append((7, rows))
    assert mem.order_value().tolist()[:2] == [0.0, 0.0]  # no orders anywhere: the (zero) mean
    h = mem.rows_history()
    assert h.creator.tolist() == [1, 2] and h.boosted.tolist() == [500, 200] and h.follows.tolist() == [9, 5]
    assert h.month.tolist() == [7, 7]
    assert h.base_creator.tolist() == [1, 2] and h.base_organic.tolist() == [70, 100]
    assert h.base_follows.tolist() == [2, 3]
    assert mem.quality()[:2].tolist() == [0.25, 0.3]


def _inputs(n: int = 40, budget: float = 50_000.0) -> planner.Inputs:
    rng = np.random.default_rng(3)
    return planner.Inputs(
        creator_id=np.arange(1, n + 1), eligible=rng.random(n) < 0.8, tier=np.full(n, 2),
        followers=rng.integers(0, 50_000, n).astype(float), quality=rng.random(n),
        segment=np.array(["tail/food"] * n), works_90d=rng.integers(0, 9, n).astype(float), days=30,
        budget=budget, cap_per_day=2_000.0,
    )  # fmt: skip


def test_every_policy_stays_within_budget_and_caps_and_the_oracle_is_best() -> None:
    inp = _inputs()
    rng = np.random.default_rng(4)
    theta, s = rng.lognormal(np.log(0.03), 0.3, 40), rng.lognormal(np.log(5_000), 0.5, 40)
    fitted = (theta * rng.lognormal(0, 0.3, 40), s * rng.lognormal(0, 0.3, 40))
    from guanghe.allocate.curves import Curves

    curves = Curves(inp.creator_id, fitted[0], fitted[1], inp.segment, fitted[0], fitted[1], fitted[0],
                    np.zeros(40), np.where(np.arange(40) % 2 == 0, 0.9, 0.0), np.where(np.arange(40) % 2 == 0, 9, 0))  # fmt: skip
    rows = np.flatnonzero(inp.eligible)
    a, big_s = planner.curves_of(inp, theta, s, rows)
    cap = inp.cap_per_day * work_days(inp.works_90d, inp.days)
    values = {}
    for p in planner.POLICIES:
        gmv = (fitted[0] * rng.lognormal(0, 1, 40), fitted[1])  # any other curves: a program planned on sales
        x = planner.plan_month(p, inp, curves, (theta, s), explore=0.1, today=rng.random(40), gmv=gmv)
        assert x.sum() <= inp.budget and np.all(x >= 0) and np.all(x == np.floor(x))
        assert np.all(x[~inp.eligible] == 0) and np.all(x <= cap + 1e-9)
        values[p] = float(np.sum(a * np.log1p(x[rows] / big_s)))
    assert all(values["oracle"] >= v * (1 - 1e-3) for v in values.values()), values
    # exploration: 10% of the budget, only to creators with fewer than 5 boosted work-days (the odd ones)
    probe = planner._probe(inp, curves, rows, 0.1 * inp.budget)
    assert probe.sum() == pytest.approx(0.1 * inp.budget)
    assert np.all(probe[(rows % 2 == 0)] == 0)


def test_delivery_through_the_serving_engine() -> None:
    cfg = SynthConfig(creators=300, months=1, seed=2)
    pop = population.build(cfg, cfg.seeds()[0])
    n = pop.size
    plan = np.zeros(n)
    plan[:20] = 30_000.0
    works = (
        np.arange(1, 601),
        pop.creator_id[np.arange(600) % n],
        pop.category[np.arange(600) % n].astype(int),
    )
    d = deliver(
        plan, pop.creator_id, works, __import__("datetime").date(2023, 1, 15), 31, Feed(day_quota=120), 1
    )
    assert 0 < d.day_attainment <= 1.0 and np.all((d.attainment >= 0) & (d.attainment <= 1))
    assert np.all(d.attainment[20:] == 1.0) and d.requests > 0 and 0 <= d.viewer_cost < 0.2
    none = deliver(
        np.zeros(n), pop.creator_id, works, __import__("datetime").date(2023, 1, 15), 31, Feed(), 1
    )
    assert none.requests == 0 and np.all(none.attainment == 1.0)


def test_closed_loop_budgets_oracle_and_page(small) -> None:
    r = small
    assert r.labels and len(r.labels) == SMALL.months
    for p, rows in r.months.items():
        for row in rows:
            assert row["planned"] <= r.budget and row["delivered"] <= row["planned"], (p, row)
            assert 0 <= row["viewer_cost"] < 0.2
        # the first month starts from the same state for every policy: the oracle's plan is worth the most
        assert r.months["oracle"][0]["planned_true_value"] >= rows[0]["planned_true_value"] * (1 - 1e-3), p
    # the same history and seed: the first month's activity is the same for every policy (common random
    # numbers); afterwards support lowers churn (synth.retention), so the better-growing policies retain more
    assert len({rows[0]["active"] for rows in r.months.values()}) == 1
    html = render(r)
    assert html.count('class="chart"') >= 12 and "planned on GMV" in html
    assert html.count('class="chart"') >= 10 and "echarts" in html.lower() and "optimal / oracle" in html
    json.dumps(r.to_dict())


def test_the_page_links_back_to_a_report_beside_it(small, tmp_path: Path) -> None:
    alone = write_page(small, tmp_path / "alone" / "guanghe-simulate.html").read_text(encoding="utf-8")
    assert "<nav>" not in alone
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "report.html").write_text(
        "<!doctype html>", encoding="utf-8"
    )  # the demo's report name
    html = write_page(small, tmp_path / "site" / "guanghe-simulate.html").read_text(encoding="utf-8")
    assert '<nav><a href="report.html">← Ecosystem report</a></nav>' in html


def test_retention_truth_by_hand() -> None:
    # 90 follows from boosts on 200 followers: g = 90 / (200 + 100) = 0.3, churn x exp(-0.9); none: x 1
    got = churn_multiplier(np.array([90.0, 0.0]), np.array([200.0, 5_000.0]))
    assert got == pytest.approx([np.exp(-0.9), 1.0])


def test_gmv_truth_and_the_gmv_planned_program(small) -> None:
    cfg = SynthConfig(creators=500, months=2, seed=4)
    pop = population.build(cfg, cfg.seeds()[0])
    t = gmv_truth(cfg, pop)
    seller = pop.is_ecommerce | pop.is_local_life
    assert np.all(t.conv[~seller] == 0) and np.all(t.phi[~seller] == 0) and np.all(t.conv[seller] > 0)
    assert np.array_equal(gmv_truth(cfg, pop).price, t.price)  # its own seed stream: deterministic
    # phi sigma ln(1 + x / sigma) by hand for one seller at x = sigma: phi sigma ln 2
    i = int(np.flatnonzero(seller)[0])
    got = t.boosted_orders(np.array([i]), np.array([t.sigma[i]]))
    assert got[0] == pytest.approx(t.phi[i] * t.sigma[i] * np.log(2.0))
    # the same budget planned on sales instead of follows buys more sales from boosts and fewer follows
    g, o = small.totals["gmv"], small.totals["optimal"]
    assert g["gmv_boost_expected_fen"] > 2 * o["gmv_boost_expected_fen"]
    assert g["boost_follows_expected"] < o["boost_follows_expected"]
    assert small.targets["gmv"]["gmv_planned_vs_follower_planned_boost_gmv"] > 2
    # allocate's rule for a program weighing gmv (sales per impression from the history, no boosted-sales
    # fit) does the same: more sales from boosts than the follower plan, fewer follows
    r = small.totals["gmv_rate"]
    assert r["gmv_boost_expected_fen"] > 2 * o["gmv_boost_expected_fen"]
    assert r["boost_follows_expected"] < o["boost_follows_expected"]


def test_same_seed_same_result_and_months_ingested(small, tmp_path: Path) -> None:
    again = simulate(SimConfig(**{**SMALL.__dict__, "policies": ("optimal", "uniform")}), keep=tmp_path)
    for p in ("optimal", "uniform"):
        assert again.months[p] == small.months[p]
    # each policy's months were ingested into its own warehouse: the works published are all there
    with open_warehouse(f"duckdb:///{tmp_path / 'optimal.duckdb'}", read_only=True) as wh:
        works = wh.fetch(wh.table("works").count().as_table()).column(0)[0].as_py()
        creators = wh.fetch(wh.table("creators").count().as_table()).column(0)[0].as_py()
    assert creators == SMALL.creators
    assert works > sum(row["works"] for row in small.months["optimal"])  # + the history's months


def test_cli_refuses_bad_input_and_writes_json_and_page(tmp_path: Path) -> None:
    runner = CliRunner()
    bad = runner.invoke(app, ["simulate", "--policy", "magic"])
    assert bad.exit_code == 2 and "unknown" in bad.output and len(bad.output.strip().splitlines()) == 1
    bad = runner.invoke(app, ["simulate", "--explore", "1.5"])
    assert bad.exit_code == 2
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("")
    bad = runner.invoke(app, ["simulate", "--keep", str(tmp_path / "full")])
    assert bad.exit_code == 2 and "not an empty folder" in bad.output
    bad = runner.invoke(app, ["simulate", "--policy", "explore", "--explore", "0"])
    assert bad.exit_code == 2 and "needs --explore" in bad.output
    out = tmp_path / "sim.html"
    ok = runner.invoke(app, ["simulate", "--policy", "uniform", "--months", "1", "--history", "2", "--creators",
                             "200", "--explore", "0", "--json", "--out", str(out)])  # fmt: skip
    assert ok.exit_code == 0, ok.output
    doc = json.loads(ok.output[ok.output.index("{") :])
    assert list(doc["months"]) == ["uniform", "today"] and out.is_file()
