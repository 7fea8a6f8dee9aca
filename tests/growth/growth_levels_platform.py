"""A hand-made platform for the levels tests: 4 creators whose features cross the rules' boundaries.

Rules (RULES): silver needs works_90d >= 4 (keep >= 3, the 0.25 margin) and violations_90d <= 0 (keep <= 1);
gold needs followers >= 10000 (keep >= 7500) and active_days_90d >= 4 (keep >= 3). Runs on D1, D2, D3.

Windows (90 days ending the day): D1 2023-01-31..04-30, D2 2023-03-03..05-31, D3 2023-04-02..06-30.

- creator 1: works 02-10 02-20 03-10 04-10 05-15 -> works_90d 4 / 3 / 2: silver on D1, kept on D2 (3 >= 3,
  below the entry 4: hysteresis), base on D3 (keep rule works_90d >= 3 fails).
- creator 2: 20,000 followers, then 8,000 from 05-20 and 7,000 from 06-20; works on 04-05 (twice), 04-15,
  04-25, 04-28, 05-05, 05-15, 05-25, 06-05, 06-15: gold on D1 (5 works on 4 active days), kept on D2
  (8,000 >= 7,500), silver on D3 (gold's keep fails, silver's entry holds).
- creator 3: works 03-05 03-15 03-25 04-05 04-15 05-05 05-10 06-01 06-10; a violation on 02-15: base on D1
  (violations_90d 1), silver on D2 (the violation left the window), silver on D3.
- creator 4: joins 2023-05-10, no works: not a creator on D1; base after.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pyarrow as pa

from guanghe.data.schema import TABLES
from guanghe.data.warehouse.duckdb import DuckDBWarehouse

D1, D2, D3 = date(2023, 4, 30), date(2023, 5, 31), date(2023, 6, 30)
D, T = date.fromisoformat, datetime.fromisoformat

RULES = """\
[hysteresis]
margin = 0.25

[[level]]
name = "base"
title = "Base"

[[level]]
name = "silver"
task_center = true
traffic_coupon = 10

[[level]]
name = "gold"
task_center = true
ad_share = true
fee_discount_bps = 800
traffic_coupon = 50

[[rule]]
level = "silver"
feature = "works_90d"
op = ">="
value = 4

[[rule]]
level = "silver"
feature = "violations_90d"
op = "<="
value = 0
keep = 1

[[rule]]
level = "gold"
feature = "followers"
op = ">="
value = 10000

[[rule]]
level = "gold"
feature = "active_days_90d"
op = ">="
value = 4
"""

CREATORS = [
    (1, D("2020-01-01"), "east", "food", None, False, False),
    (2, D("2020-01-01"), "south", "comedy", None, False, False),
    (3, D("2021-01-01"), "north", "tech", None, False, False),
    (4, D("2023-05-10"), "east", "pets", None, False, False),
]
CREATOR_DAILY = [
    (1, D("2023-01-01"), 100, 0),
    (2, D("2023-01-01"), 20_000, 0),
    (2, D("2023-05-20"), 8_000, 0),
    (2, D("2023-06-20"), 7_000, 0),
    (3, D("2023-01-01"), 500, 0),
]
_DAYS = {
    1: ["02-10", "02-20", "03-10", "04-10", "05-15"],
    2: ["04-05", "04-05", "04-15", "04-25", "04-28", "05-05", "05-15", "05-25", "06-05", "06-15"],
    3: ["03-05", "03-15", "03-25", "04-05", "04-15", "05-05", "05-10", "06-01", "06-10"],
}
WORKS = [
    (c * 100 + i, c, T(f"2023-{d} {10 + i % 2 * 8}:00:00"))
    for c, days in _DAYS.items()
    for i, d in enumerate(days)
]
VIOLATIONS = [(1, 3, D("2023-02-15"), "spam", None)]


def _table(name: str, rows: list[tuple], columns: list[str] | None = None) -> pa.Table:
    schema = TABLES[name].arrow_schema()
    columns = columns or schema.names
    data = {c: [r[i] for r in rows] for i, c in enumerate(columns)}
    fill = {"kind": "short_video", "category": "food", "duration_s": 30}
    return pa.table(
        {f.name: pa.array(data.get(f.name, [fill.get(f.name)] * len(rows)), f.type) for f in schema},
        schema=schema,
    )


def build_platform(path: Path) -> DuckDBWarehouse:
    wh = DuckDBWarehouse(str(path))
    data = {
        "creators": _table("creators", CREATORS),
        "creator_daily": _table("creator_daily", CREATOR_DAILY),
        "works": _table("works", WORKS, ["work_id", "creator_id", "published_at"]),
        "creator_violations": _table("creator_violations", VIOLATIONS),
    }
    with wh.writer() as w:
        for name, rows in data.items():
            w.merge(name, rows.append_column("_row", pa.array(range(1, rows.num_rows + 1), pa.int64())))
    return wh


def synth_warehouse(root: Path, creators: int = 3_000, months: int = 4) -> DuckDBWarehouse:
    """A small synthetic platform (window ending 2023-06-30) loaded into a DuckDB file."""
    from guanghe.synth import SynthConfig, generate

    generate(SynthConfig(creators=creators, months=months, seed=11), root / "synth")
    wh = DuckDBWarehouse(str(root / "synth.duckdb"))
    for name in ("creators", "works", "work_daily", "creator_daily", "creator_violations"):
        glob = str(root / "synth" / "data" / name / "*.parquet")
        wh.raw.execute(f"INSERT INTO \"{name}\" SELECT * FROM read_parquet('{glob}')")
    return wh
