"""The synthetic platform stepped one month at a time, with the boosts a policy delivered.

Everything but the boosts (and what they cause) is the generator's own model (``guanghe.synth``): who posts (``activity``), the
works, their organic traffic and organic follows (``traffic.work_days`` with no support), unfollows and the
follower counts (``followers.creator_days``). The boosts a policy delivered are spread over each creator's
boosted work-days (the first ``boost_days`` days of each work of the month) and answered by the generator's
true curve, ``Poisson(theta s ln(1 + x / s))`` per work-day (``synth.truth.true_follows``); they are watched
like organic impressions (plays, completed plays: the generator's rates), move sales (``synth.gmv``) and,
through the follows they bring, next month's retention (``synth.retention``).

Common random numbers: every policy's world draws the same activity, works and organic noise for a month (one
seed per month), and the boost noise from a stream of its own, so policies differ only by what they boost.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from guanghe.synth import activity, followers, population, traffic
from guanghe.synth.config import SynthConfig
from guanghe.synth.gmv import GmvTruth, gmv_truth
from guanghe.synth.retention import churn_multiplier
from guanghe.synth.truth import true_follows
from guanghe.synth.writer import to_table

TEN_K = 10_000


@dataclass
class MonthRows:
    """One month of work-day rows (the works published in the month, all their days)."""

    creator: np.ndarray  # creator index
    organic: np.ndarray
    boosted: np.ndarray
    follows: np.ndarray  # follows gained (organic + boosted)
    boost_follows: np.ndarray  # the boosted part (Poisson of the true curve)
    expected: np.ndarray  # its expectation (the true curve at the work-day's boost)
    plays: np.ndarray
    completed: np.ndarray
    orders: np.ndarray  # orders (organic + boosted; sellers only)
    gmv: np.ndarray  # fen: orders x the creator's order price


@dataclass
class MonthOutcome:
    """What a month did to the platform (per creator, aligned with the population)."""

    active: np.ndarray  # bool, posted this month
    works: np.ndarray  # works published
    boostable: np.ndarray  # boosted work-day slots (first boost_days days of each work)
    delivered: np.ndarray  # boosted impressions received
    gained: np.ndarray  # follows gained
    boost_follows: np.ndarray  # of which from boosts (realised)
    boost_expected: np.ndarray  # of which from boosts (expected under the truth)
    followers_start: np.ndarray
    followers_end: np.ndarray
    income_fen: np.ndarray  # ad-share income of the month's work-days (integer fen)
    gmv_fen: np.ndarray  # sales (fen) of the month's work-days
    gmv_boost_expected: np.ndarray  # of which from boosts, expected under the truth (fen)
    rows: MonthRows
    work_ids: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    work_creator: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    work_category: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    tables: dict[str, pa.Table] = field(default_factory=dict)  # the month as the platform exports it


class World:
    """One policy's copy of the platform: the population (shared, read-only) and its follower counts and
    activity, advanced by ``step``."""

    def __init__(self, cfg: SynthConfig, pop: population.Population) -> None:
        self.cfg, self.pop = cfg, pop
        self.gmv: GmvTruth = gmv_truth(cfg, pop)
        self.followers = pop.followers0.astype(np.int64).copy()
        self.active = pop.active0.copy()
        self.next_work = 1
        self.churn = pop.churn.copy()  # this month's churn probabilities (support lowers them: retention.py)

    def copy(self) -> World:
        w = World.__new__(World)
        w.cfg, w.pop, w.gmv = self.cfg, self.pop, self.gmv
        w.followers, w.active, w.next_work = self.followers.copy(), self.active.copy(), self.next_work
        w.churn = self.churn.copy()
        return w

    def step(self, month_index: int, plan: np.ndarray | None, boost_seed: tuple, *,
             generator_support: bool = False, attainment: np.ndarray | None = None) -> MonthOutcome:  # fmt: skip
        """Advance one month. ``plan``: boosted impressions per creator for the month (None: none);
        ``attainment``: the share of each creator's plan the feed could deliver (default 1).
        ``generator_support``: the generator's own random support instead (the history before the policies)."""
        cfg, pop = self.cfg, self.pop
        month = cfg.window()[month_index]
        rng = np.random.default_rng(cfg.seeds()[month_index + 1])
        self.active = activity.next_active(
            cfg, dataclasses.replace(pop, churn=self.churn), month, self.active, rng
        )
        works = activity.publish(cfg, pop, month, self.active, self.next_work, rng)
        self.next_work += len(works.work_id)
        n = pop.size
        none = (np.full(n, -1, np.int8), np.full(n, -1, np.int8), np.zeros(n))
        if generator_support:
            contracted = pop.mcn_id > 0
            support = traffic.supported(cfg, pop, self.followers, self.active, month, rng, contracted)
        else:
            support = none
        rows = traffic.work_days(cfg, pop, works, self.followers, support, 2**31 - 1, rng)[0]
        w = np.searchsorted(works.work_id, rows["work_id"])
        day = rows["date"] - works.day[w]
        c = rows["_cidx"]
        boosted = rows["boosted_impressions"].astype(np.int64)
        follows = rows["follows_gained"].astype(np.int64)
        slots = day < cfg.boost_days
        brng = np.random.default_rng(np.random.SeedSequence(list(boost_seed)))
        if generator_support:
            # the generator's own boosts: its follows already hold the Poisson draw of the true curve
            expected = np.where(boosted > 0, true_follows(pop.theta[c], pop.s[c], boosted.astype(float)), 0.0)
            boost_follows = np.round(expected).astype(np.int64)
        else:
            boosted = _spread(plan, attainment, c, slots, n, brng)
            expected = np.where(boosted > 0, true_follows(pop.theta[c], pop.s[c], boosted.astype(float)), 0.0)
            boost_follows = brng.poisson(expected)
            follows = follows + boost_follows
        start = self.followers.copy()
        flow = {"_cidx": c, "date": rows["date"].astype(np.int64), "follows_gained": follows}
        order = np.lexsort((flow["date"], c))
        flow = {k: v[order] for k, v in flow.items()}
        # Follower counts: the generator's unfollows, on the days of the month.
        month_days = flow["date"] <= month.last_day
        _, end = followers.creator_days(cfg, pop, month, {k: v[month_days] for k, v in flow.items()},
                                        start, rng)  # fmt: skip
        late = np.bincount(c[rows["date"] > month.last_day], follows[rows["date"] > month.last_day], n)
        self.followers = end + late.astype(np.int64)
        # Boosted impressions are watched like organic ones (the generator's plays per impression).
        q = pop.quality[c]
        plays = rows["plays"].astype(np.int64)
        completed = rows["completed_plays"].astype(np.int64)
        if not generator_support:
            more = (boosted * (0.35 + 0.3 * q) * brng.uniform(0.8, 1.2, c.size)).astype(np.int64)
            plays = plays + more
            completed = completed + (more * (0.15 + 0.5 * q) * brng.random(c.size)).astype(np.int64)
        income = _ad_income(cfg, plays, start[c])
        # Sales: the organic and boosted orders of the truth (a stream of their own).
        grng = np.random.default_rng(np.random.SeedSequence([*boost_seed, 9]))
        organic = rows["organic_impressions"].astype(np.int64)
        boost_orders = self.gmv.boosted_orders(c, boosted.astype(float))
        orders = grng.poisson(self.gmv.conv[c] * organic + boost_orders)
        gmv = orders * self.gmv.price[c].astype(np.int64)
        self.churn = pop.churn * churn_multiplier(np.bincount(c, boost_follows, n), start)
        mr = MonthRows(c, organic, boosted, follows, boost_follows, expected, plays, completed, orders, gmv)
        return MonthOutcome(
            active=self.active.copy(),
            works=np.bincount(works.cidx, minlength=n),
            boostable=np.bincount(c[slots], minlength=n),
            delivered=np.bincount(c, boosted, n).astype(np.int64),
            gained=np.bincount(c, follows, n).astype(np.int64),
            boost_follows=np.bincount(c, boost_follows, n).astype(np.int64),
            boost_expected=np.bincount(c, expected, n),
            followers_start=start,
            followers_end=self.followers.copy(),
            income_fen=np.bincount(c, income, n).astype(np.int64),
            gmv_fen=np.bincount(c, gmv, n).astype(np.int64),
            gmv_boost_expected=np.bincount(c, boost_orders * self.gmv.price[c], n),
            rows=mr,
            work_ids=works.work_id,
            work_creator=pop.creator_id[works.cidx],
            work_category=pop.category[works.cidx].astype(np.int64),
            tables={"works": works.table,
                    "work_daily": to_table("work_daily", {**rows, "boosted_impressions": boosted, "plays": plays,
                                                          "completed_plays": completed, "follows_gained": follows})},
        )  # fmt: skip


def _spread(plan, attainment, c, slots, n, rng) -> np.ndarray:
    """Each creator's delivered impressions (plan x attainment, rounded down) over its boosted work-days,
    in shares drawn lognormal(0.4) (the generator's day-to-day variation), each rounded down: never more
    than planned."""
    out = np.zeros(c.size, np.int64)
    if plan is None:
        return out
    att = np.ones(n) if attainment is None else np.clip(attainment, 0.0, 1.0)
    total = np.floor(np.asarray(plan, float) * att)
    idx = np.flatnonzero(slots & (total[c] > 0))
    if idx.size == 0:
        return out
    w = np.exp(0.4 * rng.standard_normal(idx.size))
    share = w / np.bincount(c[idx], w, n)[c[idx]]
    out[idx] = np.floor(total[c[idx]] * share).astype(np.int64)
    return out


def _ad_income(cfg: SynthConfig, plays: np.ndarray, followers: np.ndarray) -> np.ndarray:
    """Ad-share income of each work-day as if every creator were a 磁力万合 member: plays x ad_rate x CPM on
    work-days with at least ``ad_min_plays`` plays, times the tier's share (floored, fen)."""
    m, r = cfg.market, cfg.money
    gross = np.where(plays >= m.ad_min_plays, plays * m.ad_rate * m.ad_cpm_fen / 1000.0, 0.0)
    bps = np.select(
        [followers >= 1_000_000, followers >= TEN_K],
        [r.ad_share_bps["head"], r.ad_share_bps["waist"]],
        r.ad_share_bps["tail"],
    )
    return np.floor(np.floor(gross) * bps / 10_000).astype(np.int64)
