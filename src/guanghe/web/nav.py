"""Each role's navigation: (route path, label key). Pages of a role add their entries here (additive)."""

from __future__ import annotations

from dataclasses import dataclass

from guanghe.appdb import Principal


@dataclass(frozen=True)
class Link:
    path: str
    label: str  # an i18n key
    current: bool = False


NAV: dict[str, list[tuple[str, str]]] = {
    "creator": [
        ("/creator/", "nav_overview"),
        ("/creator/income", "nav_income"),
        ("/creator/tasks", "nav_tasks"),
        ("/creator/offers", "nav_offers"),
        ("/creator/originality", "nav_originality"),
        ("/creator/studio", "nav_studio"),
    ],
    "brand": [
        ("/brand/", "nav_campaigns"),
        ("/brand/discover", "nav_discover"),
        ("/brand/orders", "nav_orders"),
        ("/brand/reports", "nav_reports"),
    ],
    "mcn": [("/mcn/", "nav_mcn_creators"), ("/mcn/orders", "nav_orders")],
    "operator": [("/operator/", "operator_console")],
}
# the operator console's navigation (pages/operator.py, pages/operator_ops.py)
NAV["operator"] = [
    ("/operator/", "nav_op_dashboard"),
    ("/operator/programs", "nav_op_programs"),
    ("/operator/allocation", "nav_op_allocation"),
    ("/operator/pacing", "nav_op_pacing"),
    ("/operator/money", "nav_op_money"),
    ("/operator/quarantine", "nav_op_quarantine"),
    ("/operator/disputes", "nav_op_disputes"),
    ("/operator/appeals", "nav_op_appeals"),
]


def nav_for(principal: Principal | None, path: str) -> list[Link]:
    """The signed-in role's links, the one the page is under marked current (the longest matching prefix)."""
    if principal is None:
        return []
    links = NAV.get(principal.kind, [])
    best = max((p for p, _ in links if path == p or (p != "/" and path.startswith(p.rstrip("/") + "/"))
                or path.rstrip("/") == p.rstrip("/")), key=len, default=None)  # fmt: skip
    return [Link(p, label, p == best) for p, label in links]
