"""Certificates, monotonicity in the budget, shadow prices, and the sampled warm start at larger n."""

from __future__ import annotations

from dataclasses import replace
from itertools import pairwise

import numpy as np

from guanghe.allocate import solve
from guanghe.allocate.instances import generate
from guanghe.allocate.repair import violations


def test_more_budget_never_less_value() -> None:
    base = generate(2000, 5, seed=7)
    values = []
    for scale in (0.5, 1.0, 1.5, 2.0):
        r = solve(replace(base, budgets=base.budgets * scale))
        values.append((r.value, r.dual_bound))
    for (v1, _), (v2, b2) in pairwise(values):
        assert b2 >= v1  # rigorous: bound(B2) >= OPT(B2) >= OPT(B1) >= value(B1)
        assert v2 >= v1 * (1 - 1e-4)


def test_shadow_price_is_the_derivative_of_the_optimum() -> None:
    problem = generate(2000, 4, seed=8)
    r = solve(problem, tol=1e-6)
    for k in range(problem.k):
        h = 0.02 * problem.budgets[k]
        up, down = problem.budgets.copy(), problem.budgets.copy()
        up[k] += h
        down[k] -= h
        fd = (
            solve(replace(problem, budgets=up), tol=1e-7).value
            - solve(replace(problem, budgets=down), tol=1e-7).value
        ) / (2 * h)
        assert abs(r.shadow_prices[k] - fd) <= 0.02 * abs(fd) + 1e-12, (k, r.shadow_prices[k], fd)


def test_sampled_warm_start_at_larger_n() -> None:
    problem = generate(60_000, 6, seed=9, total_cap_scale=3.0)
    r = solve(problem)
    assert r.stats["warm_seconds"] > 0 and r.gap <= 1e-4
    assert violations(problem, r.x) == []
    np.testing.assert_allclose(r.marginal, problem.a / (problem.s + r.x.sum(axis=1)))
