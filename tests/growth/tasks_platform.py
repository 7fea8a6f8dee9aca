"""A hand-built platform for the task-center tests: a few creators, works, plays and storefront orders in
May 2023 (platform zone UTC unless a test says otherwise), with every completion known by hand.

Creators 1-3 and 5 are food creators, 4 travel, 6 joined in May. ``publish`` (2 food works) completes for
3 (05-02 13:00), 1 (05-03 10:00), 2 (05-04 08:00) — in that order; 5 has one food work, 4 is outside a
food audience. Work 10 (creator 1) reaches 1,000 plays on 05-03. First lives in May: 3 (05-05), 6 (05-12);
2 went live in April. Creator 1's storefront orders reach 5,000 fen on 05-06; creator 2's only one is refunded.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pyarrow as pa

from guanghe.data.schema import TABLES
from guanghe.data.warehouse import open_warehouse

DEFAULTS = {
    "creators": {"joined_on": date(2023, 1, 1), "region": "east", "mcn_id": None, "is_ecommerce": True,
                 "is_local_life": False},
    "works": {"duration_s": 30},
    "ecommerce_orders": {"merchant_id": 500, "product_id": 1, "commission_bps": 1000, "delivered_at": None},
}  # fmt: skip

MAY = (date(2023, 5, 1), date(2023, 5, 31))


def _ts(day: int, hour: int = 0, month: int = 5) -> datetime:
    return datetime(2023, month, day, hour)


CREATORS = [
    {"creator_id": 1, "category": "food"}, {"creator_id": 2, "category": "food"},
    {"creator_id": 3, "category": "food"}, {"creator_id": 4, "category": "travel"},
    {"creator_id": 5, "category": "food", "region": "north"},
    {"creator_id": 6, "category": "food", "joined_on": date(2023, 5, 10)},
]  # fmt: skip
WORKS = [  # work_id, creator, published_at, kind, category
    (1, 1, _ts(2, 10), "short_video", "food"), (2, 1, _ts(3, 10), "short_video", "food"),
    (3, 2, _ts(1, 9), "short_video", "food"), (4, 2, _ts(4, 8), "short_video", "food"),
    (5, 3, _ts(2, 12), "short_video", "food"), (6, 3, _ts(2, 13), "short_video", "food"),
    (7, 4, _ts(2, 1), "short_video", "food"), (8, 4, _ts(2, 2), "short_video", "food"),
    (9, 5, _ts(6, 9), "short_video", "food"),
    (10, 1, _ts(2, 20), "short_video", "travel"),
    (11, 2, _ts(20, 20, month=4), "live", "food"), (12, 2, _ts(8, 20), "live", "food"),
    (13, 3, _ts(5, 21), "live", "food"), (14, 6, _ts(12, 20), "live", "food"),
    (15, 1, _ts(9, 10), "short_video", "food"),
]  # fmt: skip
PLAYS = [(10, date(2023, 5, 2), 600), (10, date(2023, 5, 3), 500), (1, date(2023, 5, 3), 900)]
ORDERS = [  # order_id, creator, touchpoint, paid_at, amount, refunded_at, refund
    (1, 1, "storefront", _ts(5, 10), 3_000, None, 0), (2, 1, "storefront", _ts(6, 11), 2_500, None, 0),
    (3, 1, "short_video", _ts(4, 11), 9_000, None, 0), (4, 2, "storefront", _ts(5, 9), 6_000, _ts(7), 6_000),
]  # fmt: skip


def rows() -> dict[str, list[dict]]:
    works = [{**DEFAULTS["works"], "work_id": w, "creator_id": c, "published_at": at, "kind": k, "category": cat,
              "title": f"{cat} vlog #{w}"} for w, c, at, k, cat in WORKS]  # fmt: skip
    daily = [{"work_id": w, "date": d, "plays": p, "organic_impressions": p, "boosted_impressions": 0,
              "completed_plays": 0, "likes": 0, "comments": 0, "shares": 0, "follows_gained": 0}
             for w, d, p in PLAYS]  # fmt: skip
    orders = [{**DEFAULTS["ecommerce_orders"], "order_id": o, "creator_id": c, "touchpoint": tp, "paid_at": at,
               "amount_fen": a, "refunded_at": r, "refund_fen": rf} for o, c, tp, at, a, r, rf in ORDERS]  # fmt: skip
    return {"creators": [{**DEFAULTS["creators"], **c} for c in CREATORS], "works": works, "work_daily": daily,
            "ecommerce_orders": orders}  # fmt: skip


def write(path: Path, extra: dict[str, list[dict]] | None = None) -> str:
    """The platform in a new DuckDB warehouse file; returns its URL."""
    url = f"duckdb:///{path}"
    data = rows()
    for k, v in (extra or {}).items():
        data.setdefault(k, []).extend(v)
    wh = open_warehouse(url, create=True)
    try:
        with wh.writer() as w:
            for name in sorted(data, key=lambda n: TABLES[n].load_order):
                t = TABLES[name]
                cols = {c: [r.get(c) for r in data[name]] for c in t.names}
                w.merge(name, pa.Table.from_pydict(cols, schema=t.arrow_schema()))
    finally:
        wh.close()
    return url


def task_file(folder: Path, task_id: str, goal: str, *, start: str = "2023-05-01", end: str = "2023-05-31",
              audience: str = "", reward: int = 100, first: int | None = None, limits: str = "") -> Path:  # fmt: skip
    """Write one task file into ``folder``; ``goal``/``audience``/``limits`` are the tables' bodies."""
    folder.mkdir(parents=True, exist_ok=True)
    text = f'id = "{task_id}"\ntitle = "{task_id}"\n\n[window]\nstart = {start}\nend = {end}\n\n'
    if audience:
        text += f"[audience]\n{audience}\n\n"
    text += f"[goal]\n{goal}\n\n[reward]\nfen = {reward}\n" + (f"first = {first}\n" if first else "")
    if limits:
        text += f"\n[limits]\n{limits}\n"
    p = folder / f"{task_id}.toml"
    p.write_text(text, encoding="utf-8")
    return p
