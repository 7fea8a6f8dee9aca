"""The operator console (``/operator/...``): a placeholder index; the console's pages replace it."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from guanghe.web.auth import Who
from guanghe.web.templating import render

router = APIRouter(prefix="/operator")


@router.get("/", name="operator_index")
def operator_index(request: Request, who: Who) -> Response:
    return render(request, "operator/index.html")
