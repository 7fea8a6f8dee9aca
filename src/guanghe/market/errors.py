"""The marketplace's errors, one line each: what an API maps to 400 / 403 / 404 / 409."""

from __future__ import annotations


class MarketError(Exception):
    """Bad input to a marketplace use case (a price, a deliverable, a campaign that is closed)."""


class NotFound(MarketError):
    """No such campaign or order."""


class Forbidden(MarketError):
    """The principal may not do this: not a party to the order, or not the role the transition needs."""


class OrderError(MarketError):
    """A transition the order's state refuses ("order 12 is delivered: cannot fund"), a stale version, or a
    ledger that refused the money step."""
