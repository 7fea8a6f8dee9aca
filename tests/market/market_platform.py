"""A hand-made warehouse for the discovery tests: rows by table, defaults for the columns a test does not
care about, written into an in-memory DuckDB warehouse (through its raw connection: ingestion is tested apart)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

import pyarrow as pa

from guanghe.data.schema import TABLES
from guanghe.data.warehouse.duckdb import DuckDBWarehouse

DEFAULTS = {
    "creators": {"joined_on": date(2020, 1, 1), "region": "east", "category": "food", "mcn_id": None,
                 "is_ecommerce": False, "is_local_life": False},
    "works": {"kind": "short_video", "category": "food", "duration_s": 30, "title": None, "fingerprint": None},
    "work_daily": {"organic_impressions": 0, "boosted_impressions": 0, "plays": 0, "completed_plays": 0,
                   "likes": 0, "comments": 0, "shares": 0, "follows_gained": 0},
    "creator_daily": {"follows_lost": 0},
    "brand_orders": {"brand_id": 700},
}  # fmt: skip


class Platform:
    def __init__(self) -> None:
        self.rows: dict[str, list[dict]] = defaultdict(list)
        self._order = 0

    def add(self, table: str, **row) -> Platform:
        self.rows[table].append({**DEFAULTS.get(table, {}), **row})
        return self

    def creator(self, creator_id: int, **kw) -> Platform:
        return self.add("creators", creator_id=creator_id, **kw)

    def followers(self, creator_id: int, day: date, followers: int) -> Platform:
        return self.add("creator_daily", creator_id=creator_id, date=day, followers=followers)

    def work(self, work_id: int, creator_id: int, published_at: datetime, **kw) -> Platform:
        return self.add("works", work_id=work_id, creator_id=creator_id, published_at=published_at, **kw)

    def day(self, work_id: int, day: date, **counts: int) -> Platform:
        return self.add("work_daily", work_id=work_id, date=day, **counts)

    def boost(self, work_id: int, day: date, program: str, impressions: int = 10) -> Platform:
        return self.add("work_boost", work_id=work_id, date=day, program=program, impressions=impressions)

    def deal(self, creator_id: int, completed_at: datetime, price_fen: int) -> Platform:
        self._order += 1
        return self.add(
            "brand_orders", order_id=self._order, creator_id=creator_id, completed_at=completed_at,
            price_fen=price_fen,
        )  # fmt: skip

    def warehouse(self) -> DuckDBWarehouse:
        wh = DuckDBWarehouse(None)
        for t in sorted(TABLES.values(), key=lambda t: t.load_order):
            rows = self.rows.get(t.name)
            if rows:
                data = pa.Table.from_pylist(rows, schema=t.arrow_schema())
                wh.raw.register("_rows", data)
                wh.raw.execute(f'INSERT INTO "{t.name}" SELECT * FROM _rows')
                wh.raw.unregister("_rows")
        return wh
