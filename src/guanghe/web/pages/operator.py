"""The operator console (``/operator/...``): the ecosystem dashboard, programs (view, edit with validation,
preview, save), allocation runs (certificate, shadow prices, explain, rerun); the day-to-day pages (pacing,
money, quarantine, disputes, appeals) are ``pages.operator_ops``, included here. Every route is OPERATOR
only (``roles.ROUTE_ROLES``); the warehouse is read-only per page except the allocation rerun."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import Query, Request
from starlette.responses import RedirectResponse, Response

from guanghe.data.warehouse import WarehouseError
from guanghe.metrics import PeriodError
from guanghe.programs import ProgramError
from guanghe.web import operator_charts as oc
from guanghe.web import operator_format, operator_labels  # noqa: F401 - filters and labels join the shared tables
from guanghe.web.auth import FormData, PageError, State, Who
from guanghe.web.forms import FormError
from guanghe.web.pages import operator_ops  # noqa: F401 - registers the day-to-day pages on the router
from guanghe.web.pages.operator_router import router
from guanghe.web.templating import render
from guanghe.web.views import operator_dashboard as dash
from guanghe.web.views import operator_plans as plans
from guanghe.web.views import operator_programs as progs
from guanghe.web.views.operator_cache import read

Text = Annotated[str | None, Query(max_length=64)]


def folder(state) -> Path:
    return Path(state.settings.programs)


def busy(e: WarehouseError) -> PageError:
    """The warehouse cannot be read now (a writer holds it, or it has no such data)."""
    return PageError(503, f"the warehouse cannot be read now: {str(e).splitlines()[0]}")


# -- the ecosystem dashboard --------------------------------------------------------------------------------------
WAIT_S = 0.1  # a console page waits this long for figures being computed, then shows what it has (and polls)


def _dashboard(request: Request, state, period: str | None) -> dict:
    try:
        pg, fresh = dash.page(state.settings.warehouse, period or "last-12m", state.zone, WAIT_S)
    except PeriodError as e:
        raise FormError("period", str(e)) from e
    except WarehouseError as e:
        raise busy(e) from e
    ready = pg is not None and pg.span is not None
    return {"pg": pg, "fresh": fresh, "period_text": dash.check_period(period or "last-12m"),
            "choices": dash.period_choices(*pg.span) if ready else list(dash.RELATIVE),
            "charts": oc.dashboard(pg.dashboard, pg.trends, request) if ready else {}}  # fmt: skip


@router.get("/", name="operator_index")
def operator_index(request: Request, who: Who, state: State, period: Text = None) -> Response:
    return render(request, "operator/dashboard.html", **_dashboard(request, state, period))


@router.get("/dashboard/figures", name="operator_dashboard_figures")
def operator_dashboard_figures(request: Request, who: Who, state: State, period: Text = None) -> Response:
    """The dashboard's figures and charts alone (the period selector swaps them in; polled while computing)."""
    return render(request, "operator/_dashboard_body.html", **_dashboard(request, state, period))


# -- programs ------------------------------------------------------------------------------------------------------
@router.get("/programs", name="operator_programs")
def operator_programs(request: Request, who: Who, state: State) -> Response:
    ctx = {"folder": folder(state), "files": progs.files(folder(state)), "checks": [], "problems": [], "day": None,
           "creators": None, "spec": None, "computing": False}  # fmt: skip
    try:
        got, _fresh = progs.overview(state.settings.warehouse, folder(state), state.zone, WAIT_S)
    except ProgramError as e:
        return render(request, "operator/programs.html", status=422, **{**ctx, "problems": e.issues})
    except WarehouseError as e:
        raise busy(e) from e
    if got is None:
        return render(request, "operator/programs.html", **{**ctx, "computing": True})
    day, n, checks = got
    return render(request, "operator/programs.html", **{**ctx, "checks": checks, "day": day, "creators": n,
                                                         "spec": oc.eligible(checks, request)})  # fmt: skip


def _file(state, name: str | None) -> progs.ProgramFile:
    f = progs.one_file(folder(state), name)
    if f is None:
        raise PageError(404, f"no program file {name!r} in {folder(state)}")
    return f


@router.get("/programs/edit", name="operator_program_edit")
def operator_program_edit(request: Request, who: Who, state: State,
                          file: Annotated[str | None, Query(max_length=200)] = None) -> Response:  # fmt: skip
    f = _file(state, file)
    return render(request, "operator/program_edit.html", file=f, text=f.text, base=f.sha, problems=[],
                  preview=None, saved=request.query_params.get("saved") == "1",
                  files=progs.files(folder(state)))  # fmt: skip


def _edit_form(state, form) -> tuple[progs.ProgramFile, str, str]:
    f = _file(state, form.text("file", max_len=200))
    text = form.text("toml", max_len=progs.MAX_TOML).replace("\r\n", "\n")
    return f, text, form.text("base", max_len=64)


@router.post("/programs/preview", name="operator_program_preview")
def operator_program_preview(request: Request, who: Who, state: State, form: FormData) -> Response:
    """Validate the edit and preview its effect (eligible creators, the plan's change); nothing is written."""
    f, text, base = _edit_form(state, form)
    ctx = {"file": f, "text": text, "base": base, "files": progs.files(folder(state)), "saved": False}
    try:
        with state.warehouse() as wh:
            pv = progs.preview(wh, folder(state), f, text, state.zone)
    except ProgramError as e:
        return render(
            request, "operator/program_edit.html", status=422, problems=e.issues, preview=None, **ctx
        )
    except WarehouseError as e:
        raise busy(e) from e
    return render(request, "operator/program_edit.html", problems=[], preview=pv,
                  spec=oc.plan_change(pv, request), **ctx)  # fmt: skip


@router.post("/programs/save", name="operator_program_save")
def operator_program_save(request: Request, who: Who, state: State, form: FormData) -> Response:
    """Validate the edited set again and write the file atomically into the programs folder."""
    f, text, base = _edit_form(state, form)
    try:
        with state.warehouse() as wh:
            _day, n = progs.platform(wh, state.zone)
        progs.save(folder(state), f, text, base, n)
    except ProgramError as e:
        return render(request, "operator/program_edit.html", status=422, problems=e.issues, preview=None, file=f,
                      text=text, base=base, files=progs.files(folder(state)), saved=False)  # fmt: skip
    except progs.StaleEdit as e:
        raise PageError(409, str(e)) from e
    except WarehouseError as e:
        raise busy(e) from e
    return RedirectResponse(f"/operator/programs/edit?file={f.file}&saved=1", status_code=303)


# -- allocation runs -----------------------------------------------------------------------------------------------
@router.get("/allocation", name="operator_allocation")
def operator_allocation(request: Request, who: Who, state: State,
                        plan: Annotated[str | None, Query(max_length=120)] = None) -> Response:  # fmt: skip
    url = state.settings.warehouse
    try:
        runs = read(url, ("runs",), plans.runs)
        chosen = plan or (runs[0].plan_id if runs else None)
        rows = read(url, ("plan", chosen), lambda wh: plans.plan_programs(wh, chosen)) if chosen else []
    except WarehouseError as e:
        raise busy(e) from e
    if plan and not rows:
        raise PageError(404, f"no plan {plan!r}")
    return render(request, "operator/allocation.html", runs=runs, plan_id=chosen, rows=rows,
                  certificate=plans.certificate(rows), spec=oc.plan_budgets(rows, request),
                  ran=request.query_params.get("ran"))  # fmt: skip


@router.post("/allocation/run", name="operator_allocation_run")
def operator_allocation_run(request: Request, who: Who, state: State, form: FormData) -> Response:
    """Rerun the allocation on the folder's programs and store the plan under a new id (the one write)."""
    try:
        done = plans.rerun(state.settings.warehouse, folder(state), state.zone)
    except ProgramError as e:
        raise PageError(422, str(e)) from e
    except WarehouseError as e:
        raise PageError(503, f"the warehouse is busy (one writer at a time): {str(e).splitlines()[0]}") from e
    from urllib.parse import quote

    pid = quote(done.plan.plan_id)
    return RedirectResponse(f"/operator/allocation?plan={pid}&ran={pid}", status_code=303)


@router.get("/allocation/explain", name="operator_explain")
def operator_explain(request: Request, who: Who, state: State,
                     creator: Annotated[str | None, Query(max_length=20)] = None,
                     plan: Annotated[str | None, Query(max_length=120)] = None) -> Response:  # fmt: skip
    ex, error = None, None
    if creator:
        if not creator.strip().isdigit() or not 1 <= int(creator) < 2**62:
            raise FormError("creator", "a creator id (a positive integer)")
        try:
            with state.warehouse() as wh:
                ex = plans.explain_creator(wh, int(creator), folder(state), plan or None, state.zone)
        except WarehouseError as e:
            error = str(e).splitlines()[0]
        except ProgramError as e:
            error = str(e)
    return render(request, "operator/explain.html", status=404 if error else 200, creator=creator or "",
                  plan=plan or "", ex=ex, error=error)  # fmt: skip
