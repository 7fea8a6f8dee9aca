"""The creator center (``/creator/...``): overview, income and statements, tasks, brand offers, originality,
studio. Every figure is the signed-in creator's (``who.external_id``); an order of another creator is 404, an
appeal on a work that is not the creator's own flagged work too."""

from __future__ import annotations

import secrets
from pathlib import Path as PathLib
from typing import Annotated

from fastapi import APIRouter, Path, Request
from starlette.responses import RedirectResponse, Response

from guanghe.growth.originality.decisions import DecisionError, appeal, appeals
from guanghe.market.api.orders import party_of, visible_order
from guanghe.market.offers import get_campaign, list_orders, order_events
from guanghe.money.settle.errors import SettleError
from guanghe.money.settle.months import Month
from guanghe.money.settle.statement import read_statement
from guanghe.web import charts
from guanghe.web.auth import FormData, PageError, State, Who
from guanghe.web.templating import render
from guanghe.web.views import creator_data, growth
from guanghe.web.views.orders import act
from guanghe.web.views.studio import CLI_TOOLS

router = APIRouter(prefix="/creator")
Id = Annotated[int, Path(ge=1, le=2**62)]
MonthText = Annotated[str, Path(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]


def _me(who) -> int:
    if who.external_id is None:
        raise PageError(404, "this creator login has no creator id")
    return who.external_id


def recent_works(state, me: int) -> list:
    return state.read("creator_works", me, lambda wh: creator_data.recent_works(wh, me))


@router.get("/", name="creator_overview")
def creator_overview(request: Request, who: Who, state: State) -> Response:
    me = _me(who)
    snap = state.snapshots.current()
    if snap is not None:
        data, level = snap.creator_overview(me)
    else:
        data, level = state.read("creator_overview", (me, state.as_of), lambda wh: (
            creator_data.overview(wh, me, state.as_of), growth.level(wh, me, state.as_of, state.zone)))  # fmt: skip
    kit = state.market.kit(me)
    return render(request, "creator/overview.html", data=data, kit=kit, level=level, as_of=state.as_of,
                  studio=growth.studio_available(),
                  plays_chart=charts.daily(data["days"], {"plays": data["plays"]}, request),
                  followers_chart=charts.daily(data["days"], {"followers": data["followers"]}, request),
                  support_chart=charts.stacked_days(data["days"], data["support"], request))  # fmt: skip


@router.get("/income", name="creator_income")
def creator_income(request: Request, who: Who, state: State) -> Response:
    me = _me(who)
    snap = state.snapshots.current()
    if snap is not None:
        inc, stmts = snap.creator_income(me)
    else:
        inc, stmts = state.read("creator_income", (me, state.as_of), lambda wh: (
            creator_data.income(wh, me, state.as_of), creator_data.statements(wh, "creator", me)))  # fmt: skip
    return render(request, "creator/income.html", income=inc, statements=stmts, as_of=state.as_of,
                  income_chart=charts.stacked_months(inc["months"], inc["channels"], request),
                  share_chart=charts.pie(inc["totals"], request))  # fmt: skip


@router.get("/income/{month}", name="creator_statement")
def creator_statement(request: Request, who: Who, state: State, month: MonthText) -> Response:
    me = _me(who)
    try:
        st = state.read("creator_statement", (me, month),
                        lambda wh: read_statement(wh, Month.parse(month), "creator", me))  # fmt: skip
    except SettleError as e:
        raise PageError(404, str(e)) from e
    return render(request, "creator/statement.html", month=month, st=st["statement"], lines=st["lines"])


@router.get("/tasks", name="creator_tasks")
def creator_tasks(request: Request, who: Who, state: State) -> Response:
    me = _me(who)
    programs = PathLib(state.settings.programs)
    rows = state.read("creator_tasks", (me, state.as_of, programs),
                      lambda wh: growth.tasks(wh, me, state.as_of, state.zone, programs))  # fmt: skip
    return render(request, "creator/tasks.html", rows=rows, as_of=state.as_of)


@router.get("/offers", name="creator_offers")
def creator_offers(request: Request, who: Who, state: State) -> Response:
    orders, total = list_orders(state.db, party_of(who), limit=200)
    titles = {o.campaign_id: get_campaign(state.db, o.campaign_id).title for o in orders}
    works = recent_works(state, _me(who))
    return render(request, "creator/offers.html", orders=orders, total=total, titles=titles, works=works,
                  key=secrets.token_urlsafe(12))  # fmt: skip


@router.get("/orders/{order_id}", name="creator_order")
def creator_order(request: Request, who: Who, state: State, order_id: Id) -> Response:
    order = visible_order(state.market, who, order_id)
    works = recent_works(state, _me(who))
    return render(request, "creator/order.html", order=order, events=order_events(state.db, order_id),
                  campaign=get_campaign(state.db, order.campaign_id), works=works, key=secrets.token_urlsafe(12))  # fmt: skip


@router.post("/orders/{order_id}/{action}", name="creator_order_action")
def creator_order_action(request: Request, who: Who, state: State, form: FormData, order_id: Id,
                         action: str) -> Response:  # fmt: skip
    act(state, who, order_id, action, form)
    return RedirectResponse(f"/creator/orders/{order_id}", status_code=303)


def flagged_works(state, me: int) -> list | None:
    return state.read("creator_flagged", me, lambda wh: growth.flagged(wh, me))


@router.get("/originality", name="creator_originality")
def creator_originality(request: Request, who: Who, state: State) -> Response:
    me = _me(who)
    mine = [a for a in appeals(state.db) if a.creator_id == me]
    mine.reverse()  # newest first
    return render(request, "creator/originality.html", notices=flagged_works(state, me), appeals=mine,
                  open_appeals={a.work_id for a in mine if a.state == "open"})  # fmt: skip


@router.post("/originality/appeals", name="creator_appeal")
def creator_appeal(request: Request, who: Who, state: State, form: FormData) -> Response:
    """File an appeal against the originality flag on one of the creator's own flagged works."""
    me = _me(who)
    work_id = form.integer("work_id")
    if work_id not in {n["work_id"] for n in flagged_works(state, me) or []}:
        raise PageError(404, f"no flagged work {work_id} of yours")
    try:
        appeal(state.db, who, work_id, me, form.text("reason", "", 2000))
    except DecisionError as e:
        raise PageError(409, str(e)) from e
    return RedirectResponse("/creator/originality", status_code=303)


def _studio(request: Request, tool: str | None = None, result=None, fields=None, error: str | None = None,
            status: int = 200) -> Response:  # fmt: skip
    return render(request, "creator/studio.html", status=status, tool=tool, result=result, fields=fields or {},
                  error=error, cli_tools=CLI_TOOLS)  # fmt: skip


@router.get("/studio", name="creator_studio")
def creator_studio(request: Request, who: Who) -> Response:
    _me(who)
    return _studio(request)


@router.post("/studio/{tool}", name="creator_studio_run")
def creator_studio_run(request: Request, who: Who, form: FormData,
                       tool: Annotated[str, Path(pattern=r"^(keywords|titles|script)$")]) -> Response:  # fmt: skip
    """Run one studio text tool on the form's fields (offline, in-process); the result below the form."""
    from guanghe.studio.errors import StudioError
    from guanghe.web.views import studio

    _me(who)
    names, run = studio.TOOLS[tool]
    fields = {k: form.text(k, "", 5000) for k in names}
    try:
        result = run(**fields)
    except StudioError as e:
        return _studio(request, tool, None, fields, str(e), status=400)
    return _studio(request, tool, result, fields)
