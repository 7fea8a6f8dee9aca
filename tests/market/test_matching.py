"""Campaign matching: hand-made cases, the exact MIP against the DP reference, the greedy baseline."""

from __future__ import annotations

import numpy as np
import pytest

from guanghe.market import Campaign, InfeasibleCampaign, Pool, match_dp, match_exact, match_greedy
from guanghe.market.dominance import undominated
from guanghe.market.instances import campaign_for, generate
from guanghe.market.matching import violations


def pool(price, value, mcn=None, must=None, exclude=None) -> Pool:
    n = len(price)
    return Pool(np.arange(1, n + 1), np.zeros(n) if mcn is None else mcn, price, value, must, exclude)


def ids(match) -> list[int]:
    return match.creator_id.tolist()


def test_hand_budget_only() -> None:
    # Prices 4, 3, 3, 2 (fen), values 8, 5, 5, 1; budget 6. Pairs that fit: {1,4} = 9 (price 6),
    # {2,3} = 10 (price 6), {2,4} = {3,4} = 6; singles at most 8. Best: {2, 3} with 10.
    p = pool([4, 3, 3, 2], [8.0, 5.0, 5.0, 1.0])
    for match in (match_exact(p, Campaign(6)), match_dp(p, Campaign(6))):
        assert ids(match) == [2, 3] and match.value == 10.0 and match.price_fen == 6
    assert match_exact(p, Campaign(6)).status == "optimal"


def test_hand_count_and_mcn_caps() -> None:
    # Budget 100 buys everyone; N = 3 and M = 1. Creators 1, 2, 3 share MCN 7 (values 9, 8, 7), creators 4
    # and 5 have no MCN (values 6, 5). M = 1 allows one of 1-3 (take 1: 9), then the two independents:
    # {1, 4, 5} = 20. Without M the top three values {1, 2, 3} = 24 would win.
    p = pool([10] * 5, [9.0, 8.0, 7.0, 6.0, 5.0], mcn=[7, 7, 7, 0, 0])
    c = Campaign(100, max_creators=3, max_per_mcn=1)
    for match in (match_exact(p, c), match_dp(p, c), match_greedy(p, c)):
        assert ids(match) == [1, 4, 5] and match.value == 20.0
    assert ids(match_exact(p, Campaign(100, max_creators=3))) == [1, 2, 3]


def test_greedy_is_suboptimal() -> None:
    # Budget 10. Creator 1: price 1, value 2 (ratio 2); creator 2: price 10, value 10 (ratio 1). Greedy takes
    # 1 first, then 2 no longer fits: value 2. The optimum is {2} with value 10.
    p = pool([1, 10], [2.0, 10.0])
    exact, greedy = match_exact(p, Campaign(10)), match_greedy(p, Campaign(10))
    assert ids(exact) == [2] and ids(greedy) == [1]
    assert exact.value > greedy.value
    assert greedy.status == "greedy" and greedy.bound is None


def test_must_and_exclude() -> None:
    # Budget 10, values 5, 4, 3 at price 5 each. Creator 1 excluded, creator 3 must be in: {2, 3} = 7.
    p = pool([5, 5, 5], [5.0, 4.0, 3.0], must=[False, False, True], exclude=[True, False, False])
    for match in (match_exact(p, Campaign(10)), match_dp(p, Campaign(10)), match_greedy(p, Campaign(10))):
        assert ids(match) == [2, 3]
    with pytest.raises(InfeasibleCampaign, match="budget"):
        match_exact(p, Campaign(4))
    with pytest.raises(ValueError, match="both"):
        pool([1], [1.0], must=[True], exclude=[True])


def test_nobody_affordable() -> None:
    p = pool([500, 700], [3.0, 4.0])
    for match in (match_exact(p, Campaign(499)), match_dp(p, Campaign(499)), match_greedy(p, Campaign(499))):
        assert match.index.size == 0 and match.value == 0.0 and match.price_fen == 0
    assert match_exact(p, Campaign(499)).status == "optimal"


def test_budget_exactly_equal_to_a_price() -> None:
    p = pool([700, 500], [4.0, 2.0])  # creator 1 also has the better ratio, so greedy agrees
    for match in (match_exact(p, Campaign(700)), match_dp(p, Campaign(700)), match_greedy(p, Campaign(700))):
        assert ids(match) == [1] and match.price_fen == 700


def test_ties() -> None:
    # Three identical creators, room for two: any two are optimal (value 2); greedy breaks ties by lower id.
    p = pool([3, 3, 3], [1.0, 1.0, 1.0])
    c = Campaign(6)
    assert match_exact(p, c).value == match_dp(p, c).value == 2.0
    assert ids(match_greedy(p, c)) == [1, 2]
    assert len(ids(match_exact(p, c))) == 2


def random_case(rng: np.random.Generator) -> tuple[Pool, Campaign]:
    n = int(rng.integers(8, 16))
    price = rng.integers(1, 30, n) * int(rng.choice([1, 100, 700]))
    value = np.round(rng.lognormal(0.0, 1.0, n) * price / price.mean(), int(rng.integers(0, 3)))
    mcn = np.where(rng.random(n) < 0.6, rng.integers(1, 4, n), 0)
    must = rng.random(n) < 0.08
    exclude = ~must & (rng.random(n) < 0.08)
    budget = int(rng.uniform(0.1, 0.7) * price.sum())
    n_cap = None if rng.random() < 0.2 else int(rng.integers(0, 7))
    m_cap = None if rng.random() < 0.2 else int(rng.integers(0, 4))
    creators = rng.permutation(10 * n)[:n] + 1
    return Pool(creators, mcn, price, value, must, exclude), Campaign(budget, n_cap, m_cap)


def test_exact_equals_dp_on_random_small_cases() -> None:
    rng = np.random.default_rng(2026)
    solved = 0
    for _ in range(200):
        p, c = random_case(rng)
        try:
            ref = match_dp(p, c)
        except InfeasibleCampaign:
            with pytest.raises(InfeasibleCampaign):
                match_exact(p, c)
            continue
        exact, greedy = match_exact(p, c), match_greedy(p, c)
        for match in (ref, exact, greedy):
            assert violations(p, c, match.index) == []
            assert match.value == pytest.approx(float(p.value[match.index].sum()), rel=1e-12)
        assert exact.status == "optimal"
        assert exact.value == pytest.approx(ref.value, rel=1e-9, abs=1e-9)
        assert exact.gap is not None and exact.gap <= 1e-9
        assert greedy.value <= ref.value * (1 + 1e-12)
        solved += 1
    assert solved > 150


def test_dominance_keeps_an_optimum() -> None:
    # Five identical independents dominate creator 6 (same price, lower value) when N = 2: 6 goes. With no N
    # and a budget that buys all six, nobody is dropped.
    price, value = np.full(6, 10), np.array([5.0] * 5 + [4.0])
    none, must = np.zeros(6, np.int64), np.zeros(6, bool)
    assert undominated(price, value, none, must, 100, 2, None).tolist() == [True] * 2 + [False] * 4
    assert undominated(price, value, none, must, 60, None, None).all()
    # In one MCN with M = 1 the five count as one dominator: nobody beyond the first can be dropped by them.
    same = np.full(6, 3)
    assert undominated(price, value, np.r_[same[:5], 0], must, 100, 2, 1).sum() == 6
    must[5] = True
    assert undominated(price, value, none, must, 100, 2, None)[5]


def test_ten_thousand_candidates() -> None:
    p = generate(10_000, seed=11)
    c = campaign_for(p)
    exact, greedy = match_exact(p, c), match_greedy(p, c)
    assert exact.status == "optimal" and exact.gap is not None and exact.gap <= 1e-9
    assert violations(p, c, exact.index) == [] and violations(p, c, greedy.index) == []
    assert exact.index.size <= 100 and exact.price_fen <= c.budget_fen
    assert np.bincount(p.mcn_id[exact.index])[1:].max(initial=0) <= 5
    assert greedy.value <= exact.value


def test_time_limit_is_reported_not_claimed_optimal() -> None:
    p = generate(3_000, seed=5)
    c = campaign_for(p)
    match = match_exact(p, c, time_limit_s=0.0)
    assert match.status == "time_limit" and match.gap is not None and match.gap > 0
    assert violations(p, c, match.index) == []


def test_solver_tolerance_slip_is_repaired(monkeypatch: pytest.MonkeyPatch) -> None:
    # A solver answer over budget (as a tolerance slip would give) loses its least valuable creator and is
    # not called optimal.
    from guanghe.market import mip

    p = pool([5, 4, 3], [3.0, 1.0, 2.0])  # nobody dominated: the budget buys two, creator 2 has one dominator
    monkeypatch.setattr(mip, "solve", lambda price, *rest: (np.arange(price.size), "optimal", 6.0))
    match = match_exact(p, Campaign(10))
    assert ids(match) == [1, 3] and match.status == "repaired" and match.gap == pytest.approx(1 / 6)
