"""Programs planned on their own ``[outcome]`` weights: the same e-commerce budget planned on GMV raises the
generator's true GMV more than planned on follows (and follows less), on the small platform; a weighed
outcome the warehouse cannot measure is refused."""

from __future__ import annotations

import dataclasses
import shutil

import numpy as np
import pyarrow.parquet as pq
import pytest
from synth_platform import AS_OF, CREATORS, plan_rows, small_platform
from typer.testing import CliRunner

from guanghe.allocate import outcomes
from guanghe.allocate.plan import make_plan
from guanghe.cli import app
from guanghe.data.warehouse.duckdb import DuckDBWarehouse
from guanghe.programs import PROGRAMS_DIR, load_programs


def _program(weights: dict[str, float]):
    p = next(p for p in load_programs(PROGRAMS_DIR, platform_creators=CREATORS) if p.name == "ecom_tail")
    budget = {"impressions": p.budget["impressions"]}  # one budget kind: the impressions curve
    return dataclasses.replace(p, budget=budget, outcome={o: weights.get(o, 0.0) for o in p.outcome})


def test_each_program_is_planned_on_its_own_weights(tmp_path_factory) -> None:
    """The same e-commerce budget planned on GMV goes to the creators who sell more per impression (and buys
    fewer fitted follows) than planned on follower growth; follower weights alone keep the plain curve.
    (The generator's orders follow audience size, not impressions, so no GMV truth applies to this platform:
    that comparison is the simulation's, ``guanghe simulate``, whose sales do follow impressions.)"""
    p = small_platform(tmp_path_factory)
    with DuckDBWarehouse(str(p.root / "wh.duckdb"), read_only=True) as wh:
        tables = wh.tables()
        plans = {w: make_plan(tables, [_program({w: 1.0})], AS_OF, w) for w in ("gmv", "follower_growth")}
        pl = plans["gmv"].platform
        rates = outcomes.load_rates(tables, pl.creator_id, pl.followers, AS_OF, {"gmv"})
    assert plans["gmv"].kinds["impressions"].problem.rate is not None
    assert plans["follower_growth"].kinds["impressions"].problem.rate is None  # the plain curve, unchanged
    x = {w: pl.kinds["impressions"].amounts[:, 0].astype(float) for w, pl in plans.items()}
    assert x["gmv"].sum() == x["follower_growth"].sum() > 0  # the same budget, all spent
    sells = {w: float(np.sum(v * rates.rates["gmv"]) / v.sum()) for w, v in x.items()}  # fen per impression
    plain = plans["follower_growth"].kinds["impressions"].problem  # the fitted follower curves
    follows = {w: plain.value(v[:, None]) for w, v in x.items()}
    print(f"fen sold per impression {sells}, fitted follows {follows}")
    assert sells["gmv"] >= 1.5 * sells["follower_growth"]
    assert follows["follower_growth"] > follows["gmv"]
    ix = np.argsort(-rates.rates["gmv"] * pl.eligible[:, 0])[:5]  # the best sellers get GMV support
    assert np.all(x["gmv"][ix] > 0)


def test_a_weighed_outcome_without_data_is_refused(tmp_path_factory, tmp_path) -> None:
    p = small_platform(tmp_path_factory)
    db = tmp_path / "copy.duckdb"
    shutil.copy(p.root / "wh.duckdb", db)
    import duckdb

    con = duckdb.connect(str(db))
    con.execute("DELETE FROM income")  # as before `guanghe money accrue` ran
    con.close()
    r = CliRunner().invoke(app, ["allocate", "-w", f"duckdb:///{db}", "--plan-id", "x"])
    assert r.exit_code == 2, r.output
    assert "weighs income" in r.output and "guanghe money accrue" in r.output
    assert plan_rows(db, "x") == 0


def test_program_rates_by_hand() -> None:
    """Two programs, three creators: v_ik = sum_o w_ko q_io / mean_o; ref = budget-weighted mean of v over the
    programs a creator is in; r = v / ref; scale = theta_bar ref / theta."""
    follows = np.array([1.0, 2.0, 3.0])  # mean 2
    rates = outcomes.OutcomeRates({"followers": np.zeros(3), "gmv": np.array([0.0, 3.0, 6.0])})  # mean 3
    elig = np.array([[True, True], [True, False], [False, True]])
    progs = [_program({"follower_growth": 1.0}), _program({"gmv": 0.5, "follower_growth": 0.5})]
    r, scale = outcomes.program_rates(progs, elig, np.array([1.0, 3.0]), rates, follows)
    v = np.array([[0.5, 0.25], [1.0, 1.0], [1.5, 1.75]])  # follows/2 ; 0.5 gmv/3 + 0.5 follows/2
    v[0, 1] = 0.25  # creator 0: no sales, half its follower value
    ref = np.array([(1 * 0.5 + 3 * 0.25) / 4, 1.0, 1.75])
    assert r[elig] == pytest.approx((v / ref[:, None])[elig])
    assert scale == pytest.approx(2.0 * ref / follows)


def test_outcome_rates_read_the_ledger_and_orders(tmp_path_factory) -> None:
    """income and gmv per impression over 90 days equal a direct recount of the warehouse's rows."""
    p = small_platform(tmp_path_factory)
    with DuckDBWarehouse(str(p.root / "wh.duckdb"), read_only=True) as wh:
        tables = wh.tables()
        ids = np.sort(
            pq.read_table(p.truth / "creators.parquet", columns=["creator_id"]).column(0).to_numpy()
        )
        got = outcomes.load_rates(tables, ids, np.zeros(ids.size), AS_OF, {"gmv", "income"})
    import duckdb

    con = duckdb.connect(str(p.root / "wh.duckdb"), read_only=True)
    try:
        imp = dict(con.execute(
            "SELECT w.creator_id, sum(d.organic_impressions + d.boosted_impressions) FROM work_daily d JOIN works w "
            "USING (work_id) WHERE d.date > DATE '2023-04-01' AND d.date <= DATE '2023-06-30' GROUP BY 1"
        ).fetchall())  # fmt: skip
        sales = dict(con.execute(
            "SELECT creator_id, sum(amount_fen - refund_fen) FROM (SELECT creator_id, amount_fen, refund_fen, paid_at "
            "FROM ecommerce_orders UNION ALL SELECT creator_id, amount_fen, refund_fen, paid_at FROM local_life_orders) "
            "WHERE paid_at >= TIMESTAMP '2023-04-02' AND paid_at < TIMESTAMP '2023-07-01' GROUP BY 1"
        ).fetchall())  # fmt: skip
        earned = dict(con.execute(
            "SELECT creator_id, sum(amount_fen) FROM income WHERE line = 'earning' AND channel IN ('ad_share', "
            "'brand_deal', 'affiliate', 'local_life') AND occurred_at >= TIMESTAMP '2023-04-02' AND occurred_at < "
            "TIMESTAMP '2023-07-01' GROUP BY 1"
        ).fetchall())  # fmt: skip
    finally:
        con.close()
    k = outcomes.PRIOR_IMPRESSIONS
    n_imp = np.array([imp.get(i, 0) for i in ids], float)
    raw = {
        "gmv": np.array([sales.get(i, 0) for i in ids], float),
        "income": np.array([earned.get(i, 0) for i in ids], float),
    }
    assert np.count_nonzero(raw["gmv"]) > 50 and np.count_nonzero(raw["income"]) > 50
    pooled = {o: raw[o].sum() / n_imp.sum() for o in raw}
    want_gmv = (raw["gmv"] + k * pooled["gmv"]) / (n_imp + k)
    want_inc = (raw["income"] + k * pooled["income"]) / (n_imp + k)
    assert got.rates["gmv"] == pytest.approx(want_gmv, rel=1e-9)
    assert got.rates["income"] == pytest.approx(want_inc, rel=1e-9)
