"""Performance of delivered works, per order and per campaign (``market.performance`` over the warehouse).

The warehouse is opened read-only for each request (the app keeps it closed so ingestion can write); a
warehouse that cannot be opened right now (a writer holds it) is a 503. Figures run through the catalog's
day (``as_of``), days in the platform zone.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Depends, Path

from guanghe.data.warehouse import WarehouseError, open_warehouse
from guanghe.market.api.auth import authorize
from guanghe.market.api.orders import visible_campaign, visible_order
from guanghe.market.api.problems import Problem, responses
from guanghe.market.api.routes import Caller, Market
from guanghe.market.offers import list_orders
from guanghe.market.performance import campaign_performance, works_performance

router = APIRouter(prefix="/v1/market", dependencies=[Depends(authorize)], responses=responses(401, 403))
Id = Annotated[int, Path(ge=1, le=2**63 - 1)]


def _works(m: Market, work_ids: list[int]) -> tuple[list[dict], dict]:
    try:
        wh = open_warehouse(m.settings.warehouse, read_only=True)  # type: ignore[attr-defined]
    except WarehouseError as e:
        raise Problem(503, f"the warehouse cannot be read right now: {e}") from e
    try:
        rows = works_performance(wh, work_ids, m.as_of, m.zone).to_pylist()
        total = asdict(campaign_performance(wh, work_ids, m.as_of))
    finally:
        wh.close()
    return rows, total


@router.get("/orders/{order_id}/performance", name="order_performance", responses=responses(404, 503))
def order_performance(m: Market, caller: Caller, order_id: Id) -> dict:
    """The order's delivered work: impressions, plays, completion, engagement, follows (none before delivery)."""
    order = visible_order(m, caller, order_id)
    rows, total = _works(m, [order.work_id] if order.work_id else [])
    return {"order_id": order_id, "through": m.as_of.isoformat(), "works": rows, "total": total}


@router.get(
    "/campaigns/{campaign_id}/performance", name="campaign_performance", responses=responses(404, 503)
)
def campaign_report(m: Market, caller: Caller, campaign_id: Id) -> dict:
    """Every delivered work of the campaign's orders, and their totals (rates from the sums)."""
    visible_campaign(m, caller, campaign_id)
    orders, _ = list_orders(m.db, limit=100_000, campaign_id=campaign_id)
    works = sorted({o.work_id for o in orders if o.work_id})
    rows, total = _works(m, works)
    return {"campaign_id": campaign_id, "through": m.as_of.isoformat(), "works": rows, "total": total}
