"""The faster allocator core (issue 14) against the reference it replaced (tests/allocate/reference_allocator.py):
best responses, the dual over packs, the packed repair, the checks; and the certified plans of the exact
instances unchanged (known answers recorded from the reference solver)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import reference_allocator as ref

from guanghe.allocate import dual, response, solve
from guanghe.allocate.instances import generate
from guanghe.allocate.repair import (
    Scanner,
    binding,
    dense_plan,
    packed_value,
    repair,
    repair_packed,
    repair_packs,
    scan,
    violations,
)

FLOORS = np.array([[0.0, 0.5, 0.4], [0.0, 0.0, 0.5], [0.0, 0.5, 0.0], [0.0, 0.3, 0.3]])


def close(a: np.ndarray, b: np.ndarray, rel: float = 1e-10) -> None:
    """Equal to `rel` of each entry's size, entries below 1e-3 of the largest compared at that scale."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    scale = np.maximum(np.abs(a), 1e-3 * np.max(np.abs(a), initial=0.0) + 1e-300)
    assert np.all(np.abs(a - b) <= rel * scale), float(np.max(np.abs(a - b) / scale))


def random_block(rng: np.random.Generator, j: int, trial: int, m: int = 1500):
    s = 2000 * 10 ** rng.uniform(-1, 3, m)
    a = s * rng.lognormal(np.log(0.01), 0.8, m)
    c = s[:, None] * rng.uniform(0.5, 6, (m, j))
    if trial % 3 == 0:
        c[rng.random((m, j)) < 0.2] = 0.0
    cmax = np.full(m, np.inf) if trial % 2 else s * rng.uniform(0.5, 8, m)
    base = rng.lognormal(np.log(0.005), 0.7, (m, 1))
    p = np.repeat(base, j, axis=1) if trial % 4 == 0 else base * rng.uniform(0.9, 1.1, (m, j))  # ties
    return a, s, c, cmax, p


def same_response(want, got, a, s, c, p, rho: float) -> None:
    """Equal to 1e-10; x also within the conditioning of x = (m - p) / r: a one-ulp change of the marginal
    value m moves x by ulp(m) / r, which for a small rho is above 1e-10 of x whatever the arithmetic."""
    for f in ("inner", "marginal", "u", "gamma"):
        close(getattr(want, f), getattr(got, f))
    assert np.array_equal(want.total_capped, got.total_capped)
    inv_r = 1.0 / ref.reg_weights(a, s, c, rho)
    ulps = 64 * np.finfo(float).eps * (np.abs(want.marginal)[:, None] + np.abs(p)) * inv_r
    scale = np.maximum(np.abs(want.x), 1e-3 * np.max(np.abs(want.x)))
    assert np.all(np.abs(want.x - got.x) <= 1e-10 * scale + ulps)
    if rho >= 1e-3:
        close(want.x, got.x)


@pytest.mark.parametrize("rho", [1e-2, 1e-3, 1e-4, 1e-5])
def test_best_responses_equal_the_reference(rho: float) -> None:
    rng = np.random.default_rng(int(-np.log10(rho)))
    for trial in range(36):
        j = 1 + trial % 6
        a, s, c, cmax, p = random_block(rng, j, trial)
        want = ref.regularised_response(a, s, c, cmax, p, rho)
        same_response(want, response.regularised(a, s, c, cmax, p, rho), a, s, c, p, rho)
        # no sort: breakpoints evaluated column by column (total caps handed to the sorted one)
        same_response(want, response.regularised_few(a, s, c, cmax, p, rho), a, s, c, p, rho)
        want = ref.exact_response(a, s, c, cmax, p)
        for got in (response.exact(a, s, c, cmax, p), response.exact_few(a, s, c, cmax, p)):
            for f in ("x", "inner", "marginal"):
                close(getattr(want, f), getattr(got, f))
            assert np.array_equal(want.total_capped, got.total_capped)
    for trial in range(8):  # one program, cap within the total cap: the closed form without sorting
        a, s, c, _, p = random_block(rng, 1, trial)
        want = ref.regularised_response(a, s, c, np.full(a.size, np.inf), p, rho)
        got = response.regularised_single(a, s, c, p, rho)
        same_response(want, got, a, s, c, p, rho)
        assert np.mean(got.x[:, 0] == 0) > 0.01 and np.mean(got.x[:, 0] == c[:, 0]) > 0.01  # all three pieces
        assert np.mean((got.x[:, 0] > 0) & (got.x[:, 0] < c[:, 0])) > 0.1


@pytest.mark.parametrize("rho", [1e-2, 1e-5])
def test_few_programs_at_coinciding_breakpoints(rho: float) -> None:
    """The column-by-column closed form where breakpoints coincide (one program starts where another caps),
    the root sits exactly on a breakpoint (price = f'(0)), every cap is zero, or the total cap binds."""
    rng = np.random.default_rng(11)
    for j in range(2, 7):
        a, s, c, cmax, p = random_block(rng, j, 1, m=800)
        p[:200, 1] = p[:200, 0] + rho * a[:200] / (s[:200] + c[:200, 0])  # starts where program 0 caps
        p[200:300, 0] = a[200:300] / s[200:300]  # the root at program 0's first breakpoint
        p[300:400] = p[300:400, :1]  # all prices tied
        c[400:450] = 0.0  # no room anywhere
        cmax[450:550] = c[450:550].min(axis=1)  # total cap binds (handed to the sorted form)
        want = ref.regularised_response(a, s, c, cmax, p, rho)
        same_response(want, response.regularised_few(a, s, c, cmax, p, rho), a, s, c, p, rho)


INSTANCES = {
    "tail floors": lambda: generate(3000, 6, seed=3),
    "tight caps, waist floors": lambda: generate(
        2500, 4, seed=4, cap_scale=0.7, floors=FLOORS, per_creator=1000.0
    ),
    "total caps": lambda: generate(2500, 6, seed=5, total_cap_scale=1.5),
}


@pytest.mark.parametrize("name", list(INSTANCES))
def test_dual_over_packs_equals_the_grouped_reference(name: str) -> None:
    problem = INSTANCES[name]()
    packed, grouped = dual.DualModel.of(problem), ref.DualModel.of(problem)
    rows = np.sort(np.random.default_rng(1).choice(problem.n, 700, replace=False))
    samples = [(dual.DualModel.of(problem, rows, 0.3), ref.DualModel.of(problem, rows, 0.3))]
    rng = np.random.default_rng(2)
    for new, old in [(packed, grouped), *samples]:
        assert sum(pk.a.size for pk in new.packs) == sum(g.a.size for g in old.groups)
        for _ in range(4):
            y = np.concatenate(
                [rng.uniform(0.001, 0.02, problem.k), rng.uniform(0, 0.005, len(new.floor_idx))]
            )
            for rho in (1e-2, 1e-4):
                want, got = ref.regularised(old, y, rho), dual.regularised(new, y, rho)
                assert got.value == pytest.approx(want.value, rel=1e-12)
                close(want.grad, got.grad, rel=1e-9)
                close(want.hess, got.hess, rel=1e-9)
                close(ref.primal(old, y, rho), dual.primal(new, y, rho))
            assert dual.bound(new, y) == pytest.approx(ref.bound(old, y), rel=1e-12)


@pytest.mark.parametrize("name", list(INSTANCES))
def test_packed_repair_equals_the_reference_repair(name: str) -> None:
    problem = INSTANCES[name]()
    model = dual.DualModel.of(problem)
    r = solve(problem)
    y = np.concatenate(
        [r.budget_multipliers, r.floor_multipliers[model.floor_idx[:, 0], model.floor_idx[:, 1]]]
    )
    for scale in (0.7, 1.0, 1.4):  # prices too low (budgets over-spent), right, too high (budgets left)
        for rho in (1e-2, 1e-4):
            xs = dual.regularised(model, y * scale, rho, hessian=False).x
            want = repair(problem, dual.dense(model, xs))
            got = repair_packed(problem, model, xs)
            close(want, got)
            assert packed_value(model, repair_packs(problem, model, xs)) == pytest.approx(
                problem.value(got), rel=1e-13
            )
            # far from the optimum the repair cannot always mend the floors (with total caps): same verdict
            assert len(violations(problem, got)) == len(violations(problem, want))
            if scale == 1.0:
                assert violations(problem, got) == []
            scanner = Scanner(problem, bind=True)  # the checks made while the plan is written out
            written = dense_plan(problem.n, problem.k, model.packs, repair_packs(problem, model, xs), scanner)
            seen, again = scanner.result(), scan(problem, written, bind=True)
            assert np.array_equal(written, got)
            assert (seen.outside, seen.above) == (again.outside, again.above)
            for key in ("spent", "tiers", "totals", "cap_binding"):
                assert np.array_equal(getattr(seen, key), getattr(again, key)), key


def test_checks_equal_the_reference() -> None:
    problem = generate(3000, 6, seed=5, total_cap_scale=1.5)
    x = solve(problem).x
    rng = np.random.default_rng(3)
    bad = x * rng.uniform(0.9, 1.2, x.shape)  # over caps, total caps and budgets, under floors
    bad[0, np.flatnonzero(problem.eligible[0])[:1]] = -1.0
    for plan in (x, bad, x * 0.95):
        assert violations(problem, plan) == ref.violations(problem, plan)
        want, got = ref.binding(problem, plan), binding(problem, plan)
        for key, value in want.items():
            assert np.array_equal(value, got[key]), key
    whole = np.floor(x).astype(np.int64)
    assert violations(problem, whole, whole=True) == ref.violations(problem, whole, whole=True)
    assert len(ref.violations(problem, bad)) >= 3


def test_effective_caps_are_computed_once_and_read_only() -> None:
    problem = generate(500, 6, seed=1, total_cap_scale=2.0)
    caps = problem.effective_caps()
    assert caps is problem.effective_caps()
    np.testing.assert_array_equal(caps, ref._caps(problem))
    np.testing.assert_array_equal(
        problem.effective_caps(np.arange(10, 20)), ref._caps(problem, np.arange(10, 20))
    )
    with pytest.raises(ValueError):
        caps[0, 0] = 1.0
    other = replace(problem, budgets=problem.budgets * 0.01)  # a new problem computes its own
    np.testing.assert_array_equal(other.effective_caps(), ref._caps(other))


# Recorded from the reference solver (before issue 14) on the instances of test_exact.py: value, dual bound,
# per-program totals, the sum of squares and the plan of three of the biggest takers; the faster solver must
# give the same.
PLANS = {
    "tail floors": {
        "totals": [
            7447999.999999995,
            2916000.000000003,
            1128000.0,
            1412000.0000000002,
            2272000.0,
            808000.0000000001,
        ],
        "squares": 870371050893.8445,
        "which": [2231, 124, 1695],
        "rows": [
            [298517.4805256025, 0.0, 53960.69899888818, 0.0, 0.0, 274367.9347860114],
            [167686.43758934728, 0.0, 0.0, 0.0, 0.0, 0.0],
            [8783.924381995203, 9384.243410600575, 14258.96276343745, 0.0, 0.0, 0.0],
        ],
    },
    "tight caps, waist floors": {
        "totals": [1601999.9999999977, 624999.9999999999, 217999.99999999994, 308000.0000000001],
        "squares": 33638373004.607605,
        "which": [666, 601, 220],
        "rows": [
            [36558.57280849041, 0.0, 22172.903665090005, 37198.66900478852],
            [29595.910888154398, 0.0, 0.0, 0.0],
            [6793.037584602967, 0.0, 0.0, 0.0],
        ],
    },
    "total caps": {
        "totals": [
            6299999.9999999935,
            2639999.9999999986,
            1011999.9999999999,
            1076000.0000000002,
            1976000.0000000007,
            648000.0,
        ],
        "squares": 509369249710.5525,
        "which": [639, 1749, 532],
        "rows": [
            [299001.5314338274, 0.0, 245768.53805579577, 0.0, 0.0, 0.0],
            [0.0, 109024.65534764618, 0.0, 0.0, 0.0, 0.0],
            [9323.294270648166, 0.0, 7666.262229105699, 0.0, 7275.735712605532, 0.0],
        ],
    },
}
KNOWN = {
    "tail floors": (213445.99605401722, 213446.17274098244),
    "tight caps, waist floors": (57888.86590518667, 57888.90618287248),
    "total caps": (163917.29720807017, 163917.75945929874),
}


@pytest.mark.parametrize("name", list(INSTANCES))
def test_certified_plans_of_the_exact_instances_unchanged(name: str) -> None:
    problem = INSTANCES[name]()
    r = solve(problem)
    value, bound = KNOWN[name]
    assert r.value == pytest.approx(value, rel=1e-12)
    assert r.dual_bound == pytest.approx(bound, rel=1e-12)
    assert r.gap == pytest.approx((bound - value) / value, rel=1e-6)
    plan = PLANS[name]
    close(plan["totals"], r.x.sum(axis=0), rel=1e-10)
    assert float(np.sum(r.x * r.x)) == pytest.approx(plan["squares"], rel=1e-10)
    close(plan["rows"], r.x[plan["which"]], rel=1e-10)
