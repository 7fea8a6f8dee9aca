"""Calling the market API in-process (httpx through the ASGI app: the real HTTP stack, no server) and making
one key per role in a real application database."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import httpx
from fastapi import FastAPI

from guanghe.appdb import create_key, list_keys, open_appdb, revoke_key
from guanghe.market.api import MarketSettings, build_market_app

PROBLEM = "application/problem+json"


class Client:
    """Synchronous calls into the ASGI app through httpx's ASGI transport."""

    def __init__(self, app: FastAPI, key: str | None = None) -> None:
        self.app, self.key = app, key

    def as_(self, key: str | None) -> Client:
        return Client(self.app, key)

    def request(self, method: str, url: str, **kw) -> httpx.Response:
        headers = dict(kw.pop("headers", {}))
        if self.key is not None:
            headers.setdefault("Authorization", f"Bearer {self.key}")

        async def go() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
                return await c.request(method, url, headers=headers, **kw)

        return asyncio.run(go())

    def get(self, url: str, **kw) -> httpx.Response:
        return self.request("GET", url, **kw)

    def post(self, url: str, **kw) -> httpx.Response:
        return self.request("POST", url, **kw)


@dataclass
class Keys:
    """One key per principal of the tests (and a revoked one)."""

    brand: str
    mcn: str  # agency ``mcn_id`` (owns ``own`` creators)
    other_mcn: str  # an agency without creators
    creator: str  # creator ``creator_id``
    operator: str
    revoked: str
    mcn_id: int
    creator_id: int  # a creator of agency mcn_id
    other_creator_id: int  # a creator of no agency

    def of(self, role: str | None) -> str | None:
        return None if role is None else getattr(self, role)


def make_keys(url: str, members: tuple[int, int, int]) -> Keys:
    """Create the database at ``url`` (migrated) and the keys; ``members``: (an agency with creators, one of
    its creators, a creator of no agency)."""
    mcn_id, creator_id, other_creator_id = members
    with open_appdb(url, create=True) as db:
        made = {
            "brand": create_key(db, "brand", "Acme", 42)[1],
            "mcn": create_key(db, "mcn", "Agency", mcn_id)[1],
            "other_mcn": create_key(db, "mcn", "Other agency", 999_999)[1],
            "creator": create_key(db, "creator", "Creator", creator_id)[1],
            "operator": create_key(db, "operator", "Ops")[1],
            "revoked": create_key(db, "brand", "Old key", 42)[1],
        }
        revoked_id = max(k.id for k in list_keys(db))
        revoke_key(db, revoked_id)
    return Keys(**made, mcn_id=mcn_id, creator_id=creator_id, other_creator_id=other_creator_id)


def build(warehouse: str, db: str, **kw) -> FastAPI:
    return build_market_app(MarketSettings(warehouse=warehouse, db=db, time_limit_s=5.0, **kw))
