"""Orders through the HTTP API (httpx over the ASGI app: the real HTTP stack), on SQLite and PostgreSQL
application databases with a real ledger on the same backend: a whole order, scoping, idempotency keys, a
race of two requests, rate cards in search."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import asdict

import httpx
import pytest
from api_helpers import PROBLEM, Client, Keys, build, make_keys

from guanghe.appdb import create_key, open_appdb
from guanghe.data.warehouse import open_warehouse
from guanghe.ledger import open_ledger
from guanghe.ledger.reconcile import reconcile
from guanghe.market.escrow import brand_account
from guanghe.market.performance import campaign_performance, works_performance
from guanghe.money.chart import creator_payable

PRICE = 100_000
FEE = 5_000  # the brand_deal rule's default fee: 500 bps of 100,000 (examples/channels/brand_deal.toml)
API = "/v1/market"


@pytest.fixture
def env(make_url, market_warehouse: str, members) -> Iterator[tuple[Client, Keys, str, str]]:
    """(client, keys, another brand's key, the ledger URL), the app over fresh stores of ``backend``."""
    url, ledger_url = make_url(), make_url()
    keys = make_keys(url, members)
    with open_appdb(url) as db:
        other = create_key(db, "brand", "Rival", 43)[1]
    open_ledger(ledger_url, create=True).close()
    app = build(market_warehouse, url, ledger=ledger_url)
    yield Client(app), keys, other, ledger_url
    app.state.market.close()
    app.state.market.db.close()


@pytest.fixture(scope="module")
def work_of(market_warehouse: str, members) -> tuple[int, int]:
    """(a work of the keys' creator, a work of another creator), from the warehouse's ``works``."""
    with open_warehouse(market_warehouse, read_only=True) as wh:
        t = wh.table("works")
        mine = wh.fetch(t.filter(t.creator_id == members[1]).select("work_id").limit(1)).column(0)[0]
        other = wh.fetch(t.filter(t.creator_id != members[1]).select("work_id").limit(1)).column(0)[0]
    return mine.as_py(), other.as_py()


def campaign(c: Client, keys: Keys) -> int:
    body = {"title": "Summer", "brief": "short videos", "categories": [], "budget_fen": 10_000_000,
            "deadline": "2031-06-30"}  # fmt: skip
    r = c.as_(keys.brand).post(f"{API}/campaigns", json=body)
    assert r.status_code == 201, r.text
    return r.json()["id"]


def offer(c: Client, keys: Keys, campaign_id: int, price: int = PRICE) -> dict:
    r = c.as_(keys.brand).post(f"{API}/campaigns/{campaign_id}/offers",
                               json={"creator_id": keys.creator_id, "price_fen": price})  # fmt: skip
    assert r.status_code == 201, r.text
    return r.json()


def act(c: Client, key: str, order_id: int, action: str, idem: str | None = None, **body) -> httpx.Response:
    headers = {"Idempotency-Key": idem} if idem else {}
    return c.as_(key).post(f"{API}/orders/{order_id}/{action}", json=body or None, headers=headers)


def balance(ledger_url: str, account: int) -> tuple[int, int]:
    with open_ledger(ledger_url) as ledger:
        found = ledger.lookup_accounts([account])
    if not found:
        return 0, 0
    a = found[0]
    return a.credits_posted - a.debits_posted, a.debits_pending


def test_a_whole_order_through_the_api(env, work_of) -> None:
    c, keys, _, ledger_url = env
    cid = campaign(c, keys)
    order = offer(c, keys, cid)
    oid = order["id"]
    assert (order["state"], order["price_fen"], order["fee_fen"], order["mcn_id"]) == (
        "offered", PRICE, FEE, keys.mcn_id)  # fmt: skip
    assert act(c, keys.creator, oid, "accept", "a1").json()["to_state"] == "accepted"
    r = act(c, keys.brand, oid, "fund", "f1")
    assert r.status_code == 200 and r.json()["to_state"] == "funded" and len(r.json()["transfers"]) == 1
    assert balance(ledger_url, brand_account(42)) == (0, PRICE)  # held in escrow
    wrong = act(c, keys.creator, oid, "deliver", work_id=work_of[1])  # another creator's work
    assert wrong.status_code == 409 and "belongs to creator" in wrong.json()["detail"]
    assert act(c, keys.creator, oid, "deliver", work_id=work_of[0]).json()["to_state"] == "delivered"
    r = act(c, keys.brand, oid, "accept", "a2")
    assert r.status_code == 200 and r.json()["to_state"] == "completed"
    assert balance(ledger_url, creator_payable(keys.creator_id)) == (PRICE - FEE, 0)  # 95,000
    got = c.as_(keys.mcn).get(f"{API}/orders/{oid}")  # the creator's MCN sees it, with its trail
    assert got.status_code == 200 and got.headers["etag"] == '"5"'
    assert [e["action"] for e in got.json()["events"]] == ["offer", "accept", "fund", "deliver", "accept"]
    listed = c.as_(keys.creator).get(f"{API}/orders", params={"state": "completed"}).json()
    assert [x["id"] for x in listed["items"]] == [oid] and listed["total"] == 1
    with open_ledger(ledger_url) as ledger:
        report = reconcile(ledger)
    assert report.ok, report.problems
    # the delivered work's performance, as market.performance computes it through the catalog's day
    state = c.app.state.market
    with open_warehouse(state.settings.warehouse, read_only=True) as wh:
        want = works_performance(wh, [work_of[0]], state.as_of, state.zone).to_pylist()
        want_total = asdict(campaign_performance(wh, [work_of[0]], state.as_of))
    mine = c.as_(keys.creator).get(f"{API}/orders/{oid}/performance")
    assert mine.status_code == 200 and mine.json()["works"] == json_safe(want), mine.text
    camp = c.as_(keys.brand).get(f"{API}/campaigns/{cid}/performance").json()
    assert camp["total"] == json_safe(want_total) and camp["total"]["works"] == 1
    assert c.as_(keys.creator).get(f"{API}/campaigns/{cid}/performance").status_code == 403


def json_safe(value):
    """What the JSON answer holds for a Python value (dates as ISO text)."""
    return json.loads(json.dumps(value, default=str))


def test_scoping(env) -> None:
    c, keys, other_brand, _ = env
    cid = campaign(c, keys)
    oid = offer(c, keys, cid)["id"]
    for key, path in ((other_brand, f"/orders/{oid}"), (other_brand, f"/campaigns/{cid}"),
                      (keys.other_mcn, f"/orders/{oid}"), (keys.brand, "/orders/999999")):  # fmt: skip
        r = c.as_(key).get(API + path)
        assert r.status_code == 404 and r.headers["content-type"] == PROBLEM, (path, r.text)
    assert act(c, other_brand, oid, "cancel", "k").status_code == 404  # not a party: as if absent
    r = c.as_(other_brand).post(f"{API}/campaigns/{cid}/offers", json={"creator_id": keys.creator_id,
                                                                     "price_fen": 1})  # fmt: skip
    assert r.status_code == 404
    assert c.as_(other_brand).get(f"{API}/orders").json()["total"] == 0
    assert c.as_(other_brand).get(f"{API}/campaigns").json()["total"] == 0
    assert c.as_(keys.operator).get(f"{API}/campaigns").json()["total"] >= 1
    assert act(c, keys.creator, oid, "accept", "a").status_code == 200
    r = act(c, keys.creator, oid, "fund", "f")  # a party, but not the brand
    assert r.status_code == 403 and r.headers["content-type"] == PROBLEM
    bad = c.as_(keys.brand).post(f"{API}/campaigns/{cid}/offers", json={"creator_id": 2**40, "price_fen": 5})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "creator_id"
    r = act(c, keys.creator, oid, "counter")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "price_fen"


def test_idempotency_keys(env) -> None:
    c, keys, _, ledger_url = env
    oid = offer(c, keys, campaign(c, keys))["id"]
    missing = act(c, keys.creator, oid, "accept")
    assert missing.status_code == 428 and missing.json()["errors"][0]["field"] == "Idempotency-Key"
    assert act(c, keys.creator, oid, "accept", "k-accept").status_code == 200
    first = act(c, keys.brand, oid, "fund", "k-fund")
    again = act(c, keys.brand, oid, "fund", "k-fund")  # a retry: the first answer, no second hold
    assert first.status_code == again.status_code == 200
    assert again.headers["idempotent-replayed"] == "true" and again.json()["replayed"]
    assert {k: v for k, v in again.json().items() if k not in ("replayed", "order")} == {
        k: v for k, v in first.json().items() if k not in ("replayed", "order")
    }
    assert balance(ledger_url, brand_account(42)) == (0, PRICE)  # held once
    other = act(c, keys.brand, oid, "cancel", "k-fund")  # the same key for another action
    assert other.status_code == 409 and "idempotency key" in other.json()["detail"]
    stale = c.as_(keys.brand).post(
        f"{API}/orders/{oid}/cancel", headers={"Idempotency-Key": "c", "If-Match": '"1"'}
    )
    assert stale.status_code == 409 and "changed" in stale.json()["detail"]


async def race(c: Client, keys: Keys, oid: int, n: int) -> list[httpx.Response]:
    """The creator accepts and the brand cancels the same offer (version 1) at once."""
    transport = httpx.ASGITransport(app=c.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as h:

        def go(key: str, action: str):
            headers = {"Authorization": f"Bearer {key}", "Idempotency-Key": f"{action}{n}", "If-Match": "1"}
            return h.post(f"{API}/orders/{oid}/{action}", headers=headers)

        return list(await asyncio.gather(go(keys.creator, "accept"), go(keys.brand, "cancel")))


def test_concurrent_accept_and_cancel_over_http(env) -> None:
    c, keys, _, ledger_url = env
    cid = campaign(c, keys)
    for round_ in range(8):
        oid = offer(c, keys, cid)["id"]

        statuses = sorted(r.status_code for r in asyncio.run(race(c, keys, oid, round_)))
        assert statuses == [200, 409], statuses
        state = c.as_(keys.brand).get(f"{API}/orders/{oid}").json()
        assert state["state"] in ("accepted", "cancelled") and state["version"] == 2
    with open_ledger(ledger_url) as ledger:
        assert reconcile(ledger).ok


def test_rate_cards_price_search_and_match(env) -> None:
    c, keys, _, _ = env
    path = f"{API}/creators/{keys.creator_id}/rate-card"
    assert c.as_(keys.brand).request("PUT", path, json={"price_fen": 1}).status_code == 403
    r = c.as_(keys.mcn).request("PUT", path, json={"price_fen": 1})
    assert r.status_code == 200 and r.json()["price_fen"] == 1
    other = f"{API}/creators/{keys.other_creator_id}/rate-card"
    assert c.as_(keys.creator).request("PUT", other, json={"price_fen": 9}).status_code == 404
    found = c.as_(keys.brand).get(f"{API}/creators", params={"max_price_fen": 1}).json()["items"]
    assert [(x["creator_id"], x["price_fen"], x["price_source"]) for x in found] == [
        (keys.creator_id, 1, "rate_card")
    ]
    match = c.as_(keys.brand).post(f"{API}/match", json={"budget_fen": 1, "max_creators": 1}).json()
    assert [x["creator_id"] for x in match["chosen"]] == [keys.creator_id]


def test_sixteen_concurrent_requests(env) -> None:
    """More concurrent requests than 5 threads: the SQLite application database's pool is a QueuePool (a
    SingletonThreadPool closed other threads' connections: "Cannot operate on a closed database")."""
    c, keys, _, _ = env
    cid = campaign(c, keys)

    async def many() -> list[int]:
        transport = httpx.ASGITransport(app=c.app)
        headers = {"Authorization": f"Bearer {keys.brand}"}
        body = {"creator_id": keys.creator_id, "price_fen": PRICE}
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as h:
            calls = [h.post(f"{API}/campaigns/{cid}/offers", headers=headers, json=body) for _ in range(16)]
            return [r.status_code for r in await asyncio.gather(*calls)]

    assert asyncio.run(many()) == [201] * 16
    assert c.as_(keys.brand).get(f"{API}/orders").json()["total"] == 16


def test_offers_through_the_api_get_the_program_fee_discounts(env) -> None:
    """The fee is the brand_deal rule's: 500 bps, 200 for a creator 小麦计划 supported in the catalog's last 90
    days, 300 for 品牌星推官 (the lowest of its programs) — taken from the creator's media kit."""
    c, keys, _, _ = env
    kits = c.app.state.market.kits.select(["creator_id", "programs_90d"]).to_pylist()
    rates = {"xiaomai": 200, "brand_star": 300}
    expected = {}
    for k in kits:
        found = [rates[p] for p in k["programs_90d"] if p in rates]
        bps = min(found, default=500)
        expected.setdefault(bps, k["creator_id"])
    assert 200 in expected and 500 in expected, expected  # the synthetic platform has both kinds of creator
    cid = campaign(c, keys)
    for bps, creator in sorted(expected.items()):
        r = c.as_(keys.brand).post(
            f"{API}/campaigns/{cid}/offers", json={"creator_id": creator, "price_fen": PRICE}
        )
        assert r.status_code == 201, r.text
        assert r.json()["fee_fen"] == PRICE * bps // 10_000, (bps, creator, r.json())


def test_applications_are_shortlisted_and_accepted_through_the_api(env) -> None:
    """An open brief: the creator applies, the brand shortlists the application and accepts it."""
    c, keys, _, _ = env
    cid = campaign(c, keys)
    r = c.as_(keys.creator).post(f"{API}/campaigns/{cid}/applications",
                                 json={"creator_id": keys.creator_id, "price_fen": 60_000, "pitch": "hi"})  # fmt: skip
    assert r.status_code == 201, r.text
    oid = r.json()["id"]
    assert act(c, keys.creator, oid, "shortlist").status_code == 403
    r = act(c, keys.brand, oid, "shortlist")
    assert r.status_code == 200 and r.json()["to_state"] == "offered", r.text
    listed = c.as_(keys.brand).get(f"{API}/orders", params={"shortlisted": "true"}).json()
    assert [x["id"] for x in listed["items"]] == [oid]
    assert act(c, keys.brand, oid, "accept", "acc").json()["to_state"] == "accepted"
    assert c.as_(keys.brand).get(f"{API}/orders", params={"shortlisted": "true"}).json()["total"] == 0
