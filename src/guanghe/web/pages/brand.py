"""The brand pages (``/brand/...``): campaigns, creator discovery with filters and media kits, matched
creator sets (expected reach and cost), offers, orders with their escrow, delivered-work reports. A brand
sees only its own campaigns and orders (another brand's are 404: ``visible_campaign``, ``visible_order``)."""

from __future__ import annotations

import secrets
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from starlette.responses import RedirectResponse, Response

from guanghe.data.schema import CATEGORIES, REGIONS
from guanghe.data.tiers import TIERS
from guanghe.market.api.orders import (
    level_discount_of,
    party_of,
    programs_of,
    visible_campaign,
    visible_order,
)
from guanghe.market.api.routes import clean
from guanghe.market.discovery import SearchFilters, search
from guanghe.market.matching import Campaign as MatchCampaign
from guanghe.market.matching import InfeasibleCampaign, match_exact
from guanghe.market.offers import (
    create_campaign,
    get_campaign,
    list_campaigns,
    list_orders,
    make_offer,
    order_events,
)
from guanghe.market.reference import match_greedy
from guanghe.web import charts
from guanghe.web.auth import FormData, PageError, State, Who
from guanghe.web.forms import FormError
from guanghe.web.templating import render
from guanghe.web.views import brand_data
from guanghe.web.views.orders import act

router = APIRouter(prefix="/brand")
Id = Annotated[int, Path(ge=1, le=2**62)]
PAGE = 20


def _campaigns(state, who) -> list:
    return list_campaigns(state.db, who.external_id if who.external_id is not None else -1, 200)[0]


@router.get("/", name="brand_campaigns")
def brand_campaigns(request: Request, who: Who, state: State) -> Response:
    items = _campaigns(state, who)
    orders, _ = list_orders(state.db, party_of(who), limit=1000)
    by_campaign: dict[int, list] = {}
    for o in orders:
        by_campaign.setdefault(o.campaign_id, []).append(o)
    return render(request, "brand/campaigns.html", campaigns=items, by_campaign=by_campaign)


@router.get("/campaigns/new", name="brand_campaign_new")
def brand_campaign_new(request: Request, who: Who, state: State) -> Response:
    return render(request, "brand/campaign_new.html", categories=CATEGORIES, as_of=state.as_of)


@router.post("/campaigns", name="brand_campaign_create")
def brand_campaign_create(request: Request, who: Who, state: State, form: FormData) -> Response:
    try:
        deadline = date.fromisoformat(form.text("deadline", "", 10))
    except ValueError:
        raise FormError("deadline", "a date like 2024-06-30") from None
    cats = [c for c in form.all("categories") if c in CATEGORIES]
    cap = form.optional("max_creators")
    cid = create_campaign(state.db, who, form.text("title", "", 200), form.text("brief", "", 2000), cats,
                          form.yuan("budget"), deadline, int(cap) if cap and cap.isdigit() else None)  # fmt: skip
    return RedirectResponse(f"/brand/campaigns/{cid}", status_code=303)


@router.get("/campaigns/{campaign_id}", name="brand_campaign")
def brand_campaign(request: Request, who: Who, state: State, campaign_id: Id) -> Response:
    c = visible_campaign(state.market, who, campaign_id)
    orders, _ = list_orders(state.db, limit=1000, campaign_id=campaign_id)
    return render(request, "brand/campaign.html", campaign=c, orders=orders, key=secrets.token_urlsafe(12))


def _filters(categories, tiers, regions, min_followers, max_price) -> SearchFilters:
    try:
        return SearchFilters(categories=tuple(c for c in categories if c), tiers=tuple(t for t in tiers if t),
                             regions=tuple(r for r in regions if r), min_followers=min_followers,
                             max_price_fen=None if max_price is None else max_price * 100)  # fmt: skip
    except ValueError as e:
        raise PageError(422, str(e)) from e


def _whole(field: str, text: str) -> int | None:
    text = text.strip().replace(",", "")
    if not text:
        return None
    if not text.isdigit():
        raise FormError(field, "a whole number")
    return int(text)


@router.get("/discover", name="brand_discover")
def brand_discover(
    request: Request,
    who: Who,
    state: State,
    categories: Annotated[list[str], Query(max_length=20)] = [],  # noqa: B006 - FastAPI reads it
    tiers: Annotated[list[str], Query(max_length=3)] = [],  # noqa: B006
    regions: Annotated[list[str], Query(max_length=10)] = [],  # noqa: B006
    min_followers: Annotated[str, Query(max_length=15)] = "",
    max_price: Annotated[str, Query(max_length=15)] = "",
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> Response:
    """Creators by expected reach per yuan (the marketplace's search over the cached catalog); an empty
    field is no condition."""
    low, price = _whole("min_followers", min_followers), _whole("max_price", max_price)
    f = _filters(categories, tiers, regions, low, price)
    m = state.market
    page = search(m.wh, m.kits, f, m.rates(f.deliverable), limit=PAGE, offset=offset)
    rows = clean(page.rows.to_pylist())
    chart = charts.bars([str(r["creator_id"]) for r in rows], [round(r["reach"] or 0) for r in rows],
                        "reach")  # fmt: skip
    return render(request, "brand/discover.html", rows=rows, total=page.total, offset=offset, page=PAGE,
                  f=f, categories=CATEGORIES, regions=REGIONS, tiers=[t for t, _ in TIERS],
                  min_followers=low, max_price=price, reach_chart=chart, as_of=state.as_of,
                  query=request.url.query)  # fmt: skip


@router.get("/creators/{creator_id}", name="brand_media_kit")
def brand_media_kit(request: Request, who: Who, state: State, creator_id: Id) -> Response:
    kit = state.market.kit(creator_id)
    if kit is None:
        raise PageError(404, f"no creator {creator_id}")
    kit = clean([kit])[0]
    open_campaigns = [c for c in _campaigns(state, who) if c.status == "open"]
    return render(request, "brand/media_kit.html", kit=kit, campaigns=open_campaigns, as_of=state.as_of)


MATCH_WAIT_S = 0.1  # the match page waits this long for the solver, then shows a panel that polls


def _match(state, c, objective: str, spec: MatchCampaign) -> tuple:
    """The chosen creators' rows, the exact and greedy matches and the pool's size."""
    pool, rows = state.market.pool(SearchFilters(categories=c.categories), objective, [], [])
    best = match_exact(pool, spec, time_limit_s=state.settings.time_limit_s)
    greedy = match_greedy(pool, spec)
    keep = ["creator_id", "mcn_id", "category", "tier", "followers", "price_fen", "price_source"]
    chosen = [{**r, "value": float(v)} for r, v in
              zip(rows.select(keep).take(best.index).to_pylist(), pool.value[best.index], strict=True)]  # fmt: skip
    return chosen, best, greedy, pool.n


@router.get("/campaigns/{campaign_id}/match", name="brand_match")
def brand_match(
    request: Request,
    who: Who,
    state: State,
    campaign_id: Id,
    objective: Annotated[str, Query(pattern="^(reach|engagement)$")] = "reach",
    max_per_mcn: Annotated[int | None, Query(ge=1, le=1000)] = None,
) -> Response:
    """The best set of creators for the campaign's budget and size (``match_exact``), beside the greedy."""
    c = visible_campaign(state.market, who, campaign_id)
    spec = MatchCampaign(c.budget_fen, c.max_creators, max_per_mcn or c.max_per_mcn)
    key = (tuple(c.categories or ()), objective, spec)  # the catalog is fixed for the process's lifetime
    try:
        found = state.cache.memo_background(
            "match", key, lambda: _match(state, c, objective, spec), MATCH_WAIT_S
        )
    except InfeasibleCampaign as e:
        raise PageError(422, str(e)) from e
    if found is None:  # the exact match is still being solved: a panel that polls this page
        return render(request, "brand/match.html", campaign=c, computing=True, objective=objective)
    chosen, best, greedy, pool_n = found
    chart = charts.bars([str(r["creator_id"]) for r in chosen], [round(r["value"]) for r in chosen], "reach")
    return render(request, "brand/match.html", campaign=c, chosen=chosen, best=best, greedy=greedy,
                  pool=pool_n, objective=objective, match_chart=chart)  # fmt: skip


@router.post("/campaigns/{campaign_id}/offers", name="brand_offer")
def brand_offer(request: Request, who: Who, state: State, form: FormData, campaign_id: Id) -> Response:
    visible_campaign(state.market, who, campaign_id)
    creator_id = form.integer("creator_id")
    kit = state.market.kit(creator_id)
    if kit is None:
        raise FormError("creator_id", "a creator of the catalog")
    order = make_offer(state.market.market(), who, campaign_id, creator_id, "short_video", form.yuan("price"),
                       programs_of(kit), mcn_id=kit["mcn_id"], pitch=form.optional("pitch"),
                       level_discount_bps=level_discount_of(kit))  # fmt: skip
    return RedirectResponse(f"/brand/orders/{order.id}", status_code=303)


@router.get("/orders", name="brand_orders")
def brand_orders(request: Request, who: Who, state: State) -> Response:
    orders, total = list_orders(state.db, party_of(who), limit=200)
    titles = {c.id: c.title for c in _campaigns(state, who)}
    return render(request, "brand/orders.html", orders=orders, total=total, titles=titles,
                  key=secrets.token_urlsafe(12), works=[])  # fmt: skip


@router.get("/orders/{order_id}", name="brand_order")
def brand_order(request: Request, who: Who, state: State, order_id: Id) -> Response:
    order = visible_order(state.market, who, order_id)
    perf = None
    if order.work_id:
        perf = performance(state, (order.work_id,))
    return render(request, "brand/order.html", order=order, events=order_events(state.db, order_id),
                  campaign=get_campaign(state.db, order.campaign_id), perf=perf, works=[],
                  key=secrets.token_urlsafe(12))  # fmt: skip


@router.post("/orders/{order_id}/{action}", name="brand_order_action")
def brand_order_action(request: Request, who: Who, state: State, form: FormData, order_id: Id,
                       action: str) -> Response:  # fmt: skip
    act(state, who, order_id, action, form)
    return RedirectResponse(f"/brand/orders/{order_id}", status_code=303)


def performance(state, works: tuple[int, ...]) -> dict:
    """The works' performance (cached per process until the warehouse changes: ``WebState.read``)."""
    return state.read("works_performance", (works, state.as_of, str(state.zone)),
                      lambda wh: brand_data.performance(wh, list(works), state.as_of, state.zone))  # fmt: skip


@router.get("/reports", name="brand_reports")
def brand_reports(request: Request, who: Who, state: State) -> Response:
    """Every campaign's delivered works: plays, completion, engagements, follows."""
    reports = []
    for c in _campaigns(state, who):
        orders, _ = list_orders(state.db, limit=100_000, campaign_id=c.id)
        works = tuple(sorted({o.work_id for o in orders if o.work_id}))
        reports.append({"campaign": c, "orders": len(orders), "perf": performance(state, works)})
    return render(request, "brand/reports.html", reports=reports, as_of=state.as_of)
