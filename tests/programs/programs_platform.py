"""The hand-made platform (5 creators) and a valid program file, shared by the programs tests.

Feature values expected as of 2023-06-30 are computed by hand in test_programs_features.py.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pyarrow as pa

from guanghe.data.schema import TABLES
from guanghe.data.warehouse.duckdb import DuckDBWarehouse

AS_OF = date(2023, 6, 30)
D, T = date.fromisoformat, datetime.fromisoformat

CREATORS = [
    # creator_id, joined_on, region, category, mcn_id, is_ecommerce, is_local_life
    (1, D("2020-01-01"), "east", "food", None, True, False),
    (2, D("2023-03-01"), "south", "comedy", 7, False, True),
    (3, D("2023-01-01"), "north", "tech", None, False, False),
    (4, D("2023-07-15"), "east", "pets", None, False, False),  # joins after as_of: no features row
    (5, D("2021-05-05"), "central", "music", None, False, False),  # no creator_daily rows, no works
]
CREATOR_DAILY = [
    (1, D("2023-01-01"), 9_000, 0),
    (1, D("2023-06-30"), 12_000, 0),
    (1, D("2023-07-02"), 2_000_000, 0),  # after as_of: ignored
    (2, D("2023-03-01"), 0, 0),
    (2, D("2023-05-10"), 500, 0),
    (3, D("2023-01-01"), 1_500_000, 0),
    (4, D("2023-07-15"), 10, 0),
]
WORKS = [
    # work_id, creator_id, published_at
    (101, 1, T("2023-06-30 23:59:59")),
    (102, 1, T("2023-06-01 00:00:00")),  # first day of the 30-day window
    (103, 1, T("2023-05-31 12:00:00")),
    (104, 1, T("2023-04-02 00:00:00")),  # first day of the 90-day window
    (105, 1, T("2023-04-01 10:00:00")),  # just before it
    (106, 1, T("2022-07-15 08:00:00")),  # first month of the 12
    (107, 1, T("2022-06-30 08:00:00")),  # the month before
    (108, 1, T("2023-07-01 00:00:00")),  # after as_of
    (201, 2, T("2023-05-10 09:00:00")),
]
WORK_DAILY = [
    # work_id, date, organic, boosted, plays, completed, likes, comments, shares, follows_gained
    (101, D("2023-06-30"), 1000, 500, 800, 200, 40, 8, 2, 6),
    (101, D("2023-07-01"), 9999, 0, 9999, 9999, 99, 99, 99, 99),  # after as_of
    (102, D("2023-06-01"), 2000, 0, 1200, 300, 50, 10, 0, 9),
    (104, D("2023-04-02"), 500, 0, 200, 100, 10, 0, 0, 5),
    (105, D("2023-04-01"), 5000, 0, 4000, 4000, 1000, 0, 0, 100),  # before the 90 days
    (201, D("2023-05-10"), 300, 100, 0, 0, 0, 0, 0, 1),
]


def _table(name: str, rows: list[tuple], columns: list[str] | None = None) -> pa.Table:
    schema = TABLES[name].arrow_schema()
    columns = columns or schema.names
    data = {c: [r[i] for r in rows] for i, c in enumerate(columns)}
    out = {}
    for f in schema:
        if f.name in data:
            out[f.name] = pa.array(data[f.name], f.type)
        elif f.name == "kind":
            out[f.name] = pa.array(["short_video"] * len(rows), f.type)
        elif f.name == "category":
            out[f.name] = pa.array(["food"] * len(rows), f.type)
        elif f.name == "duration_s":
            out[f.name] = pa.array([30] * len(rows), f.type)
        else:
            out[f.name] = pa.array([None] * len(rows), f.type)
    return pa.table(out, schema=schema)


def build_platform(path: Path) -> DuckDBWarehouse:
    wh = DuckDBWarehouse(str(path))
    data = {
        "creators": _table("creators", CREATORS),
        "creator_daily": _table("creator_daily", CREATOR_DAILY),
        "works": _table("works", WORKS, ["work_id", "creator_id", "published_at"]),
        "work_daily": _table("work_daily", WORK_DAILY),
    }
    for name, rows in data.items():
        wh.raw.register("_fixture", rows)
        wh.raw.execute(f'INSERT INTO "{name}" SELECT * FROM _fixture')
        wh.raw.unregister("_fixture")
    return wh


VALID = """\
name = "demo"
title = "演示计划"

[period]
start = 2023-07-01
end = 2024-06-30

[scale]
creators = 1_000

[budget]
impressions = 1_000_000
cash_fen = 500_000

[caps]
impressions = 400_000

[floors]
tail = 0.4

[outcome]
follower_growth = 0.75
income = 0.25

[delivery]
start = 2023-08-01
hours = "evening"

[[eligibility]]
feature = "works_90d"
op = ">="
value = 1

[[eligibility]]
feature = "tier"
op = "in"
value = ["waist", "tail"]
"""
