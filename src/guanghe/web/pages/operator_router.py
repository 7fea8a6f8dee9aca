"""The operator console's one router (``/operator``): ``pages.operator`` and ``pages.operator_ops`` add their
routes to it, so every route is a plain route of the app (checked against ``roles.ROUTE_ROLES``)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/operator")
