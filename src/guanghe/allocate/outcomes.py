"""What each outcome a program can weigh is worth per boosted impression, per creator, and the program rates
that plan each program on its own ``[outcome]`` weights.

Per creator i and outcome o a rate q_io per boosted impression, from observable history only:

- follower_growth: theta_i, the follower curve's slope at 0 (``allocate.curves``; the segment's for cash);
- retention: theta_i / (followers_i + RETENTION_FLOOR), the share of its audience one boosted impression adds
  (audience growth from support keeps a creator posting, and a small audience gains the most from it);
- income: its earnings from the audience (``income`` rows of line ``earning`` in the ad-share, brand-deal,
  affiliate and local-life channels: not tasks or incentives, which support pays) over the last OUTCOME_DAYS
  days / its impressions over the same days;
- gmv: its sales (``ecommerce_orders`` and ``local_life_orders``: paid amount minus refunds) over the same
  days / its impressions. The history does not attribute sales to boosts, so a boosted impression is assumed
  to sell as the creator's average impression does.

Income and gmv rates are shrunk towards the platform's pooled rate by PRIOR_IMPRESSIONS impressions of
prior weight (``per_impression``).

Each outcome's rates are divided by their mean over the creators eligible for a program of the budget kind
(n_io; 1 is the average creator), so weights combine outcomes in unlike units. Program k's value of creator i
is v_ik = sum_o w_ko n_io (floored at VALUE_FLOOR); the creator's reference value v_i is the budget-weighted
mean of v_ik over the programs it is eligible for. The creator keeps one curve, in its own units:
F_i = theta_bar v_i S_i ln(1 + sum_k r_ik x_ik / S_i) with r_ik = v_ik / v_i, so one impression of program k
is worth theta_bar v_ik at the start (theta_bar: the mean follower rate) and all programs saturate the creator
together. With follower growth as every program's only outcome r = 1 and a_i = theta_i S_i: the plain curve.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import ibis
import numpy as np

from guanghe.programs import Program
from guanghe.programs.catalog import OUTCOMES
from guanghe.programs.ibis_util import UTC_ZONE, day, ts_in

OUTCOME_DAYS = 90
RETENTION_FLOOR = 100.0  # followers added to the audience in the retention rate (a new creator's is ~0)
PRIOR_IMPRESSIONS = 20_000.0  # impressions of prior weight on the pooled rate (income and gmv per impression)
VALUE_FLOOR = 1e-4  # the least value a program has for an eligible creator (an average creator is 1)
FOLLOWERS_ONLY = {"follower_growth": 1.0}
SALES_TABLES = ("ecommerce_orders", "local_life_orders")
EARNED = (
    "ad_share",
    "brand_deal",
    "affiliate",
    "local_life",
)  # income the audience earns (not task or incentive)
HINT = {"income": " (income rows are the ledger's export: run `guanghe money accrue` first)"}


def weights(program: Program) -> dict[str, float]:
    """The program's outcome weights; a program without an ``[outcome]`` table values follower growth."""
    w = {o: float(v) for o, v in program.outcome.items() if v > 0}
    return w or dict(FOLLOWERS_ONLY)


def follower_only(programs: list[Program]) -> bool:
    return all(weights(p) == FOLLOWERS_ONLY for p in programs)


def needed(programs: list[Program]) -> set[str]:
    return {o for p in programs for o in weights(p)}


def history_amounts(
    tables: dict[str, ibis.Table], as_of: date, outcomes: set[str], zone: ZoneInfo = UTC_ZONE
) -> dict[str, ibis.Table]:
    """outcome -> (creator_id, amount) over the OUTCOME_DAYS days to ``as_of``: income earned, sales net of
    refunds. A ValueError names what is missing when a weighed outcome has no table in the warehouse."""
    first = as_of - timedelta(days=OUTCOME_DAYS - 1)
    out: dict[str, ibis.Table] = {}
    if "income" in outcomes:
        if "income" not in tables:
            raise ValueError("a program weighs income, but the warehouse has no income table (load the money "
                             "export with `guanghe ingest`, or run `guanghe money accrue`)")  # fmt: skip
        t = tables["income"]
        t = t.filter(
            (t.line == "earning") & t.channel.isin(EARNED) & ts_in(t.occurred_at, first, as_of, zone)
        )
        out["income"] = t.group_by("creator_id").aggregate(amount=t.amount_fen.sum().cast("float64"))
    if "gmv" in outcomes:
        have = [n for n in SALES_TABLES if n in tables]
        if not have:
            raise ValueError("a program weighs gmv, but the warehouse has neither " + " nor ".join(SALES_TABLES)
                             + " (load the money export with `guanghe ingest`)")  # fmt: skip
        parts = []
        for name in have:
            t = tables[name]
            t = t.filter(ts_in(t.paid_at, first, as_of, zone))
            parts.append(t.select("creator_id", amount=(t.amount_fen - t.refund_fen).cast("float64")))
        u = ibis.union(*parts) if len(parts) > 1 else parts[0]
        out["gmv"] = u.group_by("creator_id").aggregate(amount=u.amount.sum())
    return out


def impressions(tables: dict[str, ibis.Table], as_of: date) -> ibis.Table:
    """(creator_id, impressions) over the OUTCOME_DAYS days to ``as_of`` (organic and boosted)."""
    wd = tables["work_daily"]
    wd = wd.filter((wd.date > day(as_of - timedelta(days=OUTCOME_DAYS))) & (wd.date <= day(as_of)))
    wd = wd.join(tables["works"].select("work_id", "creator_id"), "work_id")
    return wd.group_by("creator_id").aggregate(
        impressions=(wd.organic_impressions + wd.boosted_impressions).sum().cast("float64")
    )


@dataclass(frozen=True)
class OutcomeRates:
    """Per creator (aligned with the platform) and outcome: the rate per boosted impression, q_io."""

    rates: dict[str, np.ndarray]

    def rate(self, outcome: str, follows: np.ndarray) -> np.ndarray:
        """The outcome's rate; follower growth and retention read the kind's follower slope ``follows``."""
        if outcome == "follower_growth":
            return follows
        if outcome == "retention":
            return follows / (self.rates["followers"] + RETENTION_FLOOR)
        return self.rates[outcome]


def load_rates(
    tables: dict[str, ibis.Table], creator_id: np.ndarray, followers: np.ndarray, as_of: date,
    outcomes: set[str], zone: ZoneInfo = UTC_ZONE,
) -> OutcomeRates:  # fmt: skip
    """The history's rates for ``outcomes`` (income and gmv per impression), aligned with ``creator_id``."""
    rates: dict[str, np.ndarray] = {"followers": followers.astype(float)}
    amounts = history_amounts(tables, as_of, outcomes, zone)
    if amounts:
        imp = _aligned(impressions(tables, as_of), creator_id, "impressions")
        for o, t in amounts.items():
            rates[o] = per_impression(_aligned(t, creator_id, "amount"), imp)
    return OutcomeRates(rates)


def per_impression(amount: np.ndarray, impressions: np.ndarray) -> np.ndarray:
    """(amount_i + K m) / (impressions_i + K): each creator's amount per impression shrunk towards the pooled
    rate m = sum amount / sum impressions by K = PRIOR_IMPRESSIONS impressions of prior weight (one sale over
    a few impressions is not a rate)."""
    pooled = float(amount.sum()) / max(float(impressions.sum()), 1.0)
    return (amount + PRIOR_IMPRESSIONS * pooled) / (impressions + PRIOR_IMPRESSIONS)


def _aligned(t: ibis.Table, creator_id: np.ndarray, col: str) -> np.ndarray:
    a = t.to_pyarrow()
    ids = a.column("creator_id").to_numpy().astype(np.int64)
    vals = a.column(col).to_numpy(zero_copy_only=False).astype(float)
    out = np.zeros(creator_id.size)
    pos = np.searchsorted(creator_id, ids)
    ok = (pos < creator_id.size) & (creator_id[np.minimum(pos, creator_id.size - 1)] == ids)
    np.add.at(out, pos[ok], np.nan_to_num(vals[ok]))
    return out


def program_rates(
    programs: list[Program], eligible: np.ndarray, budgets: np.ndarray, rates: OutcomeRates,
    follows: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """(r (n, K), scale (n,)) for the programs of one budget kind (``eligible`` (n, K), their ``budgets``):
    the creator's curve is scaled by ``scale`` = theta_bar v_i / theta_i (so a_i -> scale a_i) and program k's
    units count r_ik in it. A ValueError names an outcome that no eligible creator has any of."""
    n, k = eligible.shape
    anyone = eligible.any(axis=1)
    if (
        not anyone.any()
    ):  # nobody to plan: the plain curve (what else is wrong is the feasibility check's to say)
        return np.ones((n, k)), np.ones(n)
    normal: dict[str, np.ndarray] = {}
    for o in sorted({o for p in programs for o in weights(p)}):
        q = rates.rate(o, follows)
        mean = float(q[anyone].mean())
        if not mean > 0:
            users = ", ".join(p.name for p in programs if o in weights(p))
            raise ValueError(f"{users}: weighs {o}, but no eligible creator has any {o} in the "
                             f"{OUTCOME_DAYS} days before the plan day: nothing to plan it on"
                             + HINT.get(o, ""))  # fmt: skip
        normal[o] = q / mean
    v = np.stack([sum(w * normal[o] for o, w in weights(p).items()) for p in programs], axis=1) if k else \
        np.zeros((n, 0))  # fmt: skip
    v = np.maximum(v, VALUE_FLOOR)
    share = eligible * budgets[None, :]  # the kind's programs all have a budget > 0
    total = share.sum(axis=1)
    ref = np.maximum(
        np.where(total > 0, np.sum(share * v, axis=1) / np.maximum(total, 1e-300), 1.0), VALUE_FLOOR
    )
    theta_bar = float(follows[anyone].mean())
    scale = theta_bar * ref / np.maximum(follows, 1e-300)
    return v / ref[:, None], scale


__all__ = ["OUTCOMES", "OutcomeRates", "follower_only", "load_rates", "needed", "program_rates", "weights"]
