"""Delivery checks against the warehouse: who a work belongs to."""

from __future__ import annotations

from collections.abc import Callable

from guanghe.data.warehouse import Warehouse


def warehouse_work_owner(wh: Warehouse) -> Callable[[int], int | None]:
    """``owner(work_id)``: the creator id of the work in the warehouse's ``works`` table, None when there is
    no such work — what ``market.orders.deliver`` checks a delivery with."""
    works = wh.table("works")

    def owner(work_id: int) -> int | None:
        found = wh.fetch(works.filter(works.work_id == work_id).select("creator_id").limit(1))
        return found.column(0)[0].as_py() if found.num_rows else None

    return owner
