"""Who calls and what they may call: ``Authorization: Bearer <key>`` → ``appdb.authenticate`` → ``Principal``,
then the ONE role table below, enforced by one dependency on every route.

A missing, malformed, unknown or revoked key is 401; a role the table does not list for the route is 403 (a
route missing from the table is refused to everyone, and ``build_market_app`` refuses to start with one);
a resource of another tenant is 404, decided by the route (see ``routes``), so existence never leaks."""

from __future__ import annotations

from fastapi import Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from guanghe.appdb import ROLES, Principal, authenticate
from guanghe.market.api.problems import Problem

ALL = frozenset(ROLES)

# route name → the roles allowed to call it (the tenant scoping of each route is in routes.py)
ROUTE_ROLES: dict[str, frozenset[str]] = {
    "me": ALL,
    "search_creators": frozenset({"brand", "mcn", "operator"}),
    "media_kit": ALL,
    "match": frozenset({"brand", "operator"}),
    "create_campaign": frozenset({"brand"}),
    "list_campaigns": frozenset({"brand", "operator"}),
    "get_campaign": frozenset({"brand", "operator"}),
    "make_offer": frozenset({"brand"}),
    "apply": frozenset({"creator", "mcn"}),
    "list_orders": ALL,
    "get_order": ALL,
    "order_action": ALL,  # which party may do which action in which state: market.states.TRANSITIONS
    "set_rate_card": frozenset({"creator", "mcn", "operator"}),
    "order_performance": ALL,  # a party to the order (else 404) or an operator
    "campaign_performance": frozenset({"brand", "operator"}),
}

bearer = HTTPBearer(auto_error=False, description="An API key: guanghe market keys create --role ROLE ...")
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="guanghe-market"'}


def authorize(
    request: Request, credentials: HTTPAuthorizationCredentials | None = Security(bearer)
) -> Principal:
    """The caller's principal, if its key is valid and its role may call this route (else 401 / 403)."""
    if credentials is None or not credentials.credentials:
        raise Problem(401, "missing API key: send Authorization: Bearer <key>", headers=CHALLENGE)
    principal = authenticate(request.app.state.market.db, credentials.credentials)
    if principal is None:
        raise Problem(401, "invalid or revoked API key", headers=CHALLENGE)
    route = request.scope.get("route")
    allowed = ROUTE_ROLES.get(getattr(route, "name", ""), frozenset())
    if principal.kind not in allowed:
        raise Problem(403, f"role {principal.kind} may not call this route")
    return principal
