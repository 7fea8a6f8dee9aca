"""Authentication and tenant scoping on both application databases (a SQLite file, a PostgreSQL schema)."""

from __future__ import annotations

import pytest
from api_helpers import PROBLEM, Client, build, make_keys

ME = "/v1/market/me"


@pytest.fixture
def client(market_warehouse: str, members, make_url):
    url = make_url()
    keys = make_keys(url, members)
    app = build(market_warehouse, url)
    yield Client(app), keys
    app.state.market.db.close()


def problem(r, status: int) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == PROBLEM
    body = r.json()
    assert body["status"] == status and body["title"] and body["detail"] and body["type"].startswith("urn:")
    return body


def test_a_missing_malformed_unknown_or_revoked_key_is_401(client) -> None:
    c, keys = client
    r = c.get(ME)
    assert "missing API key" in problem(r, 401)["detail"]
    assert r.headers["www-authenticate"].startswith("Bearer")
    for header in (
        f"Basic {keys.brand}",
        "Bearer",
        "Bearer nope",
        f"Bearer {keys.brand}x",
        f"Bearer {keys.revoked}",
    ):
        problem(c.get(ME, headers={"Authorization": header}), 401)
    assert c.as_(keys.brand).get(ME).json() == {"id": 1, "role": "brand", "name": "Acme", "external_id": 42}


def test_a_role_not_allowed_is_403(client) -> None:
    c, keys = client
    assert "creator" in problem(c.as_(keys.creator).get("/v1/market/creators"), 403)["detail"]
    body = {"budget_fen": 100_000}
    for role in ("creator", "mcn"):
        problem(c.as_(keys.of(role)).post("/v1/market/match", json=body), 403)
    assert c.as_(keys.operator).post("/v1/market/match", json=body).status_code == 200


def test_another_tenants_resource_is_404_like_a_missing_one(client) -> None:
    c, keys = client
    own, free = keys.creator_id, keys.other_creator_id
    kit = "/v1/market/creators/{}/media-kit".format
    assert c.as_(keys.creator).get(kit(own)).json()["creator_id"] == own
    assert c.as_(keys.mcn).get(kit(own)).json()["mcn_id"] == keys.mcn_id
    other = problem(c.as_(keys.creator).get(kit(free)), 404)
    missing = problem(c.as_(keys.creator).get(kit(10**12)), 404)
    assert other.keys() == missing.keys() and other["title"] == missing["title"]
    problem(c.as_(keys.mcn).get(kit(free)), 404)
    problem(c.as_(keys.other_mcn).get(kit(own)), 404)
    for role in ("brand", "operator"):
        assert c.as_(keys.of(role)).get(kit(free)).status_code == 200
