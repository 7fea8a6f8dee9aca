"""The creator pages (``/creator/...``)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from guanghe.web.auth import Who
from guanghe.web.templating import render

router = APIRouter(prefix="/creator")


@router.get("/", name="creator_overview")
def creator_overview(request: Request, who: Who) -> Response:
    return render(request, "creator/index.html")
