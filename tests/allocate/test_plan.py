"""The plan: integer rounding, budgets/caps/floors on a synthetic platform, quotas, atomic replacement."""

from __future__ import annotations

import logging

import numpy as np
import pytest
from synth_platform import PLAN_ID, small_platform

from guanghe.allocate import InfeasibleProblem, solve
from guanghe.allocate.feasibility import check_whole
from guanghe.allocate.plan import integer_plan, work_days
from guanghe.allocate.problem import AllocationProblem
from guanghe.allocate.quotas import daily, spread, weekday_shares
from guanghe.allocate.repair import violations
from guanghe.allocate.store import write_plan


def test_spread_by_hand() -> None:
    # 10 over weights 1:1:2 -> 2.5, 2.5, 5 -> floors 2, 2, 5; one left goes to the first largest remainder
    assert spread(np.array([10]), np.array([[1.0, 1.0, 2.0]])).tolist() == [[3, 2, 5]]
    assert spread(np.array([0, 7]), np.ones((2, 7))).tolist() == [[0] * 7, [1] * 7]


def test_weekday_shares_are_add_one_smoothed() -> None:
    sh = weekday_shares(np.array([[7.0, 0, 0, 0, 0, 0, 0], [0.0] * 7]))
    assert sh[0].tolist() == pytest.approx([8 / 14] + [1 / 14] * 6)
    assert sh[1].tolist() == pytest.approx([1 / 7] * 7)


def test_daily_quotas_follow_weekdays_and_sum_exactly() -> None:
    from datetime import date

    shares = weekday_shares(np.array([[13.0, 0, 0, 0, 0, 0, 0]]))  # Monday-heavy: 14/20 on Mondays
    days, q = daily(np.array([1_000]), shares, date(2023, 7, 3), date(2023, 7, 16))  # two whole weeks
    assert len(days) == 14 and int(q.sum()) == 1_000
    assert q[0, 0] == q[0, 7] == 350 and q[0, 1] == 25  # 1000 * 14/40 on each Monday, 1000 * 1/40 else


def test_work_days_by_hand() -> None:
    assert work_days(np.array([0, 9, 90]), 366).tolist() == pytest.approx([3.0, 3 * 36.6, 3 * 366.0])


def test_integer_plan_keeps_budgets_and_caps() -> None:
    p = AllocationProblem(
        a=np.ones(3), s=np.ones(3), tier=np.array([2, 2, 1], np.int8), eligible=np.ones((3, 1), bool),
        caps=np.full((3, 1), 4.0), budgets=np.array([10.0]), floors=np.array([[0.0, 0.0, 0.5]]),
    )  # fmt: skip
    x = integer_plan(p, np.array([[3.4], [3.3], [3.3]]))
    assert x.sum() == 10 and x.max() <= 4 and x[:2].sum() >= 5
    # Tiers: tail 7.5, waist 2.5 -> 7 + 2 and one unit left; the remainders tie (0.5, 0.5), so the first
    # tier (waist) takes it: tail 7 = 4 + 3, waist 3.
    assert integer_plan(p, np.array([[4.0], [3.5], [2.5]])).ravel().tolist() == [4, 3, 3]


def _tail_floor_problem(budget: float, tail_share: float, caps: float = np.inf) -> AllocationProblem:
    """Two tail creators and one waist creator in one program with a tail floor."""
    return AllocationProblem(
        a=np.array([1.0, 1.0, 50.0]), s=np.ones(3), tier=np.array([2, 2, 1], np.int8),
        eligible=np.ones((3, 1), bool), caps=np.full((3, 1), caps), budgets=np.array([budget]),
        floors=np.array([[0.0, 0.0, tail_share]]),
    )  # fmt: skip


def test_half_to_even_rounding_no_longer_breaks_a_tier_floor() -> None:
    # Budget 5, tail floor 0.5 -> 2.5, i.e. 3 whole units. The fractional plan meets it exactly (1.25 + 1.25)
    # with 2.5 to the waist creator; rounding each tier's total half-to-even gave tail 2, waist 2 (total 4).
    p = _tail_floor_problem(5.0, 0.5)
    assert p.floor_units().tolist() == [[0, 0, 3]]
    x = integer_plan(p, np.array([[1.25], [1.25], [2.5]]))
    assert x.ravel().tolist() == [2, 1, 2]  # tail 3 >= 3 (remainders tie: the first creator), budget spent
    assert violations(p, x, whole=True) == []
    assert violations(p, np.array([[1], [1], [2]]), whole=True) == ["program 0: tail tier gets 2 < floor 3"]


def test_solved_plan_in_whole_units_meets_the_floor_it_binds_at() -> None:
    # The waist creator is worth 25x more at 0: the tail gets exactly its floor 2.5 (mu > 0), the waist 2.5.
    p = _tail_floor_problem(5.0, 0.5)
    r = solve(p)
    assert r.floor_binding[0, 2] and r.x[:2].sum() == pytest.approx(2.5, rel=1e-6)
    x = integer_plan(p, r.x)
    assert int(x[:2].sum()) == 3 and int(x[2, 0]) == 2 and violations(p, x, whole=True) == []


def test_integer_plan_within_caps_and_total_caps() -> None:
    # Caps 1.5 -> 1 whole unit each: the tail's floor (0.3 * 6 = 1.8 -> 2) still fits in its two creators.
    p = _tail_floor_problem(6.0, 0.3, caps=1.5)
    x = integer_plan(p, np.array([[0.9], [0.9], [1.5]]))
    assert x.ravel().tolist() == [1, 1, 1] and violations(p, x, whole=True) == []
    # Two programs sharing a total cap of 3: 1.5 + 1.5 must not round to 2 + 2.
    q = AllocationProblem(
        a=np.ones(1), s=np.ones(1), tier=np.array([2], np.int8), eligible=np.ones((1, 2), bool),
        caps=np.full((1, 2), np.inf), budgets=np.array([2.0, 2.0]), floors=np.zeros((2, 3)),
        total_cap=np.array([3.0]),
    )  # fmt: skip
    y = integer_plan(q, np.array([[1.5, 1.5]]))
    assert y.sum() == 3 and violations(q, y, whole=True) == []


def test_floors_that_cannot_hold_in_whole_units_are_rejected() -> None:
    # 0.5 + 0.5 of a budget of 5: 2.5 each is a fractional plan, but 3 + 3 whole units exceed 5.
    p = AllocationProblem(
        a=np.ones(2), s=np.ones(2), tier=np.array([0, 2], np.int8), eligible=np.ones((2, 1), bool),
        caps=np.full((2, 1), np.inf), budgets=np.array([5.0]), floors=np.array([[0.5, 0.0, 0.5]]),
    )  # fmt: skip
    with pytest.raises(InfeasibleProblem, match=r"program 0: tier floors in whole units sum to 6 > budget 5"):
        check_whole(p)
    # Caps of 0.6 on four tail creators absorb 2.4 >= a floor of 2, but no whole unit.
    q = AllocationProblem(
        a=np.ones(4), s=np.ones(4), tier=np.full(4, 2, np.int8), eligible=np.ones((4, 1), bool),
        caps=np.full((4, 1), 0.6), budgets=np.array([4.0]), floors=np.array([[0.0, 0.0, 0.5]]),
    )  # fmt: skip
    with pytest.raises(InfeasibleProblem, match=r"tail-tier floor needs 2 whole units but .* allow only 0"):
        check_whole(q)


def test_plan_respects_budgets_caps_floors_and_eligibility(tmp_path_factory) -> None:
    plan = small_platform(tmp_path_factory).plan
    assert set(plan.kinds) == {"impressions", "cash_fen"}
    for kind, kp in plan.kinds.items():
        pr, amt = kp.problem, kp.amounts
        assert amt.dtype == np.int64 and amt.min() >= 0
        assert amt.sum(axis=0).tolist() == pr.budgets.tolist()  # every budget is worth spending here
        assert np.all(amt <= pr.effective_caps() + 1e-9)
        assert not np.any(amt[~pr.eligible])
        assert kp.result.gap <= 1e-4, (kind, kp.result.gap)  # the real plan structure (issue 3)
        assert kp.gap <= 1e-4 and kp.primal == problem_value(pr, amt)  # the stored plan's certificate


def problem_value(problem: AllocationProblem, amounts: np.ndarray) -> float:
    return problem.value(amounts.astype(float))


def test_stored_plan_meets_every_tier_floor_in_whole_units(tmp_path_factory) -> None:
    """The plan as stored (read back from the warehouse) holds each program's floors as the program file
    states them (``Program.floor_amount``: share x budget rounded up), with no unit missing."""
    p = small_platform(tmp_path_factory)
    tier = dict(zip(p.plan.platform.creator_id.tolist(), p.plan.platform.tier.tolist(), strict=True))
    wh = p.open()
    try:
        rows = wh.raw.execute(
            "SELECT creator_id, program, impressions, cash_fen FROM allocation_plan WHERE plan_id = ?",
            [PLAN_ID],
        ).fetchall()
        stored = {(r["program"], r["kind"]): r for r in _programs_rows(wh)}
    finally:
        wh.close()
    got: dict[tuple[str, str, int], int] = {}
    for creator, program, imp, cash in rows:
        for kind, v in (("impressions", imp), ("cash_fen", cash)):
            got[program, kind, tier[creator]] = got.get((program, kind, tier[creator]), 0) + v
    checked = 0
    for prog in p.programs:
        for kind in prog.budget:
            for t, name in enumerate(("head", "waist", "tail")):
                need = prog.floor_amount(name, kind)
                if need:
                    assert got.get((prog.name, kind, t), 0) >= need, (prog.name, kind, name)
                    checked += 1
            assert sum(got.get((prog.name, kind, t), 0) for t in range(3)) == prog.budget[kind]
            assert stored[prog.name, kind]["allocated"] == prog.budget[kind]
    assert checked == 11  # 7 impressions floors + 4 cash floors (general_support has two)
    for kind, kp in p.plan.kinds.items():  # the certificate describes the stored plan, not the fractional one
        for col in kp.columns:
            row = stored[p.programs[col].name, kind]
            assert row["primal"] == problem_value(kp.problem, kp.amounts)
            assert row["gap"] == (row["dual_bound"] - row["primal"]) / row["primal"] and row["gap"] <= 1e-4


def _programs_rows(wh) -> list[dict]:
    cur = wh.raw.execute("SELECT * FROM allocation_programs WHERE plan_id = ?", [PLAN_ID])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def test_stored_plan_and_quotas_sum_exactly(tmp_path_factory) -> None:
    p = small_platform(tmp_path_factory)
    wh = p.open()
    try:
        mismatched = wh.raw.execute(
            "SELECT count(*) FROM allocation_plan a FULL JOIN (SELECT creator_id, program, sum(impressions) i, "
            "sum(cash_fen) c FROM allocation_quotas WHERE plan_id = ? GROUP BY ALL) q USING (creator_id, program) "
            "WHERE a.plan_id = ? AND (q.i IS DISTINCT FROM a.impressions OR q.c IS DISTINCT FROM a.cash_fen)",
            [PLAN_ID, PLAN_ID],
        ).fetchone()[0]
        assert mismatched == 0
        total = wh.raw.execute(
            "SELECT sum(impressions) FROM allocation_plan WHERE plan_id = ?", [PLAN_ID]
        ).fetchone()[0]
        assert total == sum(int(kp.amounts.sum()) for k, kp in p.plan.kinds.items() if k == "impressions")
        progs = wh.raw.execute(
            "SELECT count(*), max(gap) FROM allocation_programs WHERE plan_id = ?", [PLAN_ID]
        ).fetchone()
        assert progs[0] == 11  # 7 impressions budgets + 4 cash budgets
        # Rewriting the same plan id replaces it (no duplicates), in one transaction.
        before = {t: wh.raw.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in p.rows}
        write_plan(wh, p.plan, np.zeros((p.plan.platform.n, 7)))
        after = {t: wh.raw.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in p.rows}
        assert after["allocation_plan"] == before["allocation_plan"] == p.rows["allocation_plan"]
        assert after["allocation_curves"] == before["allocation_curves"] == p.plan.platform.n
    finally:
        wh.close()


def test_a_failing_write_leaves_the_previous_plan(tmp_path_factory, monkeypatch) -> None:
    import guanghe.allocate.store as store

    p = small_platform(tmp_path_factory)
    wh = p.open()
    try:
        before = wh.raw.execute("SELECT count(*) FROM allocation_plan").fetchone()[0]
        broken = dict(store.plan_tables(p.plan, np.zeros((p.plan.platform.n, 7))))
        broken["allocation_curves"] = broken["allocation_curves"].drop_columns(["theta"])
        monkeypatch.setattr(store, "plan_tables", lambda plan, counts: broken)
        with pytest.raises(Exception, match="theta"):
            store.write_plan(wh, p.plan, np.zeros((p.plan.platform.n, 7)))
        assert wh.raw.execute("SELECT count(*) FROM allocation_plan").fetchone()[0] == before
    finally:
        wh.close()


def test_writing_a_plan_logs_one_line(tmp_path_factory, caplog) -> None:
    p = small_platform(tmp_path_factory)
    wh = p.open()
    try:
        with caplog.at_level(logging.INFO, logger="guanghe.allocate.store"):
            rows = write_plan(wh, p.plan, np.zeros((p.plan.platform.n, 7)))
    finally:
        wh.close()
    lines = [r.getMessage() for r in caplog.records if r.name == "guanghe.allocate.store"]
    creators = int(np.count_nonzero(sum(kp.amounts.sum(axis=1) for kp in p.plan.kinds.values())))
    gaps = ", ".join(f"{k} {kp.gap:.2e}" for k, kp in p.plan.kinds.items())
    assert lines == [
        f"plan {PLAN_ID} written: 7 programs, {creators} creators, gap {gaps}, "
        f"{rows['allocation_plan']} plan rows, {rows['allocation_quotas']} quota rows"
    ]


def test_eligible_counts_of_the_loaded_platform_match_the_features_query(tmp_path_factory) -> None:
    """make_plan counts eligible creators per tier on the loaded platform instead of a second features query:
    the same answer as programs.eligible_by_tier (the query `guanghe programs check` runs)."""
    from synth_platform import AS_OF

    from guanghe.allocate.plan import eligible_counts
    from guanghe.programs import creator_features, eligible_by_tier

    p = small_platform(tmp_path_factory)
    wh = p.open()
    try:
        features = creator_features(wh.tables(), AS_OF)
        expected = eligible_by_tier(features, p.programs)
    finally:
        wh.close()
    assert eligible_counts(p.plan.platform, p.programs) == expected
    assert sum(expected[p.programs[0].name].values()) > 0
