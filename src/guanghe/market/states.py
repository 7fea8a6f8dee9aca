"""The order state machine as data: ``(state, action) -> (next state, who may do it)``, and the escrow step
each transition makes on the ledger. Every pair not in ``TRANSITIONS`` is refused (``OrderError``); a role
not in ``by`` is ``Forbidden``. The state names are declared once, in ``appdb.market_models``.

>>> TRANSITIONS["accepted", "fund"]
Rule(to='funded', by=frozenset({'brand'}))
>>> ESCROW["delivered", "accept"]
'post'
"""

from __future__ import annotations

from dataclasses import dataclass

from guanghe.appdb.market_models import ORDER_STATES

BRAND, CREATOR, MCN, OPERATOR, SYSTEM = "brand", "creator", "mcn", "operator", "system"
ROLES = (BRAND, CREATOR, MCN, OPERATOR, SYSTEM)
CREATOR_SIDE = frozenset({CREATOR, MCN})  # an MCN acts for the creators of its orders (order.mcn_id)
PARTIES = frozenset({BRAND, CREATOR, MCN})


@dataclass(frozen=True)
class Rule:
    to: str
    by: frozenset[str]


def _r(to: str, *by: str | frozenset[str]) -> Rule:
    roles: set[str] = set()
    for b in by:
        roles |= {b} if isinstance(b, str) else set(b)
    return Rule(to, frozenset(roles))


# In ``offered``, accept and decline belong to the party that did not propose (the creator side for a
# brand's offer, the brand for a creator's application); a counter comes from the creator side. A brand
# shortlists applications to an open brief (the state stays ``offered``; the order's trail records it) and
# turns one into an order by accepting it.
TRANSITIONS: dict[tuple[str, str], Rule] = {
    ("offered", "shortlist"): _r("offered", BRAND),  # a creator's application, kept for a decision
    ("offered", "accept"): _r("accepted", PARTIES),
    ("offered", "decline"): _r("declined", PARTIES),
    ("offered", "counter"): _r("countered", CREATOR_SIDE),
    ("offered", "cancel"): _r("cancelled", PARTIES),
    ("countered", "accept"): _r("accepted", BRAND),
    ("countered", "decline"): _r("declined", BRAND),
    ("countered", "cancel"): _r("cancelled", PARTIES),
    ("accepted", "fund"): _r("funded", BRAND),
    ("accepted", "cancel"): _r("cancelled", PARTIES),
    ("funded", "deliver"): _r("delivered", CREATOR_SIDE),
    ("funded", "cancel"): _r("cancelled", PARTIES),
    ("funded", "expire"): _r("expired", SYSTEM),
    ("delivered", "accept"): _r("completed", BRAND),
    ("delivered", "auto_accept"): _r("completed", SYSTEM),
    ("delivered", "request_revision"): _r("revision_requested", BRAND),
    ("delivered", "dispute"): _r("disputed", PARTIES),
    ("revision_requested", "deliver"): _r("delivered", CREATOR_SIDE),
    ("revision_requested", "dispute"): _r("disputed", PARTIES),
    ("disputed", "resolve"): _r("resolved", OPERATOR),
}
ACTIONS: tuple[str, ...] = tuple(sorted({a for _, a in TRANSITIONS}))
TERMINAL: frozenset[str] = frozenset(set(ORDER_STATES) - {s for s, _ in TRANSITIONS})

# The ledger step of a transition (``market.escrow``): hold the price, void the hold, post it all (price to
# the creator, fee to the platform), or post the creator's part of a dispute and release the rest.
ESCROW: dict[tuple[str, str], str] = {
    ("accepted", "fund"): "hold",
    ("funded", "cancel"): "void",
    ("funded", "expire"): "void",
    ("delivered", "accept"): "post",
    ("delivered", "auto_accept"): "post",
    ("disputed", "resolve"): "split",
}

assert {s for s, _ in TRANSITIONS} | {r.to for r in TRANSITIONS.values()} <= set(ORDER_STATES)
assert set(ESCROW) <= set(TRANSITIONS)
