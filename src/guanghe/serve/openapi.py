"""The published OpenAPI document (hand-written: the hot path has no framework to derive it from)."""

from __future__ import annotations

_ERR = {"description": "Bad input: the message names the field.", "content": {"application/json": {"schema": {
    "$ref": "#/components/schemas/Error"}}}}  # fmt: skip
_ID = {"type": "integer", "minimum": 0, "maximum": 2**63 - 1}
_CANDIDATE = {
    "type": "object", "additionalProperties": False, "required": ["work_id", "creator_id", "score"],
    "properties": {"work_id": _ID, "creator_id": _ID, "score": {"type": "number", "minimum": 0},
                   "quality": {"type": "number", "minimum": 0}},
}  # fmt: skip


def document(max_candidates: int) -> dict:
    return {
        "openapi": "3.0.3",
        "info": {"title": "Guanghe delivery", "version": "1",
                 "description": "Boost-and-pacing service for the feed ranker (docs/serving.md)."},
        "paths": {
            "/v1/rerank": {"post": {
                "operationId": "rerank",
                "requestBody": {"required": True, "content": {"application/json": {"schema": {
                    "$ref": "#/components/schemas/RerankRequest"}}}},
                "responses": {"200": {"description": "The slate.", "content": {"application/json": {"schema": {
                    "$ref": "#/components/schemas/RerankResponse"}}}}, "400": _ERR, "413": _ERR, "422": _ERR},
            }},
            "/v1/boost-pool": {"get": {
                "operationId": "boostPool",
                "parameters": [
                    {"name": "category", "in": "query", "required": False, "schema": {"type": "string"}},
                    {"name": "limit", "in": "query", "required": False,
                     "schema": {"type": "integer", "minimum": 1, "maximum": 10_000}},
                    {"name": "at", "in": "query", "required": False, "schema": {"type": "number"},
                     "description": "Unix seconds; honoured only by a server in replay mode (--replay)."},
                ],
                "responses": {"200": {"description": "Works most behind their pacing curve.",
                                      "content": {"application/json": {"schema": {"type": "object"}}}},
                              "400": _ERR},
            }},
            "/v1/health": {"get": {"operationId": "health", "responses": {
                "200": {"description": "ok, or degraded with the reason (no plan covers the serving day, counters "
                                       "unreachable or being rebuilt).", "content": {"application/json": {"schema": {
                    "$ref": "#/components/schemas/Health"}}}}}}},
            "/v1/ready": {"get": {"operationId": "ready", "responses": {
                "200": {"description": "Serving the plan.", "content": {"application/json": {"schema": {
                    "$ref": "#/components/schemas/Ready"}}}},
                "503": {"description": "Degraded: the reason says why.", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Ready"}}}}}}},
            "/metrics": {"get": {"operationId": "metrics", "responses": {
                "200": {"description": "Prometheus text format.", "content": {"text/plain": {"schema": {
                    "type": "string"}}}}}}},
        },
        "components": {"schemas": {
            "Candidate": _CANDIDATE,
            "RerankRequest": {
                "type": "object", "additionalProperties": False,
                "required": ["request_id", "user_id", "slots", "candidates"],
                "properties": {
                    "request_id": {"type": "string", "minLength": 1, "maxLength": 128},
                    "user_id": _ID,
                    "slots": {"type": "integer", "minimum": 1, "maximum": 100},
                    "candidates": {"type": "array", "maxItems": max_candidates,
                                   "items": {"$ref": "#/components/schemas/Candidate"}},
                    "at": {"type": "number", "description": "Unix seconds; honoured only by a server in replay "
                                                            "mode (--replay): a live server's clock decides."},
                },
            },
            "Item": {"type": "object", "required": ["work_id", "creator_id", "score"], "properties": {
                "work_id": _ID, "creator_id": _ID, "score": {"type": "number"}, "program": {"type": "string"}}},
            "RerankResponse": {"type": "object", "required": ["request_id", "items", "boosted", "degraded"],
                               "properties": {"request_id": {"type": "string"}, "boosted": {"type": "integer"},
                                              "degraded": {"type": "boolean"}, "items": {
                                                  "type": "array", "items": {"$ref": "#/components/schemas/Item"}}}},
            "Health": {"type": "object", "required": ["status", "reason", "mode", "day", "plan_id", "creators"],
                       "properties": {"status": {"type": "string", "enum": ["ok", "degraded"]},
                                      "reason": {"type": "string", "nullable": True},
                                      "mode": {"type": "string", "enum": ["live", "replay"]},
                                      "timezone": {"type": "string"}, "day": {"type": "string", "format": "date"},
                                      "plan_id": {"type": "string", "nullable": True},
                                      "creators": {"type": "integer"}, "counters_ok": {"type": "boolean"}}},
            "Ready": {"type": "object", "required": ["ready", "reason"],
                      "properties": {"ready": {"type": "boolean"}, "reason": {"type": "string", "nullable": True}}},
            "Error": {"type": "object", "required": ["error", "field"],
                      "properties": {"error": {"type": "string"}, "field": {"type": "string"}}},
        }},
    }  # fmt: skip
