"""What every money-event draw of a month needs: the creators' state at the month's start and common draws."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from guanghe.synth.config import DAY_US, Month, SynthConfig
from guanghe.synth.market import Market
from guanghe.synth.population import Population

Members = dict[str, np.ndarray]
_SALTS = ("brand_deal", "brand_orders")  # seasonal draws (``Moment.seasonal``)


def _splitmix64(x: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser: a well-mixed 64-bit hash of each uint64 (wrapping arithmetic)."""
    x = x + np.uint64(0x9E3779B97F4A7C15)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def poisson_from_uniform(u: np.ndarray, lam: np.ndarray | float) -> np.ndarray:
    """The Poisson(lam) quantile of u (inverse CDF; lam of a few units at most)."""
    lam = np.broadcast_to(np.asarray(lam, np.float64), u.shape)
    k = np.zeros(u.shape, np.int64)
    pmf = np.exp(-lam)
    cdf = pmf.copy()
    for i in range(1, 60):
        more = u > cdf
        if not more.any():
            break
        k += more
        pmf = pmf * lam / i
        cdf = cdf + pmf
    return k


@dataclass
class Moment:
    cfg: SynthConfig
    pop: Population
    month: Month
    followers: np.ndarray  # at the month's start
    active: np.ndarray  # posts this month
    earned: np.ndarray  # had a positive earning before this month
    member: Members  # program -> had a work_boost row of it this month
    rng: np.random.Generator
    adopt: dict[str, np.ndarray]  # channel -> per creator, a uniform drawn once: adopts while below P(adopt)

    @property
    def market(self) -> Market:
        return self.cfg.market

    @cached_property
    def end_us(self) -> int:
        """First microsecond after the window: later steps of an event are not in the data yet."""
        return (self.cfg.window()[-1].last_day + 1) * DAY_US

    @cached_property
    def trend(self) -> float:
        """exp(uptake_trend m): the calibrated drift of every channel's adoption."""
        return float(np.exp(self.cfg.uptake_trend * self.month.index))

    @cached_property
    def present(self) -> np.ndarray:
        return self.pop.join_month <= self.month.index

    @cached_property
    def money(self) -> float:
        """Amount multiplier of the month: exp(monetisation_trend m)."""
        return float(np.exp(self.cfg.monetisation_trend * self.month.index))

    @cached_property
    def size(self) -> np.ndarray:
        """((F + 1000) / 6000) ** amount_follower_exp: amounts grow slowly with the audience."""
        return ((self.followers + 1_000.0) / 6_000.0) ** self.market.amount_follower_exp

    def base(self, channel: str) -> np.ndarray:
        """The channel's base P(adopt) for each creator, interpolated on log10(followers): tail up to 1k,
        waist at 10k, head from 1M (no jump at a tier boundary)."""
        tail, waist, head = self.market.adoption[channel]
        return np.interp(np.log10(self.followers + 1.0), [3.0, 4.0, 6.0], [tail, waist, head])

    def adopted(self, channel: str, p: np.ndarray) -> np.ndarray:
        """Creators (existing this month) whose uniform for the channel is below min(0.95, p)."""
        return (self.adopt[channel] < np.minimum(0.95, p)) & self.present

    def earners(
        self, channel: str, p: np.ndarray, monthly: np.ndarray | float | None = None, seasonal: bool = False
    ) -> np.ndarray:
        """Indices of the adopters (P(adopt) = p) earning in the channel this month (P = ``monthly``, by
        default the channel's ``market.monthly``, x inactive_income in a month without works). ``seasonal``:
        the draw is the creator's uniform for this calendar month, the same every year (campaign calendars)."""
        rate = self.market.monthly[channel] if monthly is None else monthly
        active = np.where(self.active, 1.0, self.market.inactive_income)
        u = self.seasonal(channel) if seasonal else self.rng.random(self.pop.size)
        return np.flatnonzero(self.adopted(channel, p) & (u < rate * active))

    def seasonal(self, salt: str, cidx: np.ndarray | None = None) -> np.ndarray:
        """A uniform per creator (all, or ``cidx``) and calendar month (January..December), the same in every
        year of the window: a hash of (seed, salt, creator, calendar month)."""
        cidx = np.arange(self.pop.size, dtype=np.uint64) if cidx is None else cidx.astype(np.uint64)
        key = (cidx * np.uint64(16) + np.uint64(self.month.month)) * np.uint64(16) + np.uint64(
            _SALTS.index(salt)
        )
        h = _splitmix64(key ^ _splitmix64(np.uint64(self.cfg.seed) + np.zeros(1, np.uint64)))
        return (h >> np.uint64(11)).astype(np.float64) * 2.0**-53

    def times(self, cidx: np.ndarray) -> np.ndarray:
        """Uniform times (us) in the month, not before the creator joined."""
        m = self.month
        lo = np.maximum(self.pop.join_day[cidx].astype(np.int64), m.first_day) * DAY_US
        hi = (m.first_day + m.days) * DAY_US
        return lo + np.floor(self.rng.random(len(cidx)) * (hi - lo)).astype(np.int64)

    def lognormal(self, median: float, sigma: float, n: int) -> np.ndarray:
        return median * np.exp(sigma * self.rng.standard_normal(n))

    def fen(self, x: np.ndarray, least: int = 1) -> np.ndarray:
        """Amounts in integer fen (x the month's money multiplier), at least ``least``."""
        return np.maximum(least, np.floor(x * self.money)).astype(np.int64)

    def censor(self, us: np.ndarray) -> np.ndarray:
        """A step after the window has not happened yet: -1 (null)."""
        return np.where((us >= 0) & (us < self.end_us), us, -1)

    def months_from(self, label: str) -> int:
        """Signed months from the calendar month ``label`` (YYYY-MM) to this month."""
        y, mo = map(int, label.split("-"))
        return (self.month.year - y) * 12 + self.month.month - mo
