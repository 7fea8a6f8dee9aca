"""The role × route matrix, built from the app's own routes: every route is in ``ROUTE_ROLES`` (a new route
cannot skip authorization), and every route answers every role, and no key, as the table says."""

from __future__ import annotations

import pytest
from api_helpers import PROBLEM, Client
from fastapi import APIRouter, Depends
from fastapi.routing import APIRoute

from guanghe.appdb import ROLES
from guanghe.market.api import ROUTE_ROLES, MarketApiError
from guanghe.market.api.app import api_routes, check_routes
from guanghe.market.api.auth import authorize

# one valid request per route name: (path parameters, JSON body); a route without one fails the matrix
SAMPLES = {
    "me": ({}, None),
    "search_creators": ({}, None),
    "media_kit": ({"creator_id": "OWN"}, None),
    "match": ({}, {"budget_fen": 200_000, "max_creators": 3}),
    "create_campaign": ({}, {"title": "T", "budget_fen": 1_000_000, "deadline": "2031-01-01"}),
    "list_campaigns": ({}, None),
    "get_campaign": ({"campaign_id": 1}, None),
    "make_offer": ({"campaign_id": 1}, {"creator_id": "OWN", "price_fen": 50_000}),
    "apply": ({"campaign_id": 1}, {"creator_id": "OWN", "price_fen": 50_000}),
    "list_orders": ({}, None),
    "get_order": ({"order_id": 1}, None),
    "order_action": ({"order_id": 1, "action": "dispute"}, {"reason": "x"}),
    "set_rate_card": ({"creator_id": "OWN"}, {"price_fen": 70_000}),
    "order_performance": ({"order_id": 1}, None),
    "campaign_performance": ({"campaign_id": 1}, None),
}
# the routes whose answer to an allowed role depends on the resource and the order's state (scoping and the
# transition table, tested in test_api_orders): for them the matrix checks the role table only — an allowed
# role is never refused by it (no 401, no "may not call this route")
STATEFUL = {"create_campaign", "get_campaign", "make_offer", "apply", "get_order", "order_action",
            "set_rate_card", "order_performance", "campaign_performance"}  # fmt: skip
REFUSED = "may not call this route"


def routes(app) -> list[APIRoute]:
    found = list(api_routes(app.routes))
    assert len(found) >= len(SAMPLES)
    return found


def test_every_route_is_in_the_role_table(api) -> None:
    client, _ = api
    names = {r.name for r in routes(client.app)}
    assert names <= set(ROUTE_ROLES), f"routes missing from ROUTE_ROLES: {names - set(ROUTE_ROLES)}"
    assert names == set(SAMPLES), "a route without a sample request in this matrix"
    assert all(roles <= set(ROLES) and roles for roles in ROUTE_ROLES.values())
    for r in routes(client.app):  # each route runs the one authorization dependency
        assert any(d.call is authorize for d in r.dependant.dependencies), r.name


@pytest.mark.parametrize("role", [*ROLES, None])
def test_role_by_route_matrix(api, role: str | None) -> None:
    client, keys = api
    c = client.as_(keys.of(role))
    for route in routes(client.app):
        params, body = SAMPLES[route.name]
        own = keys.creator_id  # the creator whose kit the creator and its agency may see
        path = route.path_format.format(**{k: own if v == "OWN" else v for k, v in params.items()})
        if body is not None:
            body = {k: own if v == "OWN" else v for k, v in body.items()}
        for method in route.methods:
            r = c.request(method, path, json=body, headers={"Idempotency-Key": "matrix"})
            if route.name in STATEFUL and role is not None and role in ROUTE_ROLES[route.name]:
                assert r.status_code < 500 and r.status_code != 401, (role, route.name, r.text)
                assert REFUSED not in r.text, (role, route.name, r.text)
                continue
            if role is None:
                expected = 401
            elif role not in ROUTE_ROLES[route.name]:
                expected = 403
            else:
                expected = 200
            assert r.status_code == expected, (role, route.name, r.text)
            if expected != 200:
                assert r.headers["content-type"] == PROBLEM


def test_an_app_with_a_route_outside_the_table_refuses_to_start_and_denies_by_default(api) -> None:
    client, keys = api
    extra = APIRouter(prefix="/v1/market", dependencies=[Depends(authorize)])

    @extra.get("/secret", name="secret")
    def secret() -> dict:
        return {"leak": True}

    before = list(client.app.router.routes)
    client.app.include_router(extra)
    try:
        with pytest.raises(MarketApiError, match="secret"):
            check_routes(client.app)
        for role in ROLES:  # and were it served anyway, no role may call it
            assert Client(client.app, keys.of(role)).get("/v1/market/secret").status_code == 403
    finally:
        client.app.router.routes[:] = before
    check_routes(client.app)
