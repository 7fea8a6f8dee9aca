"""Order actions from a page: the marketplace's use cases with the caller's principal, the form's version
(optimistic concurrency: a stale page is 409) and a key per form (a resubmitted form moves nothing twice)."""

from __future__ import annotations

from guanghe.appdb import Principal
from guanghe.market import orders as o
from guanghe.market.api.orders import level_discount_of, programs_of, visible_order
from guanghe.market.errors import Forbidden
from guanghe.market.order_types import Step
from guanghe.web.forms import Form, FormError
from guanghe.web.state import WebState

# what each role may ask for from its pages (the state machine decides the rest: market.states)
ACTIONS = {
    "creator": ("accept", "decline", "counter", "deliver", "dispute", "cancel"),
    "mcn": ("accept", "decline", "counter", "deliver", "dispute", "cancel"),
    "brand": ("accept", "decline", "fund", "request_revision", "dispute", "cancel", "shortlist"),
}


def act(state: WebState, who: Principal, order_id: int, action: str, form: Form) -> Step:
    """Run ``action`` on an order the caller is party to (else 404); Forbidden/OrderError propagate."""
    if action not in ACTIONS.get(who.kind, ()):
        raise Forbidden(f"{who.kind} pages cannot {action} an order")
    m = state.market
    order = visible_order(m, who, order_id)
    version = form.integer("version", 1, 2**31) if form.optional("version") else None
    key = form.optional("key")
    if key is not None and len(key) > 128:
        raise FormError("key", "at most 128 characters")
    mk = m.market()
    kw = {"version": version, "idempotency_key": key}
    match action:
        case "counter":
            kit = m.kit(order.creator_id) or {}
            return o.counter(mk, who, order_id, form.yuan("price"), programs_of(kit),
                             level_discount_bps=level_discount_of(kit), **kw)  # fmt: skip
        case "deliver":
            return o.deliver(mk, who, order_id, form.integer("work_id"), m.work_owner, **kw)
        case "request_revision":
            return o.request_revision(mk, who, order_id, form.optional("note"), **kw)
        case "dispute":
            return o.dispute(mk, who, order_id, form.optional("reason"), **kw)
        case "shortlist":
            return o.shortlist(mk, who, order_id, idempotency_key=key)
        case _:
            return getattr(o, action)(mk, who, order_id, **kw)
