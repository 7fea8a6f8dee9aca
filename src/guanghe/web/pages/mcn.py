"""The mcn pages (``/mcn/...``)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from guanghe.web.auth import Who
from guanghe.web.templating import render

router = APIRouter(prefix="/mcn")


@router.get("/", name="mcn_creators")
def mcn_creators(request: Request, who: Who) -> Response:
    return render(request, "mcn/index.html")
