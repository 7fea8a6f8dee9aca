"""What the order use cases take and return: the ``Market`` they run in, and read-only views of rows."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from guanghe.appdb import AppDb
from guanghe.appdb.market_models import OrderEventRow, OrderRow
from guanghe.ledger import LedgerStore
from guanghe.money.rules import BrandDealRule

MAX_REVISIONS = 2
UTC_ZONE = ZoneInfo("UTC")
AUTO_ACCEPT_DAYS = 7


@dataclass
class Market:
    """The stores and rules an order use case runs with: the application database (state), the ledger
    (escrow), the brand_deal channel rule (fees), the platform's zone (business days) and the limits."""

    db: AppDb
    ledger: LedgerStore
    fees: BrandDealRule
    zone: ZoneInfo = UTC_ZONE
    max_revisions: int = MAX_REVISIONS
    auto_accept_days: int = AUTO_ACCEPT_DAYS

    def day(self, now: datetime) -> date:
        """The platform day of an instant: the business day of the money it moves."""
        return now.astimezone(self.zone).date()


@dataclass(frozen=True)
class Order:
    id: int
    offer_id: int
    campaign_id: int
    brand_id: int
    creator_id: int
    mcn_id: int | None
    price_fen: int
    fee_fen: int
    fee_bps: int
    fee_program: str | None
    state: str
    revision_rounds: int
    work_id: int | None
    delivered_at: datetime | None
    accept_by: datetime | None
    creator_fen: int | None
    version: int
    escrow_transfer_id: str | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: OrderRow) -> Order:
        return cls(**{f: getattr(row, f) for f in cls.__dataclass_fields__})


@dataclass(frozen=True)
class Step:
    """What a transition did: the order after it, the states, the ledger transfers it wrote (32 hex ids).
    ``replayed``: an earlier request with the same idempotency key did it; this is its answer."""

    order: Order
    action: str
    from_state: str
    to_state: str
    version: int
    transfers: tuple[str, ...] = ()
    replayed: bool = False


@dataclass(frozen=True)
class Event:
    """One row of the audit trail."""

    id: int
    order_id: int
    at: datetime
    actor_principal_id: int | None
    action: str
    from_state: str | None
    to_state: str
    detail: dict
    idempotency_key: str | None

    @classmethod
    def of(cls, row: OrderEventRow) -> Event:
        return cls(row.id, row.order_id, row.at, row.actor_principal_id, row.action, row.from_state, row.to_state,
                   json.loads(row.detail), row.idempotency_key)  # fmt: skip


def utc(now: datetime | None) -> datetime:
    """``now`` (aware; naive is refused) or the current time, in UTC."""
    if now is None:
        return datetime.now(UTC)
    if now.tzinfo is None:
        raise ValueError(f"naive datetime {now!r}: pass an aware time (UTC)")
    return now.astimezone(UTC)
