"""Generator parameters as one dataclass, and the calendar of the generated window.

>>> [m.label for m in SynthConfig(months=3).window()]
['2023-04', '2023-05', '2023-06']
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from guanghe.synth.market import Market
from guanghe.synth.rules import MoneyRules

EPOCH = date(1970, 1, 1)
DAY_US = 86_400_000_000
PROGRAMS = ("general_support", "guanghe", "juguang", "feiniao", "ecom_tail", "brand_star", "xiaomai")

# The six calibrated knobs, each driving one seed figure (see docs/synth.md and calibrate.py).
KNOBS = {
    "joiner_share": "active_creators",
    "posting_trend": "works_published",
    "follow_scale": "active_creators_10k",
    "retention_trend": "creators_12_months",
    "monetisation_trend": "income_total_fen",  # income figures: from truth/earnings.parquet
    "uptake_trend": "creators_multi_income",
}


@dataclass(frozen=True)
class Month:
    index: int
    year: int
    month: int
    first_day: int  # days since 1970-01-01
    days: int

    @property
    def label(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def last_day(self) -> int:
        return self.first_day + self.days - 1


@dataclass(frozen=True)
class SynthConfig:
    """Every parameter of the synthetic platform; the calibrated knobs come first."""

    creators: int = 50_000  # creators that exist by the end of the window (initial base + joiners)
    months: int = 24
    seed: int = 7
    end: date = date(2023, 6, 30)  # last day of the window: the window is `months` whole months ending here

    # --- calibrated knobs (fitted by calibrate.py; see docs/synth.md) ---
    joiner_share: float = 0.1753  # share of all creators who join during the window
    posting_trend: float = 0.0007115  # monthly log-growth of every creator's posting rate
    follow_scale: float = 4.785  # multiplier on organic follows per impression
    retention_trend: float = 0.006709  # monthly log-decline of the churn-to-dormancy probability
    monetisation_trend: float = 0.00416  # monthly log-growth of every money amount (prices, orders, ads ...)
    uptake_trend: float = -0.028  # monthly log-growth of every channel's adoption probability

    # --- population ---
    joiner_trend: float = 0.01  # monthly log-growth of the number of joiners
    mcn_share: float = 0.12
    mcn_agencies: int = 400
    ecommerce_share: float = 0.08
    local_life_share: float = 0.03
    followers_median: float = 1500.0  # initial follower counts: lognormal
    followers_sigma: float = 2.2
    quality_beta: tuple[float, float] = (2.5, 4.0)  # content quality in (0, 1)

    # --- activity ---
    posting_median: float = 3.0  # works per active month: 1 + Poisson(rate); rate lognormal
    posting_sigma: float = 1.0
    posting_max: float = 80.0
    churn_beta: tuple[float, float] = (0.9, 3.5)  # per-creator monthly P(active -> dormant)
    return_beta: tuple[float, float] = (1.2, 6.0)  # per-creator monthly P(dormant -> active)
    joiner_active: float = 0.85  # P(a joiner posts in its joining month)
    kind_weights: tuple[float, float, float] = (0.85, 0.08, 0.07)  # short_video, live, image
    own_category: float = 0.85

    # --- traffic and followers ---
    reach_base: float = 120.0  # organic impressions of a work: (base + coef * F^exp) * viral * (0.5 + q)
    reach_coef: float = 3.0
    reach_exp: float = 0.9
    viral_sigma: float = 1.3
    life_p: float = 0.3  # days a work gets traffic: geometric, capped at life_max
    life_max: int = 28
    decay: float = 0.6  # day-over-day decay of a work's organic impressions
    follow_rate_median: float = 0.008  # organic follows per impression per unit quality
    follow_rate_sigma: float = 0.5
    follow_saturation: float = 100_000.0  # follows per impression fall as 1 / sqrt(1 + F / saturation)
    loss_rate: float = 0.0005  # mean share of followers lost on a day with activity

    # --- support programs and the true response curve follows(x) = theta * s * ln(1 + x / s) ---
    support_share: float = 0.06  # P(an active creator is supported in a month), before eligibility weights
    second_program: float = 0.15
    boost_days: int = 3
    boost_median: float = 3000.0  # boosted impressions per boosted work-day (creator-month budget)
    boost_sigma: float = 1.0
    theta_median: float = 0.03  # follows per boosted impression at small x, per unit quality
    theta_sigma: float = 0.3
    s_median: float = 5000.0
    s_sigma: float = 0.5

    # --- money events (market.py) and the money rules' numbers (rules.py, = examples/channels/*.toml) ---
    monetisation_sigma: float = 0.6  # per-creator propensity to earn, lognormal around 1
    market: Market = field(default_factory=Market)
    money: MoneyRules = field(default_factory=MoneyRules)

    def __post_init__(self) -> None:
        if self.creators < 1 or self.months < 1:
            raise ValueError(f"--creators and --months must be >= 1, got {self.creators} and {self.months}")
        if date.fromordinal(self.end.toordinal() + 1).day != 1:
            raise ValueError(
                f"--end: the window must end on the last day of a month, got {self.end.isoformat()}"
            )

    def window(self) -> list[Month]:
        """The `months` whole calendar months ending with the month of `end`."""
        out = []
        for i in range(self.months):
            back = self.months - 1 - i
            y, m = divmod(self.end.year * 12 + self.end.month - 1 - back, 12)
            first = date(y, m + 1, 1)
            ny, nm = divmod(y * 12 + m + 1, 12)
            days = (date(ny, nm + 1, 1) - first).days
            out.append(Month(i, y, m + 1, (first - EPOCH).days, days))
        return out

    def seeds(self) -> list[np.random.SeedSequence]:
        """One SeedSequence for the population, then one per month."""
        return np.random.SeedSequence(self.seed).spawn(self.months + 1)

    def money_seeds(self) -> list[np.random.SeedSequence]:
        """The money events' own streams (contracts, then one per month), apart from ``seeds()``: the other
        tables do not change when the money model does."""
        return [np.random.SeedSequence(self.seed, spawn_key=(1_000, i)) for i in range(self.months + 1)]

    def replace(self, **changes: object) -> SynthConfig:
        return dataclasses.replace(self, **changes)

    def to_json(self) -> str:
        d = dataclasses.asdict(self)
        d["end"] = self.end.isoformat()
        d["programs"] = list(PROGRAMS)
        return json.dumps(d, indent=2, sort_keys=True)
