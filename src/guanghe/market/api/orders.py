"""The order routes: campaigns, offers and applications, orders and their actions, rate cards — thin over
``market.offers``, ``market.orders`` and ``market.rates``.

Tenant scoping: a campaign is visible to its brand and to operators; an order to its parties (its brand, its
creator, the MCN named on it) and to operators; anything else is 404, as if it did not exist. Within what it
sees, a party that may not do an action is 403 (``Forbidden``, e.g. a creator funding).

Idempotency: the actions that move money (accept, fund, resolve, cancel) require an ``Idempotency-Key``
header (1..128 characters; missing → 428 problem naming the header); the other POSTs take it optionally (on
order actions only). Keys are per order: a replay of the same action with the same key answers the first
answer (``replayed: true``, header ``Idempotent-Replayed: true``) and moves nothing; the same key used for
another action on that order is 409. Optimistic concurrency: ``If-Match: <version>`` (or ``version`` in the
body) — a stale version is 409."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Header, Path, Query, Response

from guanghe.appdb import Principal
from guanghe.market import orders as o
from guanghe.market.api import schemas as s
from guanghe.market.api.auth import authorize
from guanghe.market.api.problems import Problem, responses
from guanghe.market.api.routes import Caller, Market, visible
from guanghe.market.errors import Forbidden
from guanghe.market.offers import (
    Campaign,
    apply,
    create_campaign,
    get_campaign,
    get_order,
    list_campaigns,
    list_orders,
    make_offer,
    order_events,
)
from guanghe.market.order_types import Order, Step
from guanghe.market.rates import set_rate

router = APIRouter(prefix="/v1/market", dependencies=[Depends(authorize)], responses=responses(401, 403))
Id = Annotated[int, Path(ge=1, le=2**63 - 1)]
KEY_MAX = 128
IdemKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=KEY_MAX)]


def campaign_dict(c: Campaign) -> dict:
    return {**c.__dict__, "categories": list(c.categories)}


def party_of(caller: Principal) -> tuple[str, int] | None:
    """The scope of a caller's lists: None (an operator: everything) or (kind, external id)."""
    if caller.kind == "operator":
        return None
    if caller.external_id is None:
        return (caller.kind, -1)  # a principal without an external id is party to nothing
    return (caller.kind, caller.external_id)


def visible_campaign(m: Market, caller: Caller, campaign_id: int) -> Campaign:
    """The campaign, if the caller is its brand or an operator; else 404 (its existence does not leak)."""
    try:
        c = get_campaign(m.db, campaign_id)
    except Exception as e:
        raise Problem(404, f"no campaign {campaign_id}") from e
    if caller.kind == "operator" or (caller.kind == "brand" and caller.external_id == c.brand_id):
        return c
    raise Problem(404, f"no campaign {campaign_id}")


def visible_order(m: Market, caller: Principal, order_id: int) -> Order:
    """The order, if the caller is a party to it or an operator; else 404."""
    try:
        order = get_order(m.db, order_id)
    except Exception as e:
        raise Problem(404, f"no order {order_id}") from e
    party = party_of(caller)
    if party is None:
        return order
    kind, ext = party
    if (kind, ext) in (("brand", order.brand_id), ("creator", order.creator_id), ("mcn", order.mcn_id)):
        return order
    raise Problem(404, f"no order {order_id}")


def creator_kit(m: Market, creator_id: int, field: str = "creator_id") -> dict:
    row = m.kit(creator_id)
    if row is None:
        raise Problem(422, f"{field}: no creator {creator_id} in the catalog", field)
    return row


# -- campaigns ------------------------------------------------------------------------------------------------------
@router.post("/campaigns", name="create_campaign", status_code=201, response_model=s.CampaignOut,
             responses=responses(422))  # fmt: skip
def post_campaign(m: Market, caller: Caller, body: s.CampaignIn) -> dict:
    """A brand posts a campaign (open)."""
    cid = create_campaign(m.db, caller, body.title, body.brief, body.categories, body.budget_fen, body.deadline,
                          body.max_creators, body.max_per_mcn)  # fmt: skip
    return campaign_dict(get_campaign(m.db, cid))


@router.get("/campaigns", name="list_campaigns", response_model=s.CampaignPage)
def get_campaigns(
    m: Market,
    caller: Caller,
    limit: Annotated[int, Query(ge=1, le=s.MAX_LIMIT)] = 50,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> dict:
    """A brand's own campaigns; an operator's: all. Newest first."""
    brand = None if caller.kind == "operator" else (caller.external_id or -1)
    items, total = list_campaigns(m.db, brand, limit, offset)
    return {"items": [campaign_dict(c) for c in items], "total": total, "limit": limit, "offset": offset}


@router.get("/campaigns/{campaign_id}", name="get_campaign", response_model=s.CampaignOut,
            responses=responses(404))  # fmt: skip
def get_one_campaign(m: Market, caller: Caller, campaign_id: Id) -> dict:
    return campaign_dict(visible_campaign(m, caller, campaign_id))


@router.post("/campaigns/{campaign_id}/offers", name="make_offer", status_code=201, response_model=s.OrderOut,
             responses=responses(404, 422))  # fmt: skip
def post_offer(m: Market, caller: Caller, campaign_id: Id, body: s.ProposalIn) -> dict:
    """The brand offers its campaign to a creator: an order in ``offered`` (the creator's MCN, from the
    catalog, is named on it; the fee is the brand_deal rule's, with the discount of a program that supported
    the creator in the catalog's last 90 days — 小麦计划, 品牌星推官)."""
    visible_campaign(m, caller, campaign_id)
    kit = creator_kit(m, body.creator_id)
    order = make_offer(m.market(), caller, campaign_id, body.creator_id, body.deliverable, body.price_fen,
                       programs_of(kit), mcn_id=kit["mcn_id"], pitch=body.pitch,
                       level_discount_bps=level_discount_of(kit))  # fmt: skip
    return order.__dict__


@router.post("/campaigns/{campaign_id}/applications", name="apply", status_code=201, response_model=s.OrderOut,
             responses=responses(404, 422))  # fmt: skip
def post_application(m: Market, caller: Caller, campaign_id: Id, body: s.ProposalIn) -> dict:
    """A creator (for itself) or its MCN agency (for one of its creators) applies to an open campaign."""
    kit = creator_kit(m, body.creator_id)
    if not visible(caller, kit):
        raise Problem(404, f"no creator {body.creator_id}")
    order = apply(m.market(), caller, campaign_id, body.creator_id, body.deliverable, body.price_fen,
                  programs_of(kit), mcn_id=kit["mcn_id"], pitch=body.pitch,
                  level_discount_bps=level_discount_of(kit))  # fmt: skip
    return order.__dict__


def programs_of(kit: dict) -> tuple[str, ...]:
    """The programs that supported the creator in the catalog's last 90 days: the fee discounts it gets."""
    return tuple(kit.get("programs_90d") or ())


def level_discount_of(kit: dict) -> int:
    """The marketplace fee discount (bps of the fee) of the creator's growth level as of the catalog's day."""
    return int(kit.get("fee_discount_bps") or 0)


# -- orders ---------------------------------------------------------------------------------------------------------
@router.get("/orders", name="list_orders", response_model=s.OrderPage)
def get_orders(
    m: Market,
    caller: Caller,
    state: s.OrderState | None = None,
    limit: Annotated[int, Query(ge=1, le=s.MAX_LIMIT)] = 50,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
    shortlisted: bool = False,
) -> dict:
    """The caller's orders (a brand's, a creator's, an MCN's creators' — those naming it; an operator: all),
    newest first, optionally in one state; ``shortlisted``: the applications the brand shortlisted, still open."""
    items, total = list_orders(m.db, party_of(caller), state, limit, offset, shortlisted=shortlisted)
    return {"items": [x.__dict__ for x in items], "total": total, "limit": limit, "offset": offset}


@router.get("/orders/{order_id}", name="get_order", response_model=s.OrderDetail, responses=responses(404))
def get_one_order(m: Market, caller: Caller, order_id: Id, response: Response) -> dict:
    """An order and its audit trail (oldest first); its version is the ``ETag``."""
    order = visible_order(m, caller, order_id)
    response.headers["ETag"] = f'"{order.version}"'
    events = [e.__dict__ for e in order_events(m.db, order_id)]
    return {**order.__dict__, "events": events}


def if_match(value: str | None) -> int | None:
    if value is None:
        return None
    text = value.strip().removeprefix("W/").strip('"')
    if not text.isdigit():
        raise Problem(400, f"If-Match {value!r}: expected the order's version (an integer)", "If-Match")
    return int(text)


@router.post("/orders/{order_id}/{action}", name="order_action", response_model=s.StepOut,
             responses=responses(400, 404, 409, 422, 428))  # fmt: skip
def post_action(
    m: Market,
    caller: Caller,
    order_id: Id,
    action: s.Action,
    response: Response,
    body: Annotated[s.ActionIn | None, Body()] = None,
    idempotency_key: IdemKey = None,
    expected: Annotated[str | None, Header(alias="If-Match", max_length=40)] = None,
) -> dict:
    """An order's action (see ``docs/market.md``). accept, fund, resolve and cancel need ``Idempotency-Key``."""
    body = body or s.ActionIn()
    if action in s.MONEY_ACTIONS and not idempotency_key:
        raise Problem(428, f"{action} moves money: send an Idempotency-Key header", "Idempotency-Key")
    version = if_match(expected)
    if version is not None and body.version is not None and version != body.version:
        raise Problem(400, f"If-Match {version} and version {body.version} disagree", "version")
    version = version if version is not None else body.version
    visible_order(m, caller, order_id)
    mk, key = m.market(), idempotency_key or None
    need = {"counter": "price_fen", "deliver": "work_id"}.get(action)
    if need and getattr(body, need) is None:
        raise Problem(422, f"{need}: required to {action}", need)
    kw = {"version": version, "idempotency_key": key}
    step: Step
    match action:
        case "counter":
            kit = creator_kit(m, get_order(m.db, order_id).creator_id)
            step = o.counter(
                mk,
                caller,
                order_id,
                body.price_fen,
                programs_of(kit),  # type: ignore[arg-type]
                level_discount_bps=level_discount_of(kit),
                **kw,
            )
        case "deliver":
            step = o.deliver(mk, caller, order_id, body.work_id, m.work_owner, **kw)  # type: ignore[arg-type]
        case "request_revision":
            step = o.request_revision(mk, caller, order_id, body.note, **kw)
        case "dispute":
            step = o.dispute(mk, caller, order_id, body.reason, **kw)
        case "shortlist":
            step = o.shortlist(mk, caller, order_id, idempotency_key=key)
        case "resolve":
            if caller.kind != "operator":
                raise Forbidden(f"order {order_id}: only an operator may resolve a dispute")
            step = o.resolve(mk, caller, order_id, body.creator_share_bps, body.creator_fen, body.note, **kw)
        case _:
            step = getattr(o, action)(mk, caller, order_id, **kw)
    response.headers["ETag"] = f'"{step.order.version}"'
    if step.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return {**step.__dict__, "order": step.order.__dict__, "transfers": list(step.transfers)}


# -- rate cards -----------------------------------------------------------------------------------------------------
@router.put("/creators/{creator_id}/rate-card", name="set_rate_card", response_model=s.RateCardOut,
            responses=responses(404, 422))  # fmt: skip
def put_rate_card(m: Market, caller: Caller, creator_id: Id, body: s.RateCardIn) -> dict:
    """A creator's listed price for a deliverable (the creator itself, its MCN agency — ``creators.mcn_id``
    in the catalog — or an operator). Search and match price the creator with it from then on."""
    kit = m.kit(creator_id)
    if kit is None or not visible(caller, kit):
        raise Problem(404, f"no creator {creator_id}")
    mine = [creator_id] if caller.kind == "mcn" else []
    return set_rate(m.db, caller, creator_id, body.deliverable, body.price_fen, mcn_creators=mine).__dict__
