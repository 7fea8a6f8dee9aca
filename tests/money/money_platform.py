"""A hand-made platform for the money tests: a few creators and works, and money events written row by row
into a real DuckDB warehouse file, so every expected fen can be computed by hand."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from pathlib import Path

import pyarrow as pa

from guanghe.data.schema import TABLES
from guanghe.data.warehouse import open_warehouse

DEFAULTS = {
    "creators": {"joined_on": date(2022, 1, 1), "region": "east", "category": "food", "mcn_id": None,
                 "is_ecommerce": True, "is_local_life": True},
    "works": {"kind": "short_video", "category": "food", "duration_s": 30, "title": None},
    "ecommerce_orders": {"merchant_id": 500, "product_id": 1, "touchpoint": "short_video", "commission_bps": 1000,
                         "delivered_at": None, "refunded_at": None, "refund_fen": 0},
    "local_life_orders": {"store_id": 600, "commission_bps": 1000, "redeemed_at": None, "refunded_at": None,
                          "refund_fen": 0},
    "creator_daily": {"follows_lost": 0},
    "brand_orders": {"brand_id": 700},
    "task_rewards": {"task_id": "t1"},
}  # fmt: skip


class Platform:
    """Rows by table; ``write(path)`` stores them in a new DuckDB warehouse and returns its URL."""

    def __init__(self) -> None:
        self.rows: dict[str, list[dict]] = defaultdict(list)

    def add(self, table: str, **row) -> Platform:
        self.rows[table].append({**DEFAULTS.get(table, {}), **row})
        return self

    def creator(self, creator_id: int, **kw) -> Platform:
        return self.add("creators", creator_id=creator_id, **kw)

    def work(self, work_id: int, creator_id: int, published_at: datetime) -> Platform:
        return self.add("works", work_id=work_id, creator_id=creator_id, published_at=published_at)

    def write(self, path: Path) -> str:
        url = f"duckdb:///{path}"
        wh = open_warehouse(url, create=True)
        try:
            append(wh, self.rows)
        finally:
            wh.close()
        return url


def append(wh, rows: dict[str, list[dict]]) -> None:
    """Merge rows (by table) into an open warehouse."""
    with wh.writer() as w:
        for name in sorted(rows, key=lambda n: TABLES[n].load_order):
            t = TABLES[name]
            cols = {c: [r.get(c) for r in rows[name]] for c in t.names}
            w.merge(name, pa.Table.from_pydict(cols, schema=t.arrow_schema()))
