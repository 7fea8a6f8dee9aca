"""Brand deals (磁力聚星 商单) and task-center rewards (任务中心): one row per completed order or task."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from guanghe.data.schema import TABLES
from guanghe.synth import rulebook
from guanghe.synth.arrow import timestamps
from guanghe.synth.earnings import Earnings
from guanghe.synth.moment import Moment, poisson_from_uniform


def brand_orders(mo: Moment, e: Earnings, first_id: int) -> pa.Table:
    """Deals grow faster than the rest (brand_trend, brand_orders_trend: Q2 orders x2 YoY) while prices drift
    down as they reach smaller creators; the advertisers active in a month grow by advertiser_trend (June +40% YoY)."""
    mk, pop, rng, m = mo.market, mo.pop, mo.rng, mo.month.index
    p = mo.base("brand_deal") * pop.monetisation * np.exp(mk.brand_trend * m)
    idx = mo.earners("brand_deal", p, seasonal=True)  # brands plan campaigns by season (618, Double 11 ...)
    lam = mk.brand_extra * np.exp(mk.brand_orders_trend * m)
    cidx = np.repeat(idx, 1 + poisson_from_uniform(mo.seasonal("brand_orders", idx), lam))
    done = mo.times(cidx)
    order = np.argsort(done, kind="stable")
    cidx, done = cidx[order], done[order]
    n = len(cidx)
    price = mk.brand_price_fen * mo.size[cidx] * np.exp(-mk.brand_price_drift * m)
    price = mo.fen(price * np.exp(mk.brand_sigma * rng.standard_normal(n)), least=100)
    brands = max(1, round(mo.cfg.creators * mk.advertisers_per_creator * np.exp(mk.advertiser_trend * m)))
    rulebook.brand_deal(e, mo.cfg.money, cidx, done, price, mo.member)
    return pa.Table.from_arrays(
        [
            pa.array(np.arange(first_id, first_id + n, dtype=np.int64)),
            pa.array(1 + np.floor(brands * rng.random(n)).astype(np.int64)),
            pa.array(pop.creator_id[cidx]),
            pa.array(price),
            timestamps(done),
        ],
        schema=TABLES["brand_orders"].arrow_schema(),
    )


def task_rewards(mo: Moment, e: Earnings, first_id: int) -> pa.Table:
    """The month's tasks each pay one reward; a creator completes distinct tasks (1 + Poisson(task_extra))."""
    mk, pop, rng = mo.market, mo.pop, mo.rng
    tasks = mk.tasks_per_month
    reward_of = mo.fen(mo.lognormal(mk.task_reward_fen, 0.4, tasks))
    idx = mo.earners("task", mo.base("task") * np.sqrt(pop.monetisation) * mo.trend)
    counts = np.minimum(1 + rng.poisson(mk.task_extra, len(idx)), tasks)
    cidx = np.repeat(idx, counts)
    start = np.repeat(rng.integers(0, tasks, len(idx)), counts)
    k = (start + np.arange(len(cidx)) - np.repeat(np.cumsum(counts) - counts, counts)) % tasks
    done = mo.times(cidx)
    order = np.argsort(done, kind="stable")
    cidx, k, done = cidx[order], k[order], done[order]
    reward = reward_of[k]
    names = pa.array([f"{mo.month.label}-T{i:02d}" for i in range(tasks)], pa.string())
    rulebook.task(e, cidx, done, reward)
    return pa.Table.from_arrays(
        [
            pa.array(np.arange(first_id, first_id + len(cidx), dtype=np.int64)),
            names.take(pa.array(k.astype(np.int32))),
            pa.array(pop.creator_id[cidx]),
            timestamps(done),
            pa.array(reward),
        ],
        schema=TABLES["task_rewards"].arrow_schema(),
    )
