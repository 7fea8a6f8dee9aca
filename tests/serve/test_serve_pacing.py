"""The target curve and the PI controller tracking it."""

from __future__ import annotations

import random

import pytest

from guanghe.serve.pacing import DAY, Controller, Curve, Gains


def test_curve_is_the_cumulative_profile_reaching_one_at_the_horizon() -> None:
    flat = Curve(tuple([1.0] * 24), horizon_s=DAY)
    assert flat.share(0) == 0 and flat.share(6 * 3600) == pytest.approx(0.25) and flat.share(DAY) == 1
    assert flat.rate(100) == pytest.approx(1 / DAY)
    early = Curve(tuple([1.0] * 24), horizon_s=DAY / 2)
    assert (
        early.share(6 * 3600) == pytest.approx(0.5)
        and early.share(13 * 3600) == 1
        and early.rate(13 * 3600) == 0
    )
    two = Curve((3.0, 1.0, *[0.0] * 22), horizon_s=DAY)
    assert two.share(1800) == pytest.approx(0.375) and two.share(3600) == pytest.approx(0.75)


def simulate(opportunities_per_s: float, quota: int, seed: int = 1) -> tuple[int, float]:
    """A creator seen at a steady Poisson rate; returns (delivered, worst lag as a share of quota)."""
    rng, curve, g, ctl = random.Random(seed), Curve(), Gains(), Controller()
    t, delivered, worst = 0.0, 0, 0.0
    while True:
        t += rng.expovariate(opportunities_per_s)
        if t >= DAY:
            return delivered, worst
        if delivered < quota and rng.random() < ctl.update(t, quota, delivered, curve, g):
            delivered += 1
        if t > 3 * 3600:
            worst = max(worst, abs(delivered - quota * curve.share(t)) / quota)


@pytest.mark.parametrize(("rate", "quota"), [(0.5, 2_000), (0.2, 5_000), (0.05, 300), (1.0, 40)])
def test_controller_tracks_the_curve_and_hits_the_quota(rate: float, quota: int) -> None:
    delivered, worst = simulate(rate, quota)
    assert delivered == quota
    # cumulative delivery stays within 5% of the quota (or 3 impressions) of the target curve all day
    assert worst * quota < max(0.05 * quota, 3)
