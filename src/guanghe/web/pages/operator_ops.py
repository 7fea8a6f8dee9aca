"""The operator console's day-to-day pages: live pacing (polled by htmx), money (accrual, settled months,
payout batches, the ledger's reconciliation), the ingestion quarantine, marketplace disputes (resolved with
the marketplace's use case: the escrow split on the ledger) and originality appeals (``adapters``)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated

from fastapi import Path as PathParam
from fastapi import Query, Request
from starlette.responses import RedirectResponse, Response

from guanghe.appdb.growth_models import APPEAL_STATES
from guanghe.data.warehouse import WarehouseError
from guanghe.ledger import LedgerError
from guanghe.market import orders as o
from guanghe.market.offers import list_orders
from guanghe.programs import ProgramError, load_programs
from guanghe.web import operator_charts as oc
from guanghe.web.adapters import originality
from guanghe.web.auth import FormData, PageError, State, Who
from guanghe.web.forms import FormError
from guanghe.web.pages.operator_router import router
from guanghe.web.templating import render
from guanghe.web.views import operator_money as money
from guanghe.web.views import operator_pacing as pace
from guanghe.web.views.operator_cache import read

Id = Annotated[int, PathParam(ge=1, le=2**62)]


def platform_day(zone) -> date:
    """Today in the platform's zone (the live day, when nothing was served yet)."""
    return datetime.now(UTC).astimezone(zone).date()


def _busy(e: Exception) -> PageError:
    return PageError(503, f"the warehouse cannot be read now: {str(e).splitlines()[0]}")


# -- live pacing ---------------------------------------------------------------------------------------------------
def _pacing(request: Request, state, day: str | None) -> dict:
    try:
        chosen = date.fromisoformat(day) if day else None
    except ValueError:
        raise FormError("day", "a date like 2023-07-01") from None
    folder = Path(state.settings.programs)
    try:
        programs = {p.name: p for p in load_programs(folder)}
    except ProgramError:
        programs = {}  # the service's default curve for every program
    url, stamp = (
        state.settings.warehouse,
        tuple(sorted((f.name, f.stat().st_mtime_ns) for f in folder.glob("*.toml"))),
    )
    try:
        days = read(url, ("serving-days",), pace.serving_days)
        chosen = chosen or (days[0] if days else platform_day(state.zone))
        done = pace.hours_done(chosen, state.zone)  # the cached pacing is good until the hour turns
        p = read(url, ("pacing", chosen, done, stamp, str(state.zone)),
                 lambda wh: pace.pacing(wh, chosen, state.zone, programs))  # fmt: skip
    except WarehouseError as e:
        raise _busy(e) from e
    return {"p": p, "days": days[:60], "margin": pace.MARGIN, "spec": oc.pacing(p, request)}


@router.get("/pacing", name="operator_pacing")
def operator_pacing(request: Request, who: Who, state: State,
                    day: Annotated[str | None, Query(max_length=10)] = None) -> Response:  # fmt: skip
    return render(request, "operator/pacing.html", **_pacing(request, state, day))


@router.get("/pacing/live", name="operator_pacing_live")
def operator_pacing_live(request: Request, who: Who, state: State,
                         day: Annotated[str | None, Query(max_length=10)] = None) -> Response:  # fmt: skip
    """The pacing panel alone: what the page polls every 10 s."""
    return render(request, "operator/_pacing_panel.html", **_pacing(request, state, day))


# -- money ---------------------------------------------------------------------------------------------------------
def _money(request: Request, state, reconciled=None, status: int = 200) -> Response:
    url = state.settings.warehouse
    try:
        acc = read(url, ("accrual",), money.accrual)
        report = read(url, ("settled",), money.settled)
    except WarehouseError as e:
        raise _busy(e) from e
    return render(request, "operator/money.html", status=status, accrual=acc, report=report,
                  batches=money.payout_batches(report), reconciled=reconciled,
                  charts=oc.money(acc, report, request))  # fmt: skip


@router.get("/money", name="operator_money")
def operator_money(request: Request, who: Who, state: State) -> Response:
    return _money(request, state)


@router.post("/money/reconcile", name="operator_reconcile")
def operator_reconcile(request: Request, who: Who, state: State, form: FormData) -> Response:
    """Replay the ledger and check its invariants (read only: safe to run any time)."""
    try:
        report = money.run_reconcile(state.market.ledger_url)
    except LedgerError as e:
        raise PageError(503, f"the ledger cannot be read: {e}") from e
    return _money(request, state, report)


# -- ingestion quarantine ------------------------------------------------------------------------------------------
@router.get("/quarantine", name="operator_quarantine")
def operator_quarantine(request: Request, who: Who, state: State,
                        table: Annotated[str | None, Query(max_length=64)] = None,
                        file: Annotated[str | None, Query(max_length=1000)] = None,
                        reason: Annotated[str | None, Query(max_length=200)] = None,
                        page: Annotated[int, Query(ge=1, le=10**9)] = 1) -> Response:  # fmt: skip
    key = ("quarantine", table or None, file or None, reason or None, page)
    try:
        q = read(state.settings.warehouse, key, lambda wh: money.quarantine(wh, *key[1:]))
    except WarehouseError as e:
        raise _busy(e) from e
    return render(request, "operator/quarantine.html", q=q, table=table or "", file=file or "",
                  reason=reason or "", spec=oc.quarantine(q, request))  # fmt: skip


# -- disputes ------------------------------------------------------------------------------------------------------
@router.get("/disputes", name="operator_disputes")
def operator_disputes(request: Request, who: Who, state: State) -> Response:
    open_, n_open = list_orders(state.db, None, "disputed", 200)
    resolved, n_resolved = list_orders(state.db, None, "resolved", 50)
    return render(request, "operator/disputes.html", disputed=open_, n_open=n_open, resolved=resolved,
                  n_resolved=n_resolved)  # fmt: skip


@router.post("/disputes/{order_id}/resolve", name="operator_resolve")
def operator_resolve(request: Request, who: Who, state: State, form: FormData, order_id: Id) -> Response:
    """Decide a dispute: the creator's part of the price is posted to it (less the fee), the rest returns to
    the brand. Idempotent per order (key ``web-resolve-ORDER``): a resubmitted form moves nothing twice."""
    pct = form.integer("creator_share_pct", 0, 100)
    note = form.optional("note")
    if note is not None and len(note) > 2000:
        raise FormError("note", "at most 2000 characters")
    version = form.integer("version", 1, 2**31) if form.optional("version") else None
    o.resolve(state.market.market(), who, order_id, pct * 100, note=note, version=version,
              idempotency_key=f"web-resolve-{order_id}")  # fmt: skip
    return RedirectResponse("/operator/disputes", status_code=303)


# -- originality appeals -------------------------------------------------------------------------------------------
@router.get("/appeals", name="operator_appeals")
def operator_appeals(request: Request, who: Who, state: State,
                     status: Annotated[str | None, Query(max_length=16)] = "open") -> Response:  # fmt: skip
    chosen = status if status in APPEAL_STATES else None
    items, counts = originality.appeals(state.db, chosen)
    return render(request, "operator/appeals.html", appeals=items, counts=counts, shown=chosen or "all",
                  states=APPEAL_STATES, originals=_originals(state, items))  # fmt: skip


def _originals(state, items: list[originality.Appeal]) -> dict[int, int]:
    """appeal id -> the original work its flag names, where the growth room's notices are in the warehouse
    (the decide form is prefilled with it)."""
    from guanghe.web.views import growth

    out: dict[int, int] = {}
    wanted = [a for a in items if a.state == "open"]
    if not wanted:
        return out
    try:
        with state.warehouse() as wh:
            for a in wanted:
                rows = growth.flagged(wh, a.creator_id) or []
                hit = next(
                    (r for r in rows if r.get("work_id") == a.work_id and r.get("original_work_id")), None
                )
                if hit is not None:
                    out[a.id] = int(hit["original_work_id"])
    except WarehouseError:
        return out
    return out


@router.post("/appeals/{appeal_id}/decide", name="operator_appeal_decide")
def operator_appeal_decide(
    request: Request, who: Who, state: State, form: FormData, appeal_id: Id
) -> Response:
    outcome = form.text("outcome", max_len=16)
    if outcome not in originality.OUTCOMES:
        raise FormError("outcome", "upheld or rejected")
    original = form.integer("original_work_id", 1, 2**62)
    note = form.optional("note")
    if note is not None and len(note) > 2000:
        raise FormError("note", "at most 2000 characters")
    try:
        originality.decide(state.db, who, appeal_id, outcome, original, note)
    except originality.AppealError as e:
        raise PageError(e.status, str(e)) from e
    return RedirectResponse("/operator/appeals", status_code=303)
