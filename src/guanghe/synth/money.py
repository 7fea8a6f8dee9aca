"""The money events of each month, drawn from their own random streams (``SynthConfig.money_seeds``), and the
truth they imply (``earnings.Earnings``); what spans months (ad-share members, unsettled installments, ids)
lives here."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pyarrow as pa

from guanghe.data.money_schema import EVENT_TABLES
from guanghe.synth import ads, contracts, deals, orders
from guanghe.synth.config import PROGRAMS, Month, SynthConfig
from guanghe.synth.earnings import Earnings
from guanghe.synth.grants import Grants
from guanghe.synth.moment import Members, Moment
from guanghe.synth.population import Population
from guanghe.synth.traffic import Rows

EVENT_NAMES = tuple(t.name for t in EVENT_TABLES)
ADOPTING = ("ad_share", "brand_deal", "affiliate", "task", "local_life", "incentive")  # channels adopted


def members(rules_programs: tuple[str, ...], boosts: list[Rows], creators: int) -> Members:
    """Per program: creators with a work_boost row of it dated in the month (``boosts`` are those rows)."""
    out = {}
    for name in rules_programs:
        flag = np.zeros(creators, bool)
        code = PROGRAMS.index(name)
        for b in boosts:
            flag[b["_cidx"][b["program"] == code]] = True
        out[name] = flag
    return out


def adoption_uniforms(rng: np.random.Generator, n: int, rho: float, rho_ad: float) -> dict[str, np.ndarray]:
    """Per channel, a uniform per creator, correlated across channels (a creator who monetizes one way tends
    to monetize several): the rank of rho z + sqrt(1 - rho^2) e, z shared by a creator's channels; 磁力万合
    ("monetization for all") with the weaker correlation rho_ad."""
    z = rng.standard_normal(n)
    out = {}
    for channel in ADOPTING:
        r = rho_ad if channel == "ad_share" else rho
        x = r * z + np.sqrt(1 - r**2) * rng.standard_normal(n)
        rank = np.empty(n, np.int64)
        rank[np.argsort(x, kind="stable")] = np.arange(n)
        out[channel] = (rank + 0.5) / n
    return out


class Economy:
    def __init__(self, cfg: SynthConfig, pop: Population) -> None:
        self.cfg, self.pop = cfg, pop
        self.seeds = cfg.money_seeds()
        self.earnings = Earnings(cfg)
        rng = np.random.default_rng(self.seeds[0])
        self.contracts = contracts.draw(cfg, pop, rng)
        self.adopt = adoption_uniforms(
            rng, pop.size, cfg.market.adoption_correlation, cfg.market.ad_correlation
        )
        self.ad_members = np.zeros(pop.size, bool)
        self.grants = Grants(pop.size)
        self.next_id = dict.fromkeys(EVENT_NAMES, 1)

    def contracted(self, month: Month) -> np.ndarray:
        return self.contracts.contracted(month.first_day, month.last_day)

    def month(
        self, month: Month, followers: np.ndarray, active: np.ndarray, support: tuple, works_cidx: np.ndarray,
        works_day: np.ndarray, days: list[Rows], boosts: list[Rows],
    ) -> dict[str, pa.Table]:  # fmt: skip
        """The month's event tables. ``followers`` at the month's start; ``days`` and ``boosts`` are the
        work_daily and work_boost rows dated in the month; ``works_*`` the works published in it."""
        pop, e = self.pop, self.earnings
        # one stream per event table: a change in one channel's draws never shifts another's
        rngs = [np.random.default_rng(s) for s in self.seeds[1 + month.index].spawn(len(EVENT_NAMES))]
        base = Moment(
            self.cfg, pop, month, followers, active, e.earned_before(month.index),
            members(self.cfg.money.programs, boosts, pop.size), rngs[0], self.adopt,
        )  # fmt: skip
        mo = {name: replace(base, rng=rng) for name, rng in zip(EVENT_NAMES, rngs, strict=True)}
        ads.join(base, self.ad_members)
        out = {}
        day_rows = {k: np.concatenate([d[k] for d in days]) for k in ("work_id", "date", "plays", "_cidx")}
        out["ad_revenue"] = ads.ad_revenue(mo["ad_revenue"], e, self.ad_members, day_rows)
        out["ecommerce_orders"] = orders.ecommerce(
            mo["ecommerce_orders"], e, self.next_id["ecommerce_orders"]
        )
        out["local_life_orders"] = orders.local_life(
            mo["local_life_orders"], e, self.next_id["local_life_orders"]
        )
        out["mcn_contracts"] = self.contracts.table(
            month.first_day, month.last_day, self.next_id["mcn_contracts"]
        )
        out["cash_grants"] = self.grants.month(
            mo["cash_grants"], e, support, works_cidx, works_day, self.next_id["cash_grants"]
        )
        out["brand_orders"] = deals.brand_orders(mo["brand_orders"], e, self.next_id["brand_orders"])
        out["task_rewards"] = deals.task_rewards(mo["task_rewards"], e, self.next_id["task_rewards"])
        for name, table in out.items():
            self.next_id[name] += table.num_rows
        e.compact()
        return {name: out[name] for name in EVENT_NAMES}
