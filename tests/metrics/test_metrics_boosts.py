"""Boosts delivered by ``guanghe serve``/``replay`` do not move the ecosystem figures.

The service writes delivered boosts into the warehouse (``guanghe.serve.flush.write_batch``: work_boost rows
and boosted_impressions in work_daily) for the days it runs, after the platform's data ends. Those rows must
not make a near-empty month the "past year"'s last month (issue 8: works YoY +4.6% instead of +14.7%, the
12-month streak 0).
"""

from __future__ import annotations

from datetime import date

from guanghe.data.warehouse.duckdb import DuckDBWarehouse
from guanghe.metrics import compute, data_range
from guanghe.metrics.headline import headline
from guanghe.serve.flush import write_batch

DELIVERED = {  # (platform day, work, creator, program): impressions, as the service drains them
    ("2023-07-01", 112, 1, "guanghe"): 500,
    ("2023-07-02", 211, 2, "guanghe"): 300,
    ("2023-07-03", 401, 4, "juguang"): 50,
}


def snapshot(path: str) -> tuple[list[dict], list[tuple]]:
    wh = DuckDBWarehouse(path)
    try:
        tables = wh.tables()
        return [v.to_dict() for v in compute(tables)], [
            (r.figure, r.value.to_dict()) for r in headline(tables)
        ]
    finally:
        wh.close()


def test_boosts_after_the_data_do_not_change_the_default_period(platform_until) -> None:
    path = platform_until(date(2023, 6, 30))  # the platform's data ends 2023-06-30 (c4's 23:59:59 work)
    before, figures = snapshot(path)
    period = before[0]["period"]
    assert (period["start"], period["end"]) == ("2022-07-01", "2023-06-30")
    works = next(v for v in before if v["name"] == "works_published")
    streak = next(v for v in before if v["name"] == "creators_12_months")
    # 2022-07..2023-06: c1 12, c2 11, c3 3, c4 06-30 1, c5 2023-02-28 1 = 28; c1 posted in all 12 months.
    assert (works["value"], streak["value"]) == (28, 1)

    for i, (key, n) in enumerate(DELIVERED.items()):  # three flushes, one per served day
        assert write_batch(f"duckdb:///{path}", f"replay-{i}", {key: n})
    after, figures_after = snapshot(path)
    assert after[0]["period"]["end"] == "2023-06-30"  # not a window ending in a 3-day July
    assert after == before  # every catalog value, prior and previous value, and period
    assert figures_after == figures  # the report's headline figures (past year, last half-year)
    assert period["partial"] is False

    wh = DuckDBWarehouse(path)
    try:
        rows = wh.raw.execute("SELECT count(*), max(date) FROM work_daily").fetchall()
        assert rows == [(3, date(2023, 7, 3))]  # the service's rows are there
        assert wh.raw.execute("SELECT max(date) FROM work_boost").fetchall() == [(date(2023, 7, 3),)]
        tables = wh.tables()
        assert data_range(tables) == (date(2022, 3, 1), date(2023, 6, 30))
        # Asked for explicitly, July holds the delivered boosts and is flagged: the data does not cover it.
        july = {v.name: v for v in compute(tables, "2023-07", ["support_impressions", "works_published"])}
        assert july["support_impressions"].value == 850
        p = july["works_published"].period
        assert (p.partial, p.covered_start, p.covered_end) == (True, None, None)
        assert p.data_end == date(2023, 6, 30)
    finally:
        wh.close()
