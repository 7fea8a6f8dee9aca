"""A hand-made platform for the money tests: a few creators and works, and money events written row by row
into a real DuckDB warehouse file, so every expected fen can be computed by hand."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from pathlib import Path

import pyarrow as pa

from guanghe.allocate.store import PLAN, PROGRAMS, QUOTAS
from guanghe.data.schema import TABLES
from guanghe.data.warehouse import open_warehouse
from guanghe.data.warehouse.duckdb import ddl

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
        self.plans: list[tuple] = []

    def add(self, table: str, **row) -> Platform:
        self.rows[table].append({**DEFAULTS.get(table, {}), **row})
        return self

    def creator(self, creator_id: int, **kw) -> Platform:
        return self.add("creators", creator_id=creator_id, **kw)

    def work(self, work_id: int, creator_id: int, published_at: datetime) -> Platform:
        return self.add("works", work_id=work_id, creator_id=creator_id, published_at=published_at)

    def plan(
        self, plan_id: str, created_at: datetime, program: str, creator_id: int, cash: dict[date, int]
    ) -> Platform:
        """A (creator, program) line of an allocation plan with daily cash quotas (plan tables of allocate)."""
        self.plans.append((plan_id, created_at, program, creator_id, cash))
        return self

    def write(self, path: Path) -> str:
        url = f"duckdb:///{path}"
        wh = open_warehouse(url, create=True)
        try:
            append(wh, self.rows)
            if self.plans:
                write_plans(wh, self.plans)
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


_FILL = {pa.int64(): 0, pa.int32(): 0, pa.float64(): 0.0, pa.string(): "", pa.bool_(): False,
         pa.date32(): date(2023, 1, 1), pa.timestamp("us"): datetime(2023, 1, 1)}  # fmt: skip


def _rows(table, rows: list[dict]) -> pa.Table:
    cols = {c.name: [r.get(c.name, _FILL[c.type]) for r in rows] for c in table.columns}
    return pa.Table.from_pydict(cols, schema=table.arrow_schema())


def write_plans(wh, plans: list[tuple]) -> None:
    """Store plan lines the way ``guanghe allocate`` does (its declared tables), with filler where the money
    room reads nothing."""
    plan, progs, quotas = [], {}, []
    for plan_id, created_at, program, creator, cash in plans:
        plan.append(
            {"plan_id": plan_id, "creator_id": creator, "program": program, "cash_fen": sum(cash.values())}
        )
        progs[(plan_id, program)] = {"plan_id": plan_id, "program": program, "kind": "cash_fen",
                                     "created_at": created_at}  # fmt: skip
        quotas += [{"plan_id": plan_id, "creator_id": creator, "program": program, "date": d, "cash_fen": v}
                   for d, v in cash.items()]  # fmt: skip
    raw = wh.raw
    for t, rows in ((PLAN, plan), (PROGRAMS, list(progs.values())), (QUOTAS, quotas)):
        raw.execute(ddl(t))
        raw.register("_rows", _rows(t, rows))
        raw.execute(f'INSERT INTO "{t.name}" SELECT * FROM _rows')
        raw.unregister("_rows")
