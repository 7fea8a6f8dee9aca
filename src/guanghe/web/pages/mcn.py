"""The MCN agency pages (``/mcn/...``): its signed creators (``creators.mcn_id`` as of the catalog, the
marketplace's membership rule), their income, the agency's statements, and the orders naming it. Another
agency's creator is 404 (``market.api.routes.visible``)."""

from __future__ import annotations

import secrets
from typing import Annotated

import pyarrow.compute as pc
from fastapi import APIRouter, Path, Request
from starlette.responses import RedirectResponse, Response

from guanghe.market.api.orders import party_of
from guanghe.market.api.routes import clean, visible
from guanghe.market.offers import list_orders
from guanghe.web import charts
from guanghe.web.auth import FormData, PageError, State, Who
from guanghe.web.templating import render
from guanghe.web.views import creator_data
from guanghe.web.views.orders import act

router = APIRouter(prefix="/mcn")
Id = Annotated[int, Path(ge=1, le=2**62)]


def signed(state, who) -> list[dict]:
    kits = state.market.kits
    if who.external_id is None:
        return []
    mine = kits.filter(pc.equal(kits.column("mcn_id"), who.external_id))
    return clean(mine.sort_by([("followers", "descending")]).to_pylist())


@router.get("/", name="mcn_creators")
def mcn_creators(request: Request, who: Who, state: State) -> Response:
    rows = signed(state, who)
    ids = tuple(r["creator_id"] for r in rows)
    mcn = who.external_id
    snap = state.snapshots.current()
    if snap is not None:
        incomes, stmts = snap.income_totals(ids), snap.statements_of("mcn", mcn) if mcn else []
    else:
        incomes, stmts = state.read("mcn_creators", (mcn, ids, state.as_of), lambda wh: (
            creator_data.income_totals(wh, list(ids), state.as_of),
            creator_data.statements(wh, "mcn", mcn) if mcn else []))  # fmt: skip
    chart = charts.bars([str(r["creator_id"]) for r in rows], [r["followers"] for r in rows], "followers")
    return render(request, "mcn/creators.html", rows=rows, incomes=incomes, statements=stmts, mcn_chart=chart)


@router.get("/creators/{creator_id}", name="mcn_creator")
def mcn_creator(request: Request, who: Who, state: State, creator_id: Id) -> Response:
    kit = state.market.kit(creator_id)
    if kit is None or not visible(who, kit):
        raise PageError(404, f"no creator {creator_id}")
    snap = state.snapshots.current()
    if snap is not None:
        inc = snap.creator_income(creator_id)[0]
    else:
        inc = state.read("mcn_creator", (creator_id, state.as_of),
                         lambda wh: creator_data.income(wh, creator_id, state.as_of))  # fmt: skip
    return render(request, "mcn/creator.html", kit=clean([kit])[0], income=inc,
                  income_chart=charts.stacked_months(inc["months"], inc["channels"], request))  # fmt: skip


@router.get("/orders", name="mcn_orders")
def mcn_orders(request: Request, who: Who, state: State) -> Response:
    orders, total = list_orders(state.db, party_of(who), limit=200)
    return render(
        request, "mcn/orders.html", orders=orders, total=total, works=[], key=secrets.token_urlsafe(12)
    )


@router.post("/orders/{order_id}/{action}", name="mcn_order_action")
def mcn_order_action(request: Request, who: Who, state: State, form: FormData, order_id: Id,
                     action: str) -> Response:  # fmt: skip
    act(state, who, order_id, action, form)
    return RedirectResponse("/mcn/orders", status_code=303)
