"""Infeasible rule sets are rejected before solving, naming the conflicting constraints."""

from __future__ import annotations

import numpy as np
import pytest

from guanghe.allocate import AllocationProblem, InfeasibleProblem, solve

HEAD, WAIST, TAIL = 0, 1, 2


def test_floors_summing_above_one(make) -> None:
    p = make([1.0, 1.0], [1.0, 1.0], [HEAD, TAIL], [[True], [True]], [10.0], floors=[[0.7, 0.0, 0.5]])
    with pytest.raises(
        InfeasibleProblem, match=r"program 0: tier floors sum to 1.2 > 1 \(head 0.7 \+ tail 0.5\)"
    ):
        solve(p)


def test_floor_for_a_tier_with_no_eligible_creator(make) -> None:
    p = make([1.0, 1.0], [1.0, 1.0], [HEAD, TAIL], [[True], [False]], [10.0], floors=[[0.0, 0.0, 0.4]])
    with pytest.raises(
        InfeasibleProblem, match=r"program 0: floor 0\.4 for the tail tier, but no tail creator is eligible"
    ):
        solve(p)


def test_floor_above_the_tiers_caps(make) -> None:
    p = make(
        [1.0, 1.0, 1.0],
        [1.0, 1.0, 1.0],
        [WAIST, WAIST, TAIL],
        [[True]] * 3,
        [10.0],
        caps=[[2.0], [1.0], [9.0]],
        floors=[[0.0, 0.5, 0.0]],
    )
    with pytest.raises(InfeasibleProblem, match=r"program 0: waist-tier floor.* need 5 but .* allow only 3"):
        solve(p)


def test_floors_of_two_programs_over_shared_total_caps(make) -> None:
    # Each floor fits alone (6 <= 10 of caps), together 12 > the tail's total caps of 10.
    p = make(
        [1.0, 1.0],
        [1.0, 1.0],
        [TAIL, TAIL],
        [[True, True], [True, True]],
        [10.0, 10.0],
        floors=[[0, 0, 0.6], [0, 0, 0.6]],
        total_cap=[5.0, 5.0],
    )
    with pytest.raises(InfeasibleProblem) as err:
        solve(p)
    assert err.value.conflicts == [
        "program 0 + program 1: tail-tier floor(s) need 12 but the eligible tail creators' caps allow only 10"
    ]


def test_every_conflict_is_listed(make) -> None:
    p = make([1.0], [1.0], [TAIL], [[True, True]], [1.0, 1.0], floors=[[0.9, 0.0, 0.2], [0.0, 0.3, 0.0]])
    with pytest.raises(InfeasibleProblem) as err:
        solve(p)
    assert len(err.value.conflicts) == 3  # floors > 1, no head creator, no waist creator


def test_bad_arrays_name_the_field() -> None:
    with pytest.raises(ValueError, match=r"s: expected \(n,\) finite > 0"):
        AllocationProblem(
            np.ones(2),
            np.array([1.0, -1.0]),
            np.zeros(2, np.int8),
            np.ones((2, 1), bool),
            np.ones((2, 1)),
            np.ones(1),
            np.zeros((1, 3)),
        )
