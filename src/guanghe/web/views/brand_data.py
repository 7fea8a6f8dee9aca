"""Delivered works' performance for the brand pages (``market.performance`` over the warehouse)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from guanghe.data.warehouse import Warehouse
from guanghe.market.performance import campaign_performance, works_performance


def performance(wh: Warehouse, work_ids: list[int], as_of: date, zone: ZoneInfo) -> dict[str, Any]:
    """The works' rows and their totals through ``as_of`` (empty without works)."""
    rows = works_performance(wh, work_ids, as_of, zone).to_pylist() if work_ids else []
    return {"works": rows, "total": asdict(campaign_performance(wh, work_ids, as_of))}
