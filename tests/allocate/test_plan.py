"""The plan: integer rounding, budgets/caps/floors on a synthetic platform, quotas, atomic replacement."""

from __future__ import annotations

import numpy as np
import pytest
from synth_platform import PLAN_ID, small_platform

from guanghe.allocate.plan import integer_plan, work_days
from guanghe.allocate.problem import AllocationProblem
from guanghe.allocate.quotas import daily, spread, weekday_shares
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
    assert integer_plan(p, np.array([[4.0], [3.5], [2.5]])).ravel().tolist() == [4, 4, 2]


def test_plan_respects_budgets_caps_floors_and_eligibility(tmp_path_factory) -> None:
    plan = small_platform(tmp_path_factory).plan
    assert set(plan.kinds) == {"impressions", "cash_fen"}
    for kind, kp in plan.kinds.items():
        pr, amt = kp.problem, kp.amounts
        assert amt.dtype == np.int64 and amt.min() >= 0
        assert np.all(amt.sum(axis=0) <= pr.budgets)
        assert np.all(amt.sum(axis=0) >= pr.budgets - 2)  # every budget is worth spending here
        assert np.all(amt <= pr.effective_caps() + 1e-9)
        assert not np.any(amt[~pr.eligible])
        for j, col in enumerate(kp.columns):
            prog = plan.programs[col]
            for t, tier in enumerate(("head", "waist", "tail")):
                got = amt[pr.tier == t, j].sum()
                assert got >= prog.floor_amount(tier, kind) - 1, (prog.name, kind, tier)
        assert kp.result.gap <= 1e-4, (kind, kp.result.gap)  # the real plan structure (issue 3)


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
