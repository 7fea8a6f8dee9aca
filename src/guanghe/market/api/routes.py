"""The routes: thin over the use cases (``discovery.search``, the cached catalog, ``match_exact``).

Tenant scoping: a brand and an operator see every creator's kit; an MCN agency only the kits of its own
creators and a creator only its own (anything else is 404, as if it did not exist). Membership is the
warehouse's ``creators.mcn_id`` as of the catalog (the agency's ``external_id``)."""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request

from guanghe.appdb import Principal
from guanghe.market.api import schemas as s
from guanghe.market.api.auth import authorize
from guanghe.market.api.problems import Problem, invalid, responses
from guanghe.market.api.state import MarketState
from guanghe.market.discovery import SearchFilters, search
from guanghe.market.matching import Campaign, InfeasibleCampaign, match_exact
from guanghe.market.reference import match_greedy

router = APIRouter(prefix="/v1/market", dependencies=[Depends(authorize)], responses=responses(401, 403))
Caller = Annotated[Principal, Depends(authorize)]


def market(request: Request) -> MarketState:
    return request.app.state.market


Market = Annotated[MarketState, Depends(market)]


def filters_of(f: s.Filters, prefix: str = "") -> SearchFilters:
    """The use case's filters; its ValueError (min above max, an unknown program) is a 422 naming the field."""
    try:
        return SearchFilters(**{k: tuple(v) if isinstance(v, list) else v for k, v in f.model_dump().items()})
    except ValueError as e:
        raise invalid(e, prefix) from e


def query_filters(
    categories: Annotated[list[s.Category], Query(max_length=20)] = [],  # noqa: B006 - FastAPI reads it
    tiers: Annotated[list[s.Tier], Query(max_length=3)] = [],  # noqa: B006
    regions: Annotated[list[s.Region], Query(max_length=10)] = [],  # noqa: B006
    min_followers: Annotated[int | None, Query(ge=0, le=s.BIG)] = None,
    max_followers: Annotated[int | None, Query(ge=0, le=s.BIG)] = None,
    min_engagement_rate: Annotated[float | None, Query(ge=0, le=1)] = None,
    min_completion_rate: Annotated[float | None, Query(ge=0, le=1)] = None,
    max_price_fen: Annotated[int | None, Query(ge=0, le=s.BIG)] = None,
    programs: Annotated[list[str], Query(max_length=50)] = [],  # noqa: B006
    deliverable: s.Deliverable = "short_video",
) -> SearchFilters:
    f = s.Filters.model_construct(
        categories=categories, tiers=tiers, regions=regions, min_followers=min_followers,
        max_followers=max_followers, min_engagement_rate=min_engagement_rate,
        min_completion_rate=min_completion_rate, max_price_fen=max_price_fen, programs=programs,
        deliverable=deliverable,
    )  # fmt: skip
    return filters_of(f)


@router.get("/me", name="me", response_model=s.Me)
def me(caller: Caller) -> s.Me:
    """The caller's principal (any role)."""
    return s.Me(id=caller.id, role=caller.kind, name=caller.name, external_id=caller.external_id)


@router.get("/creators", name="search_creators", response_model=s.SearchPage, responses=responses(422))
def search_creators(
    m: Market,
    filters: Annotated[SearchFilters, Depends(query_filters)],
    limit: Annotated[int, Query(ge=1, le=s.MAX_LIMIT)] = 20,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> dict:
    """Discovery (brand, mcn, operator; an MCN searches every creator, as brands do): the creators matching
    the filters by expected reach per fen of price, descending; repeat a list parameter for several values."""
    try:
        page = search(m.wh, m.kits, filters, m.rates(filters.deliverable), limit=limit, offset=offset)
    except ValueError as e:
        raise invalid(e) from e
    return {"items": clean(page.rows.to_pylist()), "total": page.total, "limit": limit, "offset": offset,
            "as_of": m.as_of}  # fmt: skip


@router.get("/creators/{creator_id}/media-kit", name="media_kit", response_model=s.MediaKit,
            responses=responses(404))  # fmt: skip
def media_kit(m: Market, caller: Caller, creator_id: Annotated[int, Path(ge=1, le=2**63 - 1)]) -> dict:
    """A creator's media kit and price guidance: brand and operator any creator; an MCN agency its own
    creators (``creators.mcn_id``); a creator its own kit. Anything else is 404."""
    row = m.kit(creator_id)
    if row is None or not visible(caller, row):
        raise Problem(404, f"no creator {creator_id}")
    return {**clean([row])[0], "as_of": m.as_of}


def visible(caller: Principal, row: dict) -> bool:
    """May ``caller`` see this creator's kit (the tenant rule of ``media_kit``)?"""
    if caller.kind == "creator":
        return caller.external_id == row["creator_id"]
    if caller.kind == "mcn":
        return caller.external_id is not None and caller.external_id == row["mcn_id"]
    return caller.kind in ("brand", "operator")


@router.post("/match", name="match", response_model=s.MatchResult, responses=responses(400, 422))
def match(m: Market, body: s.MatchRequest) -> dict:
    """The optimal set of creators for a campaign (brand, operator): ``match_exact`` over the filtered pool
    (value: expected reach or engagements; price: rate card, else suggested), with the greedy baseline."""
    filters = filters_of(body.filters, "filters.")
    try:
        pool, rows = m.pool(filters, body.objective, body.must_include, body.exclude)
    except ValueError as e:  # a program the warehouse does not know
        raise invalid(e, "filters.") from e
    campaign = Campaign(body.budget_fen, body.max_creators, body.max_per_mcn)
    try:
        best = match_exact(pool, campaign, time_limit_s=m.settings.time_limit_s)
    except InfeasibleCampaign as e:
        raise Problem(422, str(e), "must_include") from e
    greedy = match_greedy(pool, campaign)
    keep = ("creator_id", "mcn_id", "category", "tier", "followers", "price_fen", "price_source")
    picked = rows.select(list(keep)).take(best.index).to_pylist()
    chosen = [{**r, "value": float(v)} for r, v in zip(picked, pool.value[best.index], strict=True)]
    return {
        "as_of": m.as_of, "objective": body.objective, "pool": pool.n, "chosen": chosen,
        "creators": len(chosen), "price_fen": best.price_fen, "value": best.value, "status": best.status,
        "bound": finite(best.bound), "gap": finite(best.gap), "seconds": best.seconds,
        "greedy": {"creators": int(greedy.index.size), "price_fen": greedy.price_fen, "value": greedy.value},
    }  # fmt: skip


def finite(x: float | None) -> float | None:
    return None if x is None or not math.isfinite(x) else float(x)


def clean(rows: list[dict]) -> list[dict]:
    """Arrow rows as JSON can carry them (NaN → null)."""
    return [
        {k: None if isinstance(v, float) and not math.isfinite(v) else v for k, v in r.items()} for r in rows
    ]
