"""Tiny hand-made problems for the allocator tests."""

from __future__ import annotations

import numpy as np
import pytest

from guanghe.allocate import AllocationProblem


def tiny(a, s, tier, eligible, budgets, caps=None, floors=None, total_cap=None) -> AllocationProblem:
    eligible = np.asarray(eligible, dtype=bool)
    n, k = eligible.shape
    return AllocationProblem(
        a=np.asarray(a, float),
        s=np.asarray(s, float),
        tier=np.asarray(tier, np.int8),
        eligible=eligible,
        caps=np.full((n, k), np.inf) if caps is None else np.asarray(caps, float),
        budgets=np.asarray(budgets, float),
        floors=np.zeros((k, 3)) if floors is None else np.asarray(floors, float),
        total_cap=None if total_cap is None else np.asarray(total_cap, float),
    )


@pytest.fixture
def make():
    """Build a small AllocationProblem from lists (no caps, no floors unless given)."""
    return tiny
