"""Campaigns and proposals: a brand posts a campaign, then offers it to a creator, or a creator (or its MCN)
applies to it. Either way an order is made in state ``offered`` with the proposed price and its fee."""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from guanghe.appdb import AppDb, Principal
from guanghe.appdb.market_models import DELIVERABLES, CampaignRow, OfferRow, OrderEventRow, OrderRow
from guanghe.market.errors import Forbidden, MarketError, NotFound
from guanghe.market.escrow import fee_terms
from guanghe.market.order_types import Event, Market, Order, utc

TITLE_MAX = 200


def check_price(price_fen: int) -> int:
    if isinstance(price_fen, bool) or not isinstance(price_fen, int) or not 0 < price_fen < 2**62:
        raise MarketError(f"price_fen {price_fen!r}: expected a positive integer (fen)")
    return price_fen


def check_deliverable(deliverable: str) -> str:
    if deliverable not in DELIVERABLES:
        raise MarketError(f"deliverable {deliverable!r}: expected one of {', '.join(DELIVERABLES)}")
    return deliverable


def create_campaign(
    db: AppDb,
    brand: Principal,
    title: str,
    brief: str,
    categories: Collection[str],
    budget_fen: int,
    deadline: date,
    max_creators: int | None = None,
    max_per_mcn: int | None = None,
    now: datetime | None = None,
) -> int:
    """A brand's new open campaign; its id. Only a brand with an external id (its ledger id) may post one."""
    if brand.kind != "brand" or brand.external_id is None:
        raise Forbidden(f"principal {brand.id} ({brand.kind}) cannot post a campaign: brands only")
    if not title.strip() or len(title) > TITLE_MAX:
        raise MarketError(f"title {title!r}: expected 1..{TITLE_MAX} characters")
    check_price(budget_fen)
    for name, cap in (("max_creators", max_creators), ("max_per_mcn", max_per_mcn)):
        if cap is not None and cap <= 0:
            raise MarketError(f"{name} {cap!r}: expected a positive integer or none")
    with Session(db.engine) as s, s.begin():
        row = CampaignRow(brand_principal_id=brand.id, brand_id=brand.external_id, title=title, brief=brief,
                          categories=",".join(categories), budget_fen=budget_fen, deadline=deadline,
                          max_creators=max_creators, max_per_mcn=max_per_mcn, status="open", created_at=utc(now))  # fmt: skip
        s.add(row)
        s.flush()
        return row.id


def make_offer(
    m: Market,
    brand: Principal,
    campaign_id: int,
    creator_id: int,
    deliverable: str,
    price_fen: int,
    programs: Collection[str] = (),
    mcn_id: int | None = None,
    pitch: str | None = None,
    now: datetime | None = None,
    level_discount_bps: int = 0,
) -> Order:
    """A brand offers its campaign to a creator at ``price_fen``: an order in ``offered``; the creator (or
    its MCN) accepts, declines or counters. ``programs``: the creator's programs (fee discounts);
    ``level_discount_bps``: its growth level's fee discount; ``mcn_id``: the agency holding the creator's
    current contract, if any (the caller reads them)."""
    return _propose(m, brand, "offer", campaign_id, creator_id, deliverable, price_fen, programs, mcn_id, pitch,
                    now, level_discount_bps)  # fmt: skip


def apply(
    m: Market,
    actor: Principal,
    campaign_id: int,
    creator_id: int,
    deliverable: str,
    price_fen: int,
    programs: Collection[str] = (),
    mcn_id: int | None = None,
    pitch: str | None = None,
    now: datetime | None = None,
    level_discount_bps: int = 0,
) -> Order:
    """A creator (or its MCN: ``mcn_id`` must be the actor's) applies to a campaign: an order in ``offered``
    that the brand accepts or declines."""
    if actor.kind == "creator" and actor.external_id != creator_id:
        raise Forbidden(
            f"principal {actor.id} (creator {actor.external_id}) cannot apply for creator {creator_id}"
        )
    if actor.kind == "mcn" and (mcn_id is None or actor.external_id != mcn_id):
        raise Forbidden(
            f"principal {actor.id} (mcn {actor.external_id}) does not hold creator {creator_id}'s contract"
        )
    if actor.kind not in ("creator", "mcn"):
        raise Forbidden(f"principal {actor.id} ({actor.kind}) cannot apply: creators and their MCNs only")
    return _propose(m, actor, "application", campaign_id, creator_id, deliverable, price_fen, programs, mcn_id,
                    pitch, now, level_discount_bps)  # fmt: skip


def _propose(m: Market, actor: Principal, direction: str, campaign_id: int, creator_id: int, deliverable: str,
             price_fen: int, programs: Collection[str], mcn_id: int | None, pitch: str | None,
             now: datetime | None, level_discount_bps: int = 0) -> Order:  # fmt: skip
    check_deliverable(deliverable)
    check_price(price_fen)
    at = utc(now)
    fee, bps, program = fee_terms(m.fees, price_fen, programs, level_discount_bps)
    with Session(m.db.engine) as s, s.begin():
        campaign = s.get(CampaignRow, campaign_id)
        if campaign is None:
            raise NotFound(f"no campaign {campaign_id}")
        if direction == "offer" and (actor.kind != "brand" or actor.external_id != campaign.brand_id):
            raise Forbidden(
                f"principal {actor.id} ({actor.kind}) cannot offer campaign {campaign_id}: not its brand"
            )
        if campaign.status != "open":
            raise MarketError(f"campaign {campaign_id} is {campaign.status}: no new offers")
        offer = OfferRow(campaign_id=campaign_id, creator_id=creator_id, mcn_id=mcn_id, deliverable=deliverable,
                         price_fen=price_fen, direction=direction, pitch=pitch, status="open", created_at=at)  # fmt: skip
        s.add(offer)
        s.flush()
        order = OrderRow(offer_id=offer.id, campaign_id=campaign_id, brand_id=campaign.brand_id, creator_id=creator_id,
                         mcn_id=mcn_id, price_fen=price_fen, fee_fen=fee, fee_bps=bps, fee_program=program,
                         state="offered", revision_rounds=0, version=1, created_at=at, updated_at=at)  # fmt: skip
        s.add(order)
        s.flush()
        detail = {"version": 1, "price_fen": price_fen, "fee_fen": fee, "direction": direction}
        s.add(OrderEventRow(order_id=order.id, at=at, actor_principal_id=actor.id, action=direction, from_state=None,
                            to_state="offered", detail=json.dumps(detail)))  # fmt: skip
        s.flush()
        return Order.of(order)


def get_order(db: AppDb, order_id: int) -> Order:
    with Session(db.engine) as s:
        row = s.get(OrderRow, order_id)
        if row is None:
            raise NotFound(f"no order {order_id}")
        return Order.of(row)


def direction_of(db: AppDb, order_id: int) -> str:
    with Session(db.engine) as s:
        return s.scalars(select(OfferRow.direction).join(OrderRow, OrderRow.offer_id == OfferRow.id)
                         .where(OrderRow.id == order_id)).one()  # fmt: skip


def order_events(db: AppDb, order_id: int) -> list[Event]:
    """The order's audit trail, oldest first."""
    with Session(db.engine) as s:
        rows = s.scalars(
            select(OrderEventRow).where(OrderEventRow.order_id == order_id).order_by(OrderEventRow.id)
        )
        return [Event.of(r) for r in rows]


# -- reads for the API and the operator CLI --------------------------------------------------------------------
@dataclass(frozen=True)
class Campaign:
    id: int
    brand_id: int
    title: str
    brief: str
    categories: tuple[str, ...]
    budget_fen: int
    deadline: date
    max_creators: int | None
    max_per_mcn: int | None
    status: str
    created_at: datetime

    @classmethod
    def of(cls, row: CampaignRow) -> Campaign:
        return cls(row.id, row.brand_id, row.title, row.brief, tuple(c for c in row.categories.split(",") if c),
                   row.budget_fen, row.deadline, row.max_creators, row.max_per_mcn, row.status, row.created_at)  # fmt: skip


def get_campaign(db: AppDb, campaign_id: int) -> Campaign:
    with Session(db.engine) as s:
        row = s.get(CampaignRow, campaign_id)
        if row is None:
            raise NotFound(f"no campaign {campaign_id}")
        return Campaign.of(row)


def list_campaigns(
    db: AppDb, brand_id: int | None = None, limit: int = 100, offset: int = 0
) -> tuple[list[Campaign], int]:
    """Campaigns, newest first (``brand_id``: that brand's only), and how many there are in all."""
    where = [] if brand_id is None else [CampaignRow.brand_id == brand_id]
    with Session(db.engine) as s:
        total = s.scalar(select(func.count()).select_from(CampaignRow).where(*where)) or 0
        rows = s.scalars(select(CampaignRow).where(*where).order_by(CampaignRow.id.desc()).limit(limit)
                         .offset(offset))  # fmt: skip
        return [Campaign.of(r) for r in rows], total


def list_orders(
    db: AppDb,
    party: tuple[str, int] | None = None,
    state: str | None = None,
    limit: int = 100,
    offset: int = 0,
    campaign_id: int | None = None,
    shortlisted: bool = False,
) -> tuple[list[Order], int]:
    """Orders, newest first, and how many there are in all. ``party``: (``brand``/``creator``/``mcn``, its
    external id) — that party's orders only; ``state``: in that state only; ``campaign_id``: that campaign's;
    ``shortlisted``: only applications the brand shortlisted that are still open (``offered``)."""
    where = [] if campaign_id is None else [OrderRow.campaign_id == campaign_id]
    if shortlisted:
        marked = select(OrderEventRow.order_id).where(OrderEventRow.action == "shortlist")
        where += [OrderRow.id.in_(marked), OrderRow.state == "offered"]
    if party is not None:
        column = {"brand": OrderRow.brand_id, "creator": OrderRow.creator_id, "mcn": OrderRow.mcn_id}[
            party[0]
        ]
        where.append(column == party[1])
    if state is not None:
        where.append(OrderRow.state == state)
    with Session(db.engine) as s:
        total = s.scalar(select(func.count()).select_from(OrderRow).where(*where)) or 0
        rows = s.scalars(
            select(OrderRow).where(*where).order_by(OrderRow.id.desc()).limit(limit).offset(offset)
        )
        return [Order.of(r) for r in rows], total
