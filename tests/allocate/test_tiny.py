"""Hand-computable optima (f_i(X) = a_i ln(1 + X / s_i))."""

from __future__ import annotations

import math

import numpy as np
import pytest

from guanghe.allocate import solve
from guanghe.allocate.repair import violations

TAIL, HEAD = 2, 0


def _check(problem, result) -> None:
    assert violations(problem, result.x) == []
    assert result.gap <= 1e-4
    assert result.dual_bound >= result.value * (1 - 1e-12)
    assert result.value == pytest.approx(problem.value(result.x), rel=1e-12)


def test_one_creator_takes_the_budget(make) -> None:
    p = make([3.0], [2.0], [TAIL], [[True]], [6.0])
    r = solve(p)
    _check(p, r)
    assert r.x[0, 0] == pytest.approx(6.0, rel=1e-6)
    assert r.value == pytest.approx(3 * math.log(4), rel=1e-9)
    assert r.shadow_prices[0] == pytest.approx(3 / 8, rel=1e-3)  # f'(6)
    assert r.budget_binding.tolist() == [True]


def test_two_creators_equalise_marginals(make) -> None:
    # lambda = (a1 + a2) / (s1 + s2 + B) = 0.5; x_i = a_i / lambda - s_i = (3, 1).
    p = make([2.0, 1.0], [1.0, 1.0], [TAIL, TAIL], [[True], [True]], [4.0])
    r = solve(p)
    _check(p, r)
    np.testing.assert_allclose(r.x[:, 0], [3.0, 1.0], rtol=1e-3)
    np.testing.assert_allclose(r.marginal, [0.5, 0.5], rtol=1e-3)
    assert r.value == pytest.approx(2 * math.log(4) + math.log(2), rel=1e-6)


def test_cap_binds(make) -> None:
    p = make([2.0, 1.0], [1.0, 1.0], [TAIL, TAIL], [[True], [True]], [4.0], caps=[[2.0], [np.inf]])
    r = solve(p)
    _check(p, r)
    np.testing.assert_allclose(r.x[:, 0], [2.0, 2.0], rtol=1e-3)
    assert r.cap_binding[:, 0].tolist() == [True, False]
    assert r.budget_multipliers[0] == pytest.approx(1 / 3, rel=1e-3)  # the uncapped creator's f'(2)


def test_total_cap_binds_across_programs(make) -> None:
    # Creator 0 may take at most 2 over both programs; creator 1 absorbs the rest.
    p = make(
        [2.0, 1.0], [1.0, 1.0], [TAIL, TAIL], [[True, True], [True, True]], [2.0, 2.0], total_cap=[2.0, 9.0]
    )
    r = solve(p)
    _check(p, r)
    np.testing.assert_allclose(r.x.sum(axis=1), [2.0, 2.0], rtol=1e-3)
    assert r.total_cap_binding.tolist() == [True, False]


def test_tail_floor_binds_and_prices(make) -> None:
    # Without the floor x = (3, 1); a tail floor of 50% forces (2, 2): lambda = f1'(2) = 2/3,
    # lambda - mu = f2'(2) = 1/3, and dOPT/dB = 3 / (2 + B) = 0.5 = lambda - 0.5 mu.
    floors = [[0.0, 0.0, 0.5]]
    p = make([2.0, 1.0], [1.0, 1.0], [HEAD, TAIL], [[True], [True]], [4.0], floors=floors)
    r = solve(p)
    _check(p, r)
    np.testing.assert_allclose(r.x[:, 0], [2.0, 2.0], rtol=1e-3)
    assert r.floor_binding[0].tolist() == [False, False, True]
    assert r.budget_multipliers[0] == pytest.approx(2 / 3, rel=1e-3)
    assert r.floor_multipliers[0, 2] == pytest.approx(1 / 3, rel=1e-3)
    assert r.shadow_prices[0] == pytest.approx(0.5, rel=1e-3)


def test_diminishing_returns_across_programs(make) -> None:
    # One creator in two programs: one curve in the total, so X = 3 and both prices are f'(3) = 1/4.
    p = make([1.0], [1.0], [TAIL], [[True, True]], [1.0, 2.0])
    r = solve(p)
    _check(p, r)
    np.testing.assert_allclose(r.x[0], [1.0, 2.0], rtol=1e-6)
    assert r.value == pytest.approx(math.log(4), rel=1e-9)
    np.testing.assert_allclose(r.budget_multipliers, [0.25, 0.25], rtol=1e-3)


def test_budget_larger_than_all_caps_is_not_binding(make) -> None:
    p = make([1.0, 1.0], [1.0, 2.0], [TAIL, TAIL], [[True], [True]], [100.0], caps=[[3.0], [5.0]])
    r = solve(p)
    _check(p, r)
    np.testing.assert_allclose(r.x[:, 0], [3.0, 5.0], rtol=1e-9)
    assert r.budget_binding.tolist() == [False]
    assert r.budget_multipliers[0] == pytest.approx(0.0, abs=1e-12)
