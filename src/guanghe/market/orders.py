"""Order use cases: every transition of ``market.states`` as a function an API can call.

Each call runs in one application-database transaction with the order's row locked (``SELECT ... FOR
UPDATE`` on PostgreSQL; SQLite's ``BEGIN IMMEDIATE``, which every appdb transaction takes), checks in this
order — the actor is a party (else ``Forbidden``), the idempotency key (an earlier answer is returned as it
was), the caller's ``version`` (stale: ``OrderError``), the (state, action) pair (``OrderError``), the role
(``Forbidden``), the action's own conditions — then writes the ledger step (``market.escrow``, deterministic
ids), then the new state, ``version + 1`` and an ``order_events`` row, and commits. A crash between the ledger
write and the commit leaves the order in its old state with the money moved: retrying the same transition
writes the same transfer ids (the ledger answers ``exists``) and commits the state — money never moves twice.

``now`` is the transition's time (aware; default: the clock); its platform day is the money's business day.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from guanghe.appdb import Principal
from guanghe.appdb.engine import read_session
from guanghe.appdb.market_models import CampaignRow, OfferRow, OrderEventRow, OrderRow
from guanghe.ledger import Transfer
from guanghe.market import escrow
from guanghe.market.errors import Forbidden, MarketError, NotFound, OrderError
from guanghe.market.escrow import LedgerRefused, Terms, fee_terms
from guanghe.market.offers import check_price
from guanghe.market.order_types import Market, Order, Step, utc
from guanghe.market.states import BRAND, CREATOR, CREATOR_SIDE, ESCROW, MCN, OPERATOR, SYSTEM, TRANSITIONS
from guanghe.money.rules import BPS, fen_bps

WorkOwner = Callable[[int], int | None]  # work id -> its creator id, None when there is no such work
OFFER_STATUS = {
    "accepted": "accepted",
    "declined": "declined",
    "countered": "countered",
    "cancelled": "withdrawn",
}


def role_of(actor: Principal | None, order: OrderRow) -> str:
    """The actor's role in this order (``system`` for None); Forbidden when it is no party to it."""
    if actor is None:
        return SYSTEM
    if actor.kind == "operator":
        return OPERATOR
    ext = actor.external_id
    if ext is not None and (actor.kind, ext) in (
        (BRAND, order.brand_id),
        (CREATOR, order.creator_id),
        (MCN, order.mcn_id),
    ):
        return actor.kind
    raise Forbidden(f"principal {actor.id} ({actor.kind} {ext}) is not a party to order {order.id}")


def transition(
    m: Market,
    actor: Principal | None,
    order_id: int,
    action: str,
    now: datetime | None = None,
    version: int | None = None,
    idempotency_key: str | None = None,
    **args: object,
) -> Step:
    """Apply ``action`` to the order (see the module); the named functions below are the public forms."""
    at = utc(now)
    with read_session(m.db) as s:  # the common case: the row agrees with the ledger, nothing to write
        row = s.get(OrderRow, order_id)
        behind = row is not None and _behind(m, row, action) is not None
    if behind:
        with (
            Session(m.db.engine) as s,
            s.begin(),
        ):  # committed on its own: a refused action keeps the recovery
            row = s.scalars(select(OrderRow).where(OrderRow.id == order_id).with_for_update()).one()
            _catch_up(m, s, row, action, at)
    with Session(m.db.engine) as s, s.begin():
        row = s.scalars(select(OrderRow).where(OrderRow.id == order_id).with_for_update()).one_or_none()
        if row is None:
            raise NotFound(f"no order {order_id}")
        role = role_of(actor, row)
        if idempotency_key is not None:
            key = (OrderEventRow.order_id == order_id, OrderEventRow.idempotency_key == idempotency_key)
            done = s.scalars(select(OrderEventRow).where(*key)).one_or_none()
            if done is not None:
                return _replay(row, done, action)
        if version is not None and row.version != version:
            raise OrderError(f"order {order_id} changed: it is {row.state} at version {row.version}, not {version}; "
                             "reload it")  # fmt: skip
        rule = TRANSITIONS.get((row.state, action))
        if rule is None:
            raise OrderError(f"order {order_id} is {row.state}: cannot {action}")
        if role not in rule.by:
            raise Forbidden(f"order {order_id} is {row.state}: a {role} cannot {action} "
                            f"(only {' or '.join(sorted(rule.by))})")  # fmt: skip
        before = row.state
        detail = _apply(m, s, row, role, action, at, args)
        transfers = _ledger(m, row, before, action, at, detail)
        row.state, row.version, row.updated_at = rule.to, row.version + 1, at
        if (status := OFFER_STATUS.get(rule.to)) and before in ("offered", "countered"):
            s.get_one(OfferRow, row.offer_id).status = status
        detail.update(version=row.version, transfers=transfers)
        s.add(OrderEventRow(order_id=order_id, at=at, actor_principal_id=actor.id if actor else None, action=action,
                            from_state=before, to_state=rule.to, detail=json.dumps(detail),
                            idempotency_key=idempotency_key))  # fmt: skip
        s.flush()
        return Step(Order.of(row), action, before, rule.to, row.version, tuple(transfers))


# what the escrow's transfers on the ledger say an order's state is, when its own row lags behind
_CAUGHT_UP = {("post", "disputed"): "resolved", ("void", "disputed"): "resolved", ("post", "delivered"): "completed",
              ("post", "revision_requested"): "completed", ("void", "accepted"): "cancelled",
              ("void", "funded"): "cancelled", ("hold", "accepted"): "funded"}  # fmt: skip
_BEHIND_STATES = frozenset(state for _, state in _CAUGHT_UP)


def _catch_up(m: Market, s: Session, row: OrderRow, action: str, at: datetime) -> None:
    """A run that wrote the escrow's transfers and died before committing the order's new state leaves the row
    behind the ledger; the ledger is the truth: the row is brought to the state its money shows (an event
    ``recovered`` records it), so no later transition can strand the money (a cancel after a crashed fund
    voids the hold it finds; a dispute after a crashed completion finds the order completed). A retry of the
    crashed transition itself is left to run: its transfers answer ``exists`` and it commits as it would have."""
    behind = _behind(m, row, action)
    if behind is None:
        return
    to, step, found = behind
    before, detail = row.state, {"ledger": f"{found[step].id:032x}", "step": step}
    if step == "hold":
        row.escrow_transfer_id = f"{found[step].id:032x}"
    elif to in ("completed", "resolved"):
        row.creator_fen = found["post"].amount if step == "post" else 0
        detail["creator_fen"] = row.creator_fen
    row.state, row.version, row.updated_at = to, row.version + 1, at
    detail["version"] = row.version
    s.add(OrderEventRow(order_id=row.id, at=at, actor_principal_id=None, action="recovered", from_state=before,
                        to_state=to, detail=json.dumps(detail)))  # fmt: skip
    s.flush()


def _behind(m: Market, row: OrderRow, action: str) -> tuple[str, str, dict[str, Transfer]] | None:
    """(the state the ledger shows, the escrow step found, the transfers found) when the row lags behind its
    escrow transfers and ``action`` is not the retry of the step that got there; else None."""
    if row.state not in _BEHIND_STATES:
        return None
    steps = {escrow.transfer_id(escrow.HOLD, row.id, step): step for step in ("hold", "post", "void")}
    found = {steps[t.id]: t for t in m.ledger.lookup_transfers(list(steps))}
    step = "post" if "post" in found else "void" if "void" in found else "hold" if "hold" in found else None
    to = _CAUGHT_UP.get((step, row.state)) if step else None
    own = ESCROW.get((row.state, action))
    if to is None or step is None or own == step or (own == "split" and step in ("post", "void")):
        return None
    return to, step, found


def _replay(row: OrderRow, done: OrderEventRow, action: str) -> Step:
    if done.action != action:
        raise OrderError(f"order {row.id}: idempotency key {done.idempotency_key!r} was used for {done.action}, "
                         f"not {action}")  # fmt: skip
    detail = json.loads(done.detail)
    return Step(Order.of(row), action, done.from_state or "", done.to_state, detail["version"],
                tuple(detail.get("transfers", ())), replayed=True)  # fmt: skip


def _apply(m: Market, s: Session, row: OrderRow, role: str, action: str, at: datetime, args: dict) -> dict:
    """The action's own conditions and the row's fields it changes (not the state); the event's detail."""
    if row.state == "offered" and action in ("accept", "decline", "counter"):
        direction = s.get_one(OfferRow, row.offer_id).direction
        proposer = BRAND if direction == "offer" else "creator side"
        if (role == BRAND) == (proposer == BRAND):
            raise Forbidden(f"order {row.id} is offered: the {proposer} proposed it and cannot {action} it")
    if action == "shortlist" and s.get_one(OfferRow, row.offer_id).direction != "application":
        raise OrderError(f"order {row.id} is offered: cannot shortlist: it is the brand's own offer, not an "
                         "application")  # fmt: skip
    if action == "counter":
        price = check_price(args["price_fen"])  # type: ignore[arg-type]
        old = row.price_fen
        row.fee_fen, row.fee_bps, row.fee_program = fee_terms(
            m.fees,
            price,
            args.get("programs") or (),  # type: ignore[arg-type]
            int(args.get("level_discount_bps") or 0),
        )  # type: ignore[call-overload]
        row.price_fen = price
        return {"price_fen": price, "was_fen": old, "fee_fen": row.fee_fen}
    if action == "deliver":
        return _deliver(m, row, at, args["work_id"], args["work_owner"])  # type: ignore[arg-type]
    if action == "request_revision":
        if row.revision_rounds >= m.max_revisions:
            raise OrderError(f"order {row.id} is delivered: cannot request_revision "
                             f"({row.revision_rounds} of {m.max_revisions} revision rounds used)")  # fmt: skip
        row.revision_rounds += 1
        row.accept_by = None
        return {"round": row.revision_rounds, "note": args.get("note")}
    if action == "auto_accept" and (row.accept_by is None or at < row.accept_by):
        raise OrderError(f"order {row.id} is delivered: cannot auto_accept before {row.accept_by}")
    if action == "expire":
        deadline = s.get_one(CampaignRow, row.campaign_id).deadline
        if m.day(at) <= deadline:
            raise OrderError(
                f"order {row.id} is funded: cannot expire before its campaign's deadline {deadline} passes"
            )
    if action == "accept" and row.state in ("offered", "countered"):
        _within_campaign(s, row)
    if action in ("accept", "auto_accept") and row.state == "delivered":
        row.creator_fen = row.price_fen
    if action == "resolve":
        row.creator_fen = _part(row, args.get("creator_share_bps"), args.get("creator_fen"))
        return {"creator_fen": row.creator_fen, "returned_fen": row.price_fen - row.creator_fen,
                "note": args.get("note")}  # fmt: skip
    if action == "dispute":
        return {"reason": args.get("reason")}
    return {}


# orders that hold a place in their campaign (its budget, its N creators, its M per agency)
COMMITTED = ("accepted", "funded", "delivered", "revision_requested", "disputed", "completed", "resolved")


def _within_campaign(s: Session, row: OrderRow) -> None:
    """An offer is accepted only while its campaign has room: the committed orders' prices plus this one within
    the budget, at most ``max_creators`` creators and ``max_per_mcn`` per agency. The campaign row is locked,
    so two acceptances racing for its last place cannot both win."""
    c = s.scalars(select(CampaignRow).where(CampaignRow.id == row.campaign_id).with_for_update()).one()
    taken = s.execute(
        select(OrderRow.creator_id, OrderRow.mcn_id, OrderRow.price_fen).where(
            OrderRow.campaign_id == c.id, OrderRow.state.in_(COMMITTED), OrderRow.id != row.id
        )
    ).all()
    spent = sum(p for _, _, p in taken)
    if spent + row.price_fen > c.budget_fen:
        raise OrderError(f"order {row.id} is {row.state}: cannot accept: campaign {c.id}'s budget {c.budget_fen} fen "
                         f"has {c.budget_fen - spent} left, the price is {row.price_fen}")  # fmt: skip
    creators = {cr for cr, _, _ in taken}
    if c.max_creators is not None and row.creator_id not in creators and len(creators) >= c.max_creators:
        raise OrderError(f"order {row.id} is {row.state}: cannot accept: campaign {c.id} has its "
                         f"{c.max_creators} creators")  # fmt: skip
    if c.max_per_mcn is not None and row.mcn_id:
        same = {cr for cr, mcn, _ in taken if mcn == row.mcn_id}
        if row.creator_id not in same and len(same) >= c.max_per_mcn:
            raise OrderError(f"order {row.id} is {row.state}: cannot accept: campaign {c.id} has its "
                             f"{c.max_per_mcn} creators of agency {row.mcn_id}")  # fmt: skip


def _deliver(m: Market, row: OrderRow, at: datetime, work_id: int, work_owner: WorkOwner) -> dict:
    owner = work_owner(work_id)
    if owner is None:
        raise OrderError(
            f"order {row.id} is {row.state}: cannot deliver work {work_id}: no such work in the warehouse"
        )
    if owner != row.creator_id:
        raise OrderError(f"order {row.id} is {row.state}: cannot deliver work {work_id}: it belongs to creator "
                         f"{owner}, not {row.creator_id}")  # fmt: skip
    row.work_id, row.delivered_at = work_id, at
    row.accept_by = at + timedelta(days=m.auto_accept_days)
    return {"work_id": work_id, "accept_by": row.accept_by.isoformat()}


def _part(row: OrderRow, share_bps: object, fen: object) -> int:
    if (share_bps is None) == (fen is None):
        raise MarketError(f"order {row.id}: resolve with creator_share_bps or creator_fen (one of them)")
    if share_bps is not None:
        if isinstance(share_bps, bool) or not isinstance(share_bps, int) or not 0 <= share_bps <= BPS:
            raise MarketError(f"creator_share_bps {share_bps!r}: expected 0..{BPS}")
        return fen_bps(row.price_fen, share_bps)
    if isinstance(fen, bool) or not isinstance(fen, int) or not 0 <= fen <= row.price_fen:
        raise MarketError(f"creator_fen {fen!r}: expected 0..{row.price_fen} (the price)")
    return fen


def _ledger(m: Market, row: OrderRow, before: str, action: str, at: datetime, detail: dict) -> list[str]:
    step = ESCROW.get((before, action))
    if step is None:
        return []
    terms = Terms(row.id, row.brand_id, row.creator_id, row.price_fen, row.fee_bps, row.fee_program)
    day = m.day(at)
    if step == "hold":
        transfers = escrow.hold(terms, day)
        row.escrow_transfer_id = f"{transfers[0].id:032x}"
    elif step == "void":
        transfers = escrow.void(terms, day)
    else:
        assert row.creator_fen is not None
        transfers = escrow.release(terms, row.creator_fen, day)
    try:
        return escrow.write(m.ledger, transfers)
    except LedgerRefused as e:
        raise OrderError(f"order {row.id} is {before}: cannot {action}: the ledger refused it ({e})") from e


# -- the public forms ---------------------------------------------------------------------------------------
def shortlist(
    m: Market,
    actor: Principal,
    order_id: int,
    now: datetime | None = None,
    idempotency_key: str | None = None,
) -> Step:
    """The brand keeps a creator's application for a decision (``list_orders(shortlisted=True)``); it turns
    it into an order with ``accept``, or turns it down with ``decline``."""
    return transition(m, actor, order_id, "shortlist", now, None, idempotency_key)


def accept(m: Market, actor: Principal, order_id: int, now: datetime | None = None, version: int | None = None,
           idempotency_key: str | None = None) -> Step:  # fmt: skip
    """Accept the terms (offered: the party that did not propose; countered: the brand) or the delivered work
    (the brand: the order completes and the escrow is posted to the creator, the fee to the platform)."""
    return transition(m, actor, order_id, "accept", now, version, idempotency_key)


def decline(m: Market, actor: Principal, order_id: int, now: datetime | None = None, version: int | None = None,
            idempotency_key: str | None = None) -> Step:  # fmt: skip
    return transition(m, actor, order_id, "decline", now, version, idempotency_key)


def counter(m: Market, actor: Principal, order_id: int, price_fen: int, programs: Collection[str] = (),
            now: datetime | None = None, version: int | None = None, idempotency_key: str | None = None,
            level_discount_bps: int = 0) -> Step:  # fmt: skip
    """The creator side proposes another price (the fee is recomputed with the creator's ``programs`` and
    growth-level discount)."""
    return transition(m, actor, order_id, "counter", now, version, idempotency_key, price_fen=price_fen,
                      programs=programs, level_discount_bps=level_discount_bps)  # fmt: skip


def fund(m: Market, actor: Principal, order_id: int, now: datetime | None = None, version: int | None = None,
         idempotency_key: str | None = None) -> Step:  # fmt: skip
    """The brand funds the order: the price is held in escrow (a pending ledger transfer)."""
    return transition(m, actor, order_id, "fund", now, version, idempotency_key)


def deliver(m: Market, actor: Principal, order_id: int, work_id: int, work_owner: WorkOwner,
            now: datetime | None = None, version: int | None = None, idempotency_key: str | None = None) -> Step:  # fmt: skip
    """The creator side delivers a work: ``work_owner(work_id)`` (``market.works.warehouse_work_owner``) must
    name the order's creator. Starts the auto-accept clock (``accept_by`` = now + auto_accept_days)."""
    return transition(m, actor, order_id, "deliver", now, version, idempotency_key, work_id=work_id,
                      work_owner=work_owner)  # fmt: skip


def request_revision(m: Market, actor: Principal, order_id: int, note: str | None = None,
                     now: datetime | None = None, version: int | None = None,
                     idempotency_key: str | None = None) -> Step:  # fmt: skip
    """The brand asks for another delivery (at most ``m.max_revisions`` rounds)."""
    return transition(m, actor, order_id, "request_revision", now, version, idempotency_key, note=note)


def dispute(m: Market, actor: Principal, order_id: int, reason: str | None = None, now: datetime | None = None,
            version: int | None = None, idempotency_key: str | None = None) -> Step:  # fmt: skip
    return transition(m, actor, order_id, "dispute", now, version, idempotency_key, reason=reason)


def resolve(m: Market, operator: Principal, order_id: int, creator_share_bps: int | None = None,
            creator_fen: int | None = None, note: str | None = None, now: datetime | None = None,
            version: int | None = None, idempotency_key: str | None = None) -> Step:  # fmt: skip
    """An operator decides a dispute: the creator's part (``creator_share_bps`` of the price, floored, or
    ``creator_fen``) is posted to the creator (less the fee on it); the rest returns to the brand."""
    return transition(m, operator, order_id, "resolve", now, version, idempotency_key,
                      creator_share_bps=creator_share_bps, creator_fen=creator_fen, note=note)  # fmt: skip


def cancel(m: Market, actor: Principal, order_id: int, now: datetime | None = None, version: int | None = None,
           idempotency_key: str | None = None) -> Step:  # fmt: skip
    """A party cancels before delivery; a funded order's escrow is voided (the brand's money released)."""
    return transition(m, actor, order_id, "cancel", now, version, idempotency_key)


def auto_accept(m: Market, order_id: int, now: datetime | None = None) -> Step:
    """The system completes a delivered order whose ``accept_by`` has passed."""
    return transition(m, None, order_id, "auto_accept", now, idempotency_key="auto_accept")


def expire(m: Market, order_id: int, now: datetime | None = None) -> Step:
    """The system expires a funded order not delivered by its campaign's deadline (the escrow is voided)."""
    return transition(m, None, order_id, "expire", now, idempotency_key="expire")


def auto_accept_due(m: Market, now: datetime | None = None) -> list[Step]:
    """Auto-accept every delivered order past its ``accept_by`` (the sweep a scheduler runs)."""
    at = utc(now)
    with Session(m.db.engine) as s:
        ids = s.scalars(
            select(OrderRow.id).where(OrderRow.state == "delivered", OrderRow.accept_by <= at)
        ).all()
    return _sweep(lambda i: auto_accept(m, i, at), ids)


def expire_due(m: Market, now: datetime | None = None) -> list[Step]:
    """Expire every funded order whose campaign's deadline has passed (platform days)."""
    at = utc(now)
    with Session(m.db.engine) as s:
        ids = s.scalars(select(OrderRow.id).join(CampaignRow, CampaignRow.id == OrderRow.campaign_id)
                        .where(OrderRow.state == "funded", CampaignRow.deadline < m.day(at))).all()  # fmt: skip
    return _sweep(lambda i: expire(m, i, at), ids)


def _sweep(run: Callable[[int], Step], ids: Collection[int]) -> list[Step]:
    out = []
    for i in sorted(ids):
        try:
            out.append(run(i))
        except OrderError:  # moved on meanwhile (a brand accepted, a creator delivered): nothing to do
            continue
    return out


__all__ = [
    "CREATOR_SIDE",
    "Order",
    "Step",
    "WorkOwner",
    "accept",
    "auto_accept",
    "auto_accept_due",
    "cancel",
    "counter",
    "decline",
    "deliver",
    "dispute",
    "expire",
    "expire_due",
    "fund",
    "request_revision",
    "resolve",
    "shortlist",
    "transition",
]
