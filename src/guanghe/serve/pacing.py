"""Pacing: each creator's daily quota follows the traffic profile; a PI controller per creator sets how
often its works are boosted so that delivery tracks that target curve.

Target: T(t) = Q · C(t), C the cumulative hourly profile (linear within an hour), reaching 1 at the
horizon (23:30 UTC by default, so the last half hour absorbs the controller's lag). The controller runs
on a creator's opportunities (an eligible candidate seen), at most once per ``step_s``:

    need  = Q · C'(t)                      impressions per second the curve asks for now
    o     = EWMA of opportunities per second (time constant ``tau_s``)
    e     = (T(t) − D) / (Q / 24)          hours of average delivery behind (+) or ahead (−)
    I     = clamp(I + e · dt_hours, ±i_max) (anti-windup)
    p     = clamp((need / o) · (1 + kp · e + ki · I), 0, 1)

need/o is the feed-forward (the share of opportunities the curve needs), the PI term corrects it. Between
updates (and before the first rate estimate) a creator ahead of its curve by more than ``slack`` of the
quota is not boosted, and before the first estimate it follows the curve unit by unit. In the
last ``catch_up_s`` before the horizon a creator still short of its quota is boosted at every chance.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from guanghe.programs.hours import PROFILES

DAY = 86_400.0


class Curve:
    """Cumulative share of a day's quota due by a second of the day (UTC)."""

    def __init__(
        self, weights: tuple[float, ...] = PROFILES["audience"], horizon_s: float = DAY - 1800
    ) -> None:
        total = float(sum(weights))
        self.weights = [w / total for w in weights]
        self.cum = [0.0]
        for w in self.weights:
            self.cum.append(self.cum[-1] + w)
        self.horizon_s = horizon_s
        self.scale = 1.0 / self._raw(horizon_s)

    def _raw(self, s: float) -> float:
        h = min(int(s // 3600), 23)
        return self.cum[h] + self.weights[h] * (s - h * 3600) / 3600

    def share(self, s: float) -> float:
        """C(s): share of the quota due by second ``s`` of the day."""
        return 1.0 if s >= self.horizon_s else max(0.0, self._raw(s) * self.scale)

    def rate(self, s: float) -> float:
        """C'(s): share per second."""
        if s >= self.horizon_s:
            return 0.0
        return self.weights[min(max(int(s // 3600), 0), 23)] * self.scale / 3600


@dataclass
class Gains:
    kp: float = 0.8
    ki: float = 0.3
    i_max: float = 3.0
    step_s: float = 30.0
    tau_s: float = 1800.0
    slack: float = 0.02  # ahead of the curve by more than this share of the quota: no boost
    catch_up_s: float = 3600.0  # before the horizon: boost whatever is behind at every chance


class Controller:
    """One creator's PI state."""

    __slots__ = ("integ", "last", "opp", "p", "rate")

    def __init__(self) -> None:
        self.p, self.integ, self.rate, self.opp, self.last = 1.0, 0.0, 0.0, 0, -1.0

    def update(self, s: float, quota: int, delivered: int, curve: Curve, g: Gains) -> float:
        """Count an opportunity at second ``s`` of the day; return the boost probability."""
        self.opp += 1
        if self.last < 0:
            self.last = s
        dt = s - self.last
        if dt < g.step_s or self.rate == 0.0:
            target = quota * curve.share(s)
            if delivered > target + max(1.0, g.slack * quota):
                return 0.0  # ahead of the curve: hold until it catches up
            if self.rate == 0.0 and dt < g.step_s:
                return 1.0 if delivered < target - 0.5 else 0.0  # no rate yet: follow the curve, unit by unit
            if dt < g.step_s:
                return self.p
        a = 1.0 - math.exp(-dt / g.tau_s)
        observed = self.opp / dt
        self.rate = observed if self.rate == 0.0 else self.rate + a * (observed - self.rate)
        self.opp, self.last = 0, s
        e = (quota * curve.share(s) - delivered) / max(quota / 24.0, 1.0)
        self.integ = min(max(self.integ + e * dt / 3600.0, -g.i_max), g.i_max)
        if s >= curve.horizon_s - g.catch_up_s and delivered < quota:
            self.p = 1.0  # the last stretch: whatever is still owed goes out at every chance
            return self.p
        need = quota * curve.rate(s)
        ff = need / self.rate if self.rate > 0 else 1.0
        self.p = min(max(ff * (1.0 + g.kp * e + g.ki * self.integ), 0.0), 1.0)
        return self.p
