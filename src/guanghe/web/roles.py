"""Who may open what: the ONE role table of the pages, route name → roles, enforced by ``auth.page`` on
every route (a route missing from the table is refused to everyone, and ``build_web_app`` refuses to start
with one). A role's pages live under its prefix (``PREFIXES``); ``check_routes`` holds the two together.

Tenant scoping within a role's pages (a creator's own income, a brand's own campaigns, an MCN's own
creators) is the marketplace API's rules (``market.api.routes.visible``, ``market.api.orders.party_of``,
``visible_order``, ``visible_campaign``), applied by each page.

The operator console's routes are added here by its pages (``/operator/...``, roles ``OPERATOR``).
"""

from __future__ import annotations

from collections.abc import Iterable

from guanghe.appdb import ROLES

ANYONE = frozenset({"anonymous", *ROLES})  # the sign-in page, static files
CREATOR, BRAND, MCN, OPERATOR = (frozenset({r}) for r in ("creator", "brand", "mcn", "operator"))

# the prefix of each role's pages
PREFIXES: dict[str, str] = {"creator": "/creator", "brand": "/brand", "mcn": "/mcn", "operator": "/operator"}
HOME: dict[str, str] = {role: f"{prefix}/" for role, prefix in PREFIXES.items()}

ROUTE_ROLES: dict[str, frozenset[str]] = {
    # sign-in and out, the landing redirect
    "home": ANYONE,
    "login_form": ANYONE,
    "login": ANYONE,
    "logout": frozenset(ROLES),
    # creator center (pages/creator.py)
    "creator_overview": CREATOR,
    "creator_income": CREATOR,
    "creator_statement": CREATOR,
    "creator_tasks": CREATOR,
    "creator_offers": CREATOR,
    "creator_order": CREATOR,
    "creator_order_action": CREATOR,
    "creator_originality": CREATOR,
    "creator_appeal": CREATOR,
    "creator_studio": CREATOR,
    "creator_studio_run": CREATOR,
    # brand pages (pages/brand.py)
    "brand_campaigns": BRAND,
    "brand_campaign_new": BRAND,
    "brand_campaign_create": BRAND,
    "brand_campaign": BRAND,
    "brand_discover": BRAND,
    "brand_media_kit": BRAND,
    "brand_match": BRAND,
    "brand_offer": BRAND,
    "brand_orders": BRAND,
    "brand_order": BRAND,
    "brand_order_action": BRAND,
    "brand_reports": BRAND,
    # MCN agency pages (pages/mcn.py)
    "mcn_creators": MCN,
    "mcn_creator": MCN,
    "mcn_orders": MCN,
    "mcn_order_action": MCN,
    # operator console (pages/operator.py, pages/operator_ops.py)
    "operator_index": OPERATOR,
    "operator_dashboard_figures": OPERATOR,
    "operator_programs": OPERATOR,
    "operator_program_edit": OPERATOR,
    "operator_program_preview": OPERATOR,
    "operator_program_save": OPERATOR,
    "operator_allocation": OPERATOR,
    "operator_allocation_run": OPERATOR,
    "operator_explain": OPERATOR,
    "operator_pacing": OPERATOR,
    "operator_pacing_live": OPERATOR,
    "operator_money": OPERATOR,
    "operator_reconcile": OPERATOR,
    "operator_quarantine": OPERATOR,
    "operator_disputes": OPERATOR,
    "operator_resolve": OPERATOR,
    "operator_appeals": OPERATOR,
    "operator_appeal_decide": OPERATOR,
}


def role_of_path(path: str) -> str | None:
    """The role whose prefix a path is under (None: a shared page)."""
    for role, prefix in PREFIXES.items():
        if path == prefix or path.startswith(prefix + "/"):
            return role
    return None


def check_routes(routes: Iterable[tuple[str, str]]) -> list[str]:
    """Problems with ``(route name, path)`` pairs: a route without roles, or a role page open to another role
    than its prefix's (``/creator/...`` only for creators, etc.)."""
    problems = []
    for name, path in routes:
        roles = ROUTE_ROLES.get(name)
        if roles is None:
            problems.append(f"route {name} ({path}) has no roles in web.roles.ROUTE_ROLES")
            continue
        role = role_of_path(path)
        if role is not None and roles != frozenset({role}):
            problems.append(f"route {name} ({path}) is under /{role} but open to {sorted(roles)}")
    return problems
