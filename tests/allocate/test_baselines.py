"""Baselines by hand, and the allocator against the oracle and every baseline under the true curves."""

from __future__ import annotations

import numpy as np
import pytest
from synth_platform import small_platform

from guanghe.allocate import baselines
from guanghe.allocate.problem import AllocationProblem
from guanghe.allocate.score import compare


def problem(caps: float = 6.0, floors=(0.0, 0.0, 0.0)) -> AllocationProblem:
    return AllocationProblem(
        a=np.ones(4), s=np.ones(4), tier=np.array([1, 1, 2, 2], np.int8),
        eligible=np.array([[True], [True], [True], [False]]), caps=np.full((4, 1), caps),
        budgets=np.array([12.0]), floors=np.array([floors]),
    )  # fmt: skip


def test_uniform_splits_evenly_and_water_fills_caps() -> None:
    assert baselines.uniform(problem()).ravel() == pytest.approx([4, 4, 4, 0])
    x = baselines.by_followers(problem(caps=5.0), np.array([0, 0, 98, 5]))  # weights 1, 1, 99
    assert x.ravel() == pytest.approx([3.5, 3.5, 5, 0])  # the big one capped at 5, the rest shared


def test_greedy_quality_fills_best_first() -> None:
    x = baselines.greedy_quality(problem(caps=5.0), np.array([0.2, 0.9, 0.5, 1.0]))
    assert x.ravel() == pytest.approx([2, 5, 5, 0])  # creator 3 is not eligible


def test_floors_are_served_first() -> None:
    x = baselines.greedy_quality(problem(caps=6.0, floors=(0.0, 0.0, 0.5)), np.array([0.9, 0.8, 0.1, 1.0]))
    assert x.ravel() == pytest.approx([6, 0, 6, 0])  # tail floor 6 to creator 2, then the best waist creator


def test_allocator_reaches_the_oracle_and_beats_every_baseline(tmp_path_factory) -> None:
    p = small_platform(tmp_path_factory)
    cmp = compare(p.plan, p.truth)
    assert cmp.oracle_gap <= 1e-4  # the certificate of the oracle solve
    assert cmp.vs_oracle >= 0.90
    assert cmp.values["oracle"] >= max(cmp.values[b] for b in ("uniform", "followers", "quality"))
    for b in ("uniform", "followers", "quality"):
        assert cmp.values["allocator"] > cmp.values[b], b
    assert cmp.vs_best_baseline > 1.0
