"""Synthetic candidate pools with a realistic shape (for tests and benchmarks).

Prices are log-normal around a median of 3,000 CNY; expected reach grows a little slower than price (bigger
creators cost more per view) with log-normal noise; about 30 % of creators belong to one of ~200 MCNs, MCN
sizes heavy-tailed.
"""

from __future__ import annotations

import numpy as np

from guanghe.market.matching import Campaign, Pool


def generate(n: int, seed: int = 0, mcns: int = 200, mcn_share: float = 0.3) -> Pool:
    """n candidates: price ~ median 300,000 fen, reach ~ 100,000 at the median price, 30 % in MCNs."""
    rng = np.random.default_rng(seed)
    price = np.maximum(np.round(rng.lognormal(np.log(300_000), 1.0, n) / 100) * 100, 100).astype(np.int64)
    reach = 100_000 * (price / 300_000) ** 0.85 * rng.lognormal(0.0, 0.6, n)
    weights = rng.pareto(1.2, mcns) + 1.0
    mcn = np.where(rng.random(n) < mcn_share, 1 + rng.choice(mcns, n, p=weights / weights.sum()), 0)
    return Pool(np.arange(1, n + 1, dtype=np.int64) + 10_000_000, mcn, price, np.round(reach))


def campaign_for(pool: Pool, budget_share: float = 0.05, max_creators: int | None = 100,
                 max_per_mcn: int | None = 5) -> Campaign:  # fmt: skip
    """A campaign whose budget is `budget_share` of the whole pool's price."""
    return Campaign(int(budget_share * pool.price_fen.sum()), max_creators, max_per_mcn)
