"""Program rates (a program values creator i's outcomes at r[i, k] of the creator's own units): hand-computed
optima, rates of 1 equal to no rates, and agreement with HiGHS on large random instances."""

from __future__ import annotations

import numpy as np
import pytest

from guanghe.allocate import solve
from guanghe.allocate.exact import bracket
from guanghe.allocate.instances import generate
from guanghe.allocate.problem import AllocationProblem


def tiny(rate: np.ndarray, eligible: np.ndarray, budgets: list[float]) -> AllocationProblem:
    n, k = eligible.shape
    return AllocationProblem(
        a=np.ones(n), s=np.ones(n), tier=np.full(n, 2, np.int8), eligible=eligible,
        caps=np.where(eligible, 100.0, 0.0), budgets=np.array(budgets), floors=np.zeros((k, 3)), rate=rate,
    )  # fmt: skip


def test_rate_moves_the_optimum_by_hand() -> None:
    # max ln(1 + 2 x0) + ln(1 + x1), x0 + x1 = 3: 2 / (1 + 2 x0) = 1 / (1 + x1) -> x0 = x1 + 0.5 = 1.75
    p = tiny(np.array([[2.0], [1.0]]), np.ones((2, 1), bool), [3.0])
    x = solve(p, tol=1e-7).x[:, 0]
    assert x == pytest.approx([1.75, 1.25], abs=1e-3)
    # without the rate the two creators are equal: 1.5 each
    q = tiny(np.ones((2, 1)), np.ones((2, 1), bool), [3.0])
    assert solve(q, tol=1e-7).x[:, 0] == pytest.approx([1.5, 1.5], abs=1e-3)


def test_programs_saturate_a_creator_together_in_its_own_units() -> None:
    # creator 0 in P0 (rate 3, budget 1) and P1 (rate 1); creator 1 in P1 only (budget 2). P0 spends on
    # creator 0 alone: X0 = 3. P1: 1 / (1 + 3 + x01) < 1 / (1 + x11) for every split -> all of P1 to creator 1.
    elig = np.array([[True, True], [False, True]])
    p = tiny(np.array([[3.0, 1.0], [1.0, 1.0]]), elig, [1.0, 2.0])
    x = solve(p, tol=1e-7).x
    assert x == pytest.approx(np.array([[1.0, 0.0], [0.0, 2.0]]), abs=1e-3)
    # with rate 1 on P0, creator 0 reads X0 = 1 + x01: 1 / (2 + x01) = 1 / (1 + x11) -> x01 = 0.5, x11 = 1.5
    q = tiny(np.ones((2, 2)), elig, [1.0, 2.0])
    assert solve(q, tol=1e-7).x == pytest.approx(np.array([[1.0, 0.5], [0.0, 1.5]]), abs=1e-3)


def test_rates_of_one_change_nothing() -> None:
    base = generate(3000, k=6, seed=8)
    ones = AllocationProblem(base.a, base.s, base.tier, base.eligible, base.caps, base.budgets, base.floors,
                             names=base.names, rate=np.ones(base.eligible.shape))  # fmt: skip
    r0, r1 = solve(base), solve(ones)
    assert r1.value == pytest.approx(r0.value, rel=1e-4)
    assert np.abs(r1.x - r0.x).sum() <= 1e-3 * base.budgets.sum()


def test_rates_refuse_total_caps() -> None:
    with pytest.raises(ValueError, match="rate"):
        generate(200, k=3, seed=1, total_cap_scale=1.5, rate_sigma=0.5)


@pytest.mark.parametrize("seed, sigma", [(21, 0.5), (22, 1.2)])
def test_highs_brackets_our_value_with_rates(seed: int, sigma: float) -> None:
    problem = generate(2500, k=6, seed=seed, rate_sigma=sigma)
    ours = solve(problem)
    exact = bracket(problem, segments=40)
    assert ours.gap <= 1e-4
    assert exact.lower <= ours.dual_bound and ours.value <= exact.upper
    assert (exact.upper - exact.lower) / exact.upper <= 1e-3
    assert exact.lower * (1 - 1e-4) <= ours.value
    assert np.any(ours.floor_binding & (ours.floor_multipliers > 0))
    # the rates matter: the plan that ignores them is measurably worse on the rated objective
    blind = solve(generate(2500, k=6, seed=seed))
    assert problem.value(blind.x) < ours.value * (1 - 1e-3)


def test_big_problem_with_rates_certifies() -> None:
    # past the warm-start sample sizes: the sampled models carry the rates too
    problem = generate(60_000, k=6, seed=5, rate_sigma=0.8)
    r = solve(problem)
    assert r.gap <= 1e-4
    assert np.all(r.x.sum(axis=0) <= problem.budgets * (1 + 1e-9))
