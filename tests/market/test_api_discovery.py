"""Search and media kits over HTTP: the same answers as the use cases, pagination bounds, tenant scoping."""

from __future__ import annotations

import math

import pytest
from api_helpers import PROBLEM

from guanghe.data.warehouse import open_warehouse
from guanghe.market.discovery import SearchFilters, search
from guanghe.market.media_kit import media_kit

SEARCH = "/v1/market/creators"
KIT = "/v1/market/creators/{}/media-kit".format


def same(a, b) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        if a is None or b is None:
            return a is None and (b is None or math.isnan(b))
        return math.isclose(a, b, rel_tol=1e-12) or (math.isnan(a) and math.isnan(b))
    return list(a) == list(b) if isinstance(a, list | tuple) else a == b


@pytest.mark.parametrize(
    ("params", "filters"),
    [
        ({}, SearchFilters()),
        ({"tiers": ["waist", "head"], "limit": 50}, SearchFilters(tiers=("waist", "head"))),
        (
            {"categories": ["food", "tech", "gaming"], "regions": "east", "min_followers": 5000,
             "max_followers": 2_000_000, "min_engagement_rate": 0.05, "max_price_fen": 30_000},
            SearchFilters(categories=("food", "tech", "gaming"), regions=("east",), min_followers=5000,
                          max_followers=2_000_000, min_engagement_rate=0.05, max_price_fen=30_000),
        ),
        ({"min_completion_rate": 0.3, "deliverable": "live_mention", "offset": 10, "limit": 7},
         SearchFilters(min_completion_rate=0.3, deliverable="live_mention")),
        ({"programs": ["juguang", "feiniao"]}, SearchFilters(programs=("juguang", "feiniao"))),
    ],
)  # fmt: skip
def test_search_equals_the_use_case(api, params: dict, filters: SearchFilters) -> None:
    client, keys = api
    m = client.app.state.market
    r = client.as_(keys.brand).get(SEARCH, params=params)
    assert r.status_code == 200, r.text
    got = r.json()
    limit, offset = params.get("limit", 20), params.get("offset", 0)
    want = search(m.wh, m.kits, filters, limit=limit, offset=offset)
    assert (got["total"], got["limit"], got["offset"]) == (want.total, limit, offset)
    assert got["total"] > 0
    rows = want.rows.to_pylist()
    assert [i["creator_id"] for i in got["items"]] == [w["creator_id"] for w in rows]
    for item, row in zip(got["items"], rows, strict=True):
        for k, v in row.items():
            assert same(item[k], v), (k, item[k], v)
    # an MCN agency and an operator search the same catalog; a creator may not
    assert client.as_(keys.mcn).get(SEARCH, params=params).json() == got
    assert client.as_(keys.operator).get(SEARCH, params=params).json() == got


def test_pagination_pages_and_bounds(api) -> None:
    client, keys = api
    c = client.as_(keys.brand)
    first = c.get(SEARCH).json()
    assert (first["limit"], first["offset"], len(first["items"])) == (20, 0, 20)
    total = first["total"]
    pages = [c.get(SEARCH, params={"limit": 200, "offset": o}).json()["items"] for o in range(0, total, 200)]
    ids = [i["creator_id"] for p in pages for i in p]
    assert len(ids) == len(set(ids)) == total
    assert ids[:20] == [i["creator_id"] for i in first["items"]]
    past = c.get(SEARCH, params={"offset": total + 5}).json()
    assert (past["items"], past["total"]) == ([], total)
    for params, field in (({"limit": 0}, "limit"), ({"limit": 201}, "limit"), ({"offset": -1}, "offset"),
                          ({"limit": "x"}, "limit"), ({"tiers": "giant"}, "tiers[0]"),
                          ({"min_engagement_rate": 1.5}, "min_engagement_rate"),
                          ({"min_followers": 9, "max_followers": 3}, "min_followers"),
                          ({"programs": "nope"}, "programs"), ({"deliverable": "tweet"}, "deliverable")):  # fmt: skip
        r = c.get(SEARCH, params=params)
        assert r.status_code == 422 and r.headers["content-type"] == PROBLEM, (params, r.text)
        assert field in [e["field"] for e in r.json()["errors"]], (params, r.json())


def test_media_kit_equals_the_use_case_and_is_scoped(api, market_warehouse: str) -> None:
    client, keys = api
    m = client.app.state.market
    own, free = keys.creator_id, keys.other_creator_id
    with open_warehouse(market_warehouse, read_only=True) as wh:
        want = media_kit(wh, free, m.as_of, m.zone)
    got = client.as_(keys.brand).get(KIT(free)).json()
    assert got["as_of"] == m.as_of.isoformat()
    for k, v in vars(want).items():
        if k != "as_of":
            assert same(got[k], v), (k, got[k], v)
    guidance = next(r for r in m.kits.to_pylist() if r["creator_id"] == free)
    for k in ("expected_reach", "suggested_fen", "band_low_fen", "band_high_fen", "live_mention_fen"):
        assert same(got[k], guidance[k])
    # an agency sees every one of its creators and nothing else
    agency = [r["creator_id"] for r in m.kits.select(["creator_id", "mcn_id"]).to_pylist()
              if r["mcn_id"] == keys.mcn_id]  # fmt: skip
    assert own in agency
    for cid in agency:
        assert client.as_(keys.mcn).get(KIT(cid)).status_code == 200
    assert client.as_(keys.mcn).get(KIT(free)).status_code == 404
    assert client.as_(keys.creator).get(KIT(own)).status_code == 200
    assert client.as_(keys.creator).get(KIT(free)).status_code == 404
    for bad in ("0", "x", str(2**64)):
        r = client.as_(keys.brand).get(KIT(bad))
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "creator_id"
