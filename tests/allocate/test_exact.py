"""Agreement with an independent exact solver: HiGHS on chord (lower) and tangent (upper) piecewise LPs."""

from __future__ import annotations

import numpy as np
import pytest

from guanghe.allocate import solve
from guanghe.allocate.exact import bracket
from guanghe.allocate.instances import generate

FLOORS = np.array([[0.0, 0.5, 0.4], [0.0, 0.0, 0.5], [0.0, 0.5, 0.0], [0.0, 0.3, 0.3]])

CASES = {
    # name: (generate kwargs, which constraint kinds must bind)
    "default tail floors": ({"n": 3000, "k": 6, "seed": 3}, {"floor"}),
    "tight caps, waist floors": (
        {"n": 2500, "k": 4, "seed": 4, "cap_scale": 0.7, "floors": FLOORS, "per_creator": 1000.0},
        {"cap", "floor"},
    ),
    "total caps": ({"n": 2500, "k": 6, "seed": 5, "total_cap_scale": 1.5}, {"total", "floor"}),
}


@pytest.mark.parametrize("name", list(CASES))
def test_highs_brackets_our_value(name: str) -> None:
    kwargs, must_bind = CASES[name]
    problem = generate(**kwargs)
    ours = solve(problem)
    exact = bracket(problem, segments=40)
    assert ours.gap <= 1e-4
    assert exact.lower <= ours.dual_bound and ours.value <= exact.upper  # weak duality both ways
    assert (exact.upper - exact.lower) / exact.upper <= 1e-3  # the bracket is within 0.1%
    assert exact.lower * (1 - 1e-4) <= ours.value  # and ours is in it (up to our certified gap)
    if "floor" in must_bind:
        assert np.any(ours.floor_binding & (ours.floor_multipliers > 0))
    if "cap" in must_bind:
        assert ours.cap_binding.sum() > 0.05 * problem.n
    if "total" in must_bind:
        assert ours.total_cap_binding.sum() > 0.05 * problem.n
    assert np.all(ours.budget_binding[ours.budget_multipliers > 0])
    assert np.all(ours.x[~problem.eligible] == 0) and np.all(exact.x_lower[~problem.eligible] == 0)


def test_bracket_contains_a_closed_form_optimum(make) -> None:
    # Optimum x = (3, 1): value 2 ln 4 + ln 2.
    p = make([2.0, 1.0], [1.0, 1.0], [2, 2], [[True], [True]], [4.0])
    b = bracket(p, segments=8)
    assert b.lower <= 2 * np.log(4) + np.log(2) <= b.upper
    assert b.upper - b.lower < 0.05
