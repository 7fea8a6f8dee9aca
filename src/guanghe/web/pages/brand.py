"""The brand pages (``/brand/...``)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from guanghe.web.auth import Who
from guanghe.web.templating import render

router = APIRouter(prefix="/brand")


@router.get("/", name="brand_campaigns")
def brand_campaigns(request: Request, who: Who) -> Response:
    return render(request, "brand/index.html")
