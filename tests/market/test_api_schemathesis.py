"""Schemathesis against /v1/market/openapi.json with a valid brand key: no input makes a 5xx."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error


def test_schemathesis_finds_no_server_error(api) -> None:
    """Every operation of the document, cases generated from its schema (pytest-free loading: the schema
    needs the app, which needs the warehouse fixture), called with a valid brand key."""
    client, keys = api
    schema = schemathesis.openapi.from_asgi("/v1/market/openapi.json", client.app)
    auth = {"Authorization": f"Bearer {keys.brand}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 15
    statuses: list[int] = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def run(case) -> None:
            statuses.append(case.call_and_validate(headers=auth, checks=[not_a_server_error]).status_code)

        run()
    assert len(statuses) > 60 and max(statuses) < 500
    assert 200 in statuses and 422 in statuses


def test_the_document_names_every_route_with_bearer_auth(api) -> None:
    client, _ = api
    doc = client.get("/v1/market/openapi.json").json()
    assert set(doc["paths"]) == {"/v1/market/me", "/v1/market/creators", "/v1/market/creators/{creator_id}/media-kit",
                                 "/v1/market/match", "/v1/market/campaigns", "/v1/market/campaigns/{campaign_id}",
                                 "/v1/market/campaigns/{campaign_id}/offers",
                                 "/v1/market/campaigns/{campaign_id}/applications", "/v1/market/orders",
                                 "/v1/market/orders/{order_id}", "/v1/market/orders/{order_id}/{action}",
                                 "/v1/market/creators/{creator_id}/rate-card",
                                 "/v1/market/orders/{order_id}/performance",
                                 "/v1/market/campaigns/{campaign_id}/performance"}  # fmt: skip
    assert doc["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    for path in doc["paths"].values():
        for op in path.values():
            assert op["security"] == [{"HTTPBearer": []}]
            assert {"401", "403"} <= set(op["responses"])
