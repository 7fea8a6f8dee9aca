"""Quota snapshots from the warehouse, and reloads when a new plan is written (no restart)."""

from __future__ import annotations

from datetime import date, datetime

import duckdb
from serve_helpers import DAY, url_of, write_plan

from guanghe.serve.plans import PlanSource, load


def test_snapshot_has_the_days_quotas_and_recent_works(plan_file: str) -> None:
    s = load(url_of(plan_file), DAY)
    assert s.plan_id == "p1"
    assert s.quotas == {1: (("a", 30),), 2: (("a", 10), ("b", 5)), 3: (("b", 1),)}
    assert s.works == {1: (13, 12, 11), 2: (21,), 3: (31,)} and s.category == {
        1: "food",
        2: "tech",
        3: "food",
    }
    assert s.impressions == 46 and load(url_of(plan_file), date(2023, 7, 2)).quotas == {}
    assert s.scaled(0.5).quotas == {1: (("a", 15),), 2: (("a", 5), ("b", 2))}  # 2.5 -> 2 (banker's), 0.5 -> 0


def test_missing_plan_tables_give_an_empty_plan(tmp_path) -> None:
    path = str(tmp_path / "empty.duckdb")
    duckdb.connect(path).close()
    assert load(url_of(path), DAY).quotas == {}


def test_a_newer_plan_is_picked_up_by_poll_and_the_file_is_not_held(plan_file: str) -> None:
    src = PlanSource(url_of(plan_file), DAY)
    assert src.snapshot.plan_id == "p1" and not src.poll()  # unchanged file: nothing to do
    # the service holds no connection: another process can write right now
    write_plan(plan_file, "p2", {(1, "a"): 7}, datetime(2026, 2, 1))
    assert src.poll()
    assert src.snapshot.plan_id == "p2" and src.snapshot.quotas == {1: (("a", 7),)}
    assert src.reloads == 2


def test_a_locked_file_keeps_the_old_plan_until_the_next_poll(plan_file: str) -> None:
    src = PlanSource(url_of(plan_file), DAY)
    writer = duckdb.connect(plan_file)  # a writer (as `guanghe allocate`) holds the file
    writer.execute("SELECT 1").fetchall()
    write_plan_with(writer)
    src._seen = None  # force a look even if the mtime did not move yet
    src.poll()
    assert src.snapshot.plan_id == "p1"  # (a lock error, or the same plan: either way the old one serves)
    writer.close()
    src._seen = None
    assert src.poll() and src.snapshot.plan_id == "p3"


def write_plan_with(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("INSERT INTO allocation_quotas VALUES ('p3', 1, 'a', ?, 9, 0)", [DAY])
    con.execute(
        "INSERT INTO allocation_programs SELECT 'p3', program, kind, as_of, ?, budget, allocated, creators, "
        "shadow_price, budget_price, price_head, price_waist, price_tail, budget_binding, floors_binding, primal, "
        "dual_bound, gap FROM allocation_programs WHERE plan_id = 'p1' LIMIT 1",
        [datetime(2026, 3, 1)],
    )
