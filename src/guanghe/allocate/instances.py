"""Synthetic allocation problems with realistic heavy tails (for tests and benchmarks).

Followers are log-normal (about 0.1% head, 15% waist, the rest tail); the saturation scale s_i grows with
followers; the initial marginal value a_i / s_i (outcome per impression) is log-normal and independent of
size; program k admits a share of each tier; per-program caps are a multiple of s_i; budgets buy a fixed
number of impressions per eligible creator.
"""

from __future__ import annotations

import numpy as np

from guanghe.allocate.problem import AllocationProblem

# Share of each tier (head, waist, tail) eligible for the default programs.
ELIGIBILITY = np.array(
    [
        [0.9, 0.8, 0.6],  # general quality support
        [0.0, 0.3, 0.25],  # new quality creators
        [0.5, 0.3, 0.05],  # MCN creators
        [0.2, 0.2, 0.1],  # local life
        [0.0, 0.4, 0.15],  # mid/long-tail e-commerce
        [0.6, 0.3, 0.02],  # brand marketplace
        [0.3, 0.3, 0.3],
        [0.1, 0.5, 0.2],
    ]
)
TAIL_FLOORS = np.array([0.4, 0.5, 0.0, 0.3, 0.6, 0.0, 0.2, 0.2])


def generate(
    n: int,
    k: int = 6,
    seed: int = 0,
    per_creator: float = 4_000.0,
    cap_scale: float = 4.0,
    floors: np.ndarray | None = None,
    total_cap_scale: float | None = None,
    rate_sigma: float | None = None,
) -> AllocationProblem:
    """An n x k problem; floors default to tail floors per program; total caps = scale * s_i if given;
    program rates log-normal with log-sd ``rate_sigma`` if given (what each program values differs)."""
    if not 1 <= k <= ELIGIBILITY.shape[0]:
        raise ValueError(f"k must be in 1..{ELIGIBILITY.shape[0]}, got {k}")
    rng = np.random.default_rng(seed)
    log_f = rng.normal(3.0, 1.0, n)
    tier = np.where(log_f >= 6, 0, np.where(log_f >= 4, 1, 2)).astype(np.int8)
    s = 2_000.0 * 10 ** (0.6 * (log_f - 3)) * rng.lognormal(0.0, 0.5, n)
    q = rng.lognormal(np.log(0.01), 0.8, n)  # outcome per impression at zero
    a = q * s
    eligible = rng.random((n, k)) < ELIGIBILITY[:k][:, tier].T
    caps = np.where(eligible, (cap_scale * s)[:, None] * rng.uniform(0.5, 1.5, (n, k)), 0.0)
    budgets = per_creator * eligible.sum(axis=0).astype(float)
    if floors is None:
        floors = np.zeros((k, 3))
        floors[:, 2] = TAIL_FLOORS[:k]
    total = None if total_cap_scale is None else total_cap_scale * s
    names = tuple(f"P{j}" for j in range(k))
    rate = None if rate_sigma is None else rng.lognormal(0.0, rate_sigma, (n, k))
    return AllocationProblem(
        a, s, tier, eligible, caps, budgets, np.asarray(floors, float), total, names, rate
    )
