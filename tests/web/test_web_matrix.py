"""The role × route matrix: every GET route of the app, for anonymous and every role — anonymous → 302 to
/login, a role the table does not list → 403, the route's role → 200; and cross-tenant reads → 404."""

from __future__ import annotations

import pytest
from fastapi.routing import APIRoute
from web_world import World

from guanghe.web.app import page_routes
from guanghe.web.roles import ROUTE_ROLES

ROLES = ("creator", "brand", "mcn", "operator")


def concrete(world: World, path: str) -> str:
    """A GET route's path with real ids: the demo creator's statement month, the seeded campaign and order."""
    ids = world.extra
    return (path.replace("{month}", ids["month"]).replace("{order_id}", str(ids["order"]))
            .replace("{campaign_id}", str(ids["campaign"])).replace("{creator_id}", str(ids["creator"])))  # fmt: skip


@pytest.fixture(scope="module")
def world(web_world: World, web_platform) -> World:
    from guanghe.market.offers import list_campaigns, list_orders

    brand = web_world.accounts["brand"].principal
    campaign = list_campaigns(web_world.state.db, brand.external_id, 1)[0][0]
    order = list_orders(web_world.state.db, ("brand", brand.external_id), limit=1)[0][0]
    web_world.extra.update(month=str(web_platform.month), campaign=campaign.id, order=order.id,
                           creator=web_world.accounts["creator"].principal.external_id)  # fmt: skip
    return web_world


def gets(world: World) -> list[APIRoute]:
    return [r for r in page_routes(world.app) if "GET" in r.methods]  # type: ignore[arg-type]


def test_every_route_has_roles_and_the_table_names_only_routes(world: World):
    names = {r.name for r in page_routes(world.app)}  # type: ignore[arg-type]
    assert names <= set(ROUTE_ROLES)
    assert {"creator_income", "brand_discover", "mcn_creators", "operator_index"} <= names


def test_role_by_route_matrix(world: World):
    clients = {role: world.as_(role) for role in ROLES}
    checked = 0
    for route in gets(world):
        if route.name in ("home", "login_form"):
            continue
        url = concrete(world, route.path)
        anon = world.anonymous().get(url)
        assert anon.status_code == 302 and anon.headers["location"].startswith("/login?next="), url
        for role in ROLES:
            r = clients[role].get(url)
            expected = 200 if role in ROUTE_ROLES[route.name] else 403
            assert r.status_code == expected, (role, url, r.status_code, r.text[-300:])
            checked += 1
    assert checked >= 4 * 20


def test_posts_refused_to_other_roles(world: World):
    """A state change under another role's prefix is 403 even with a valid CSRF token."""
    order = world.extra["order"]
    for role, url in (("creator", f"/brand/orders/{order}/fund"), ("brand", f"/creator/orders/{order}/accept"),
                      ("mcn", "/brand/campaigns"), ("operator", f"/creator/orders/{order}/accept")):  # fmt: skip
        assert world.as_(role).post(url, {"version": "1"}).status_code == 403, (role, url)


def test_cross_tenant_reads_are_404(world: World, web_platform):
    from web_helpers import sign_in

    from guanghe.appdb.logins import set_password  # noqa: F401 - the cast below are real principals
    from guanghe.web.demo import ensure_principal

    db, kits = world.state.db, world.state.market.kits
    me = world.accounts["creator"].principal.external_id
    mcn = world.accounts["mcn"].principal.external_id
    other_creator = next(c for c, m in zip(kits.column("creator_id").to_pylist(), kits.column("mcn_id").to_pylist(),
                                          strict=True) if c != me and m != mcn)  # fmt: skip
    stranger = sign_in(world.app, ensure_principal(db, "creator", "Other creator", other_creator)).client
    other_brand = sign_in(world.app, ensure_principal(db, "brand", "Other brand", 999_001)).client
    other_mcn = sign_in(world.app, ensure_principal(db, "mcn", "Other agency", 999_002)).client
    order, campaign = world.extra["order"], world.extra["campaign"]
    assert stranger.get(f"/creator/orders/{order}").status_code == 404  # another creator's order
    assert other_brand.get(f"/brand/orders/{order}").status_code == 404
    assert other_brand.get(f"/brand/campaigns/{campaign}").status_code == 404
    assert other_brand.get(f"/brand/campaigns/{campaign}/match").status_code == 404
    assert other_mcn.get(f"/mcn/creators/{me}").status_code == 404  # not its creator
    assert world.as_("mcn").get(f"/mcn/creators/{me}").status_code == 200  # its own
    assert world.as_("mcn").get(f"/mcn/creators/{other_creator}").status_code == 404
    # acting on another's order is 404 too, and nothing moves
    r = stranger.post(f"/creator/orders/{order}/accept", {"version": "1"})
    assert r.status_code == 404
    # a creator's income page shows its own figures, never the id in a query
    mine = world.as_("creator").get("/creator/income")
    theirs = stranger.get(f"/creator/income?creator_id={me}")
    assert mine.status_code == theirs.status_code == 200
    assert mine.text.count('id="income-total"') == 1
    total = lambda text: text.split('id="income-total">')[1].split("<")[0]  # noqa: E731
    assert total(mine.text) != total(theirs.text)
