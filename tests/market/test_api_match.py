"""POST /v1/market/match: the chosen set is match_exact's on the same pool; bad input names the field."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from api_helpers import PROBLEM

from guanghe.market.discovery import SearchFilters, search
from guanghe.market.matching import Campaign, Pool, match_exact
from guanghe.market.reference import match_greedy

MATCH = "/v1/market/match"


def reference_pool(m, filters: SearchFilters, objective: str, must=(), exclude=()) -> Pool:
    """The pool built from the search use case alone: its rows in its order, must-includes added."""
    n = m.kits.num_rows
    everyone = search(m.wh, m.kits, SearchFilters(deliverable=filters.deliverable), limit=n).rows
    found = set(search(m.wh, m.kits, filters, limit=n).rows.column("creator_id").to_pylist()) | set(must)
    rows = everyone.filter(pc.is_in(everyone.column("creator_id"), pa.array(sorted(found), pa.int64())))
    ids = rows.column("creator_id").to_numpy()
    value = rows.column("reach").to_numpy()
    if objective == "engagement":
        value = value * np.nan_to_num(rows.column("engagement_rate").to_numpy(zero_copy_only=False), nan=0.0)
    mcn = np.array([x or 0 for x in rows.column("mcn_id").to_pylist()], np.int64)
    return Pool(
        ids, mcn, rows.column("price_fen").to_numpy(), value, np.isin(ids, must), np.isin(ids, exclude)
    )


@pytest.mark.parametrize(
    ("body", "filters"),
    [
        ({"budget_fen": 300_000, "max_creators": 5, "max_per_mcn": 1}, SearchFilters()),
        ({"budget_fen": 1_000_000, "max_creators": 20, "objective": "engagement",
          "filters": {"categories": ["food", "beauty", "tech"], "min_followers": 10_000}},
         SearchFilters(categories=("food", "beauty", "tech"), min_followers=10_000)),
        ({"budget_fen": 200_000, "filters": {"tiers": ["waist"], "deliverable": "live_mention"}},
         SearchFilters(tiers=("waist",), deliverable="live_mention")),
    ],
)  # fmt: skip
def test_the_chosen_set_is_match_exact_on_the_same_pool(api, body: dict, filters: SearchFilters) -> None:
    client, keys = api
    m = client.app.state.market
    r = client.as_(keys.brand).post(MATCH, json=body)
    assert r.status_code == 200, r.text
    got = r.json()
    pool = reference_pool(m, filters, body.get("objective", "reach"))
    campaign = Campaign(body["budget_fen"], body.get("max_creators"), body.get("max_per_mcn"))
    want, greedy = match_exact(pool, campaign), match_greedy(pool, campaign)
    assert got["pool"] == pool.n
    assert sorted(c["creator_id"] for c in got["chosen"]) == sorted(want.creator_id.tolist())
    assert got["value"] == pytest.approx(want.value, rel=1e-9)
    assert (
        got["price_fen"] == want.price_fen == sum(c["price_fen"] for c in got["chosen"]) <= body["budget_fen"]
    )
    assert got["status"] == "optimal" and got["gap"] == pytest.approx(0, abs=1e-6)
    assert got["greedy"]["value"] == pytest.approx(greedy.value, rel=1e-9)
    assert got["greedy"]["value"] <= got["value"] * (1 + 1e-9)
    assert got["creators"] == len(got["chosen"]) <= body.get("max_creators", 10**9)


def test_must_include_and_exclude(api) -> None:
    client, keys = api
    m = client.app.state.market
    c = client.as_(keys.operator)
    first = c.post(MATCH, json={"budget_fen": 300_000, "max_creators": 5}).json()
    top = [x["creator_id"] for x in first["chosen"]]
    # force in a creator the filters leave out, and rule out the first answer's best
    outsider = next(
        r["creator_id"] for r in m.kits.to_pylist() if r["tier"] == "tail" and r["expected_reach"] > 0
    )
    body = {"budget_fen": 300_000, "max_creators": 5, "must_include": [outsider], "exclude": top[:2],
            "filters": {"tiers": ["waist", "head"]}}  # fmt: skip
    got = c.post(MATCH, json=body).json()
    ids = [x["creator_id"] for x in got["chosen"]]
    assert outsider in ids and not set(top[:2]) & set(ids)
    pool = reference_pool(m, SearchFilters(tiers=("waist", "head")), "reach", [outsider], top[:2])
    want = match_exact(pool, Campaign(300_000, 5))
    assert sorted(ids) == sorted(want.creator_id.tolist())


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"budget_fen": 0}, 422, "budget_fen"),
        ({"budget_fen": -5}, 422, "budget_fen"),
        ({"budget_fen": "lots"}, 422, "budget_fen"),
        ({}, 422, "budget_fen"),
        ({"budget_fen": 100, "max_creators": 0}, 422, "max_creators"),
        ({"budget_fen": 100, "max_per_mcn": -1}, 422, "max_per_mcn"),
        ({"budget_fen": 100, "objective": "likes"}, 422, "objective"),
        ({"budget_fen": 100, "filters": {"tiers": ["giant"]}}, 422, "filters.tiers[0]"),
        (
            {"budget_fen": 100, "filters": {"min_followers": 9, "max_followers": 1}},
            422,
            "filters.min_followers",
        ),
        ({"budget_fen": 100, "filters": {"programs": ["nope"]}}, 422, "filters.programs"),
        ({"budget_fen": 100, "filters": {"colour": "red"}}, 422, "filters.colour"),
        ({"budget_fen": 100, "surprise": 1}, 422, "surprise"),
        ({"budget_fen": 100, "must_include": [10**12]}, 422, "must_include[0]"),
        ({"budget_fen": 100, "must_include": [1], "exclude": [1]}, 422, "exclude"),
        (
            {"budget_fen": 1, "must_include": [1]},
            422,
            "must_include",
        ),  # the must-include alone breaks the budget
        ([1, 2], 422, "body"),
    ],
)
def test_bad_input_is_4xx_naming_the_field(api, body, status: int, field: str) -> None:
    client, keys = api
    r = client.as_(keys.brand).post(MATCH, json=body)
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == PROBLEM
    assert field in [e["field"] for e in r.json()["errors"]], r.json()


def test_malformed_json_is_400(api) -> None:
    client, keys = api
    r = client.as_(keys.brand).post(
        MATCH, content=b'{"budget_fen": ', headers={"content-type": "application/json"}
    )
    assert r.status_code == 400 and r.headers["content-type"] == PROBLEM
    assert r.json()["errors"]
