"""The marketplace's tables: campaigns, offers, orders and their audit trail, creators' rate cards.

Declared on the same ``Base`` as ``models.py`` (one Alembic history: ``0002_market_orders``). The names of
states, deliverables and directions are declared here, once, as CHECK constraints; ``guanghe.market.states``
imports them and adds the transition table. Money is integer fen; times are UTC.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from guanghe.appdb.models import Base, UTCDateTime, utc_now

DELIVERABLES = ("short_video", "live_mention")
DIRECTIONS = (
    "offer",
    "application",
)  # a brand's offer to a creator, or a creator's application to a campaign
CAMPAIGN_STATUSES = ("open", "closed")
OFFER_STATUSES = ("open", "countered", "accepted", "declined", "withdrawn")
ORDER_STATES = (
    "offered",
    "countered",
    "accepted",
    "declined",
    "funded",
    "delivered",
    "revision_requested",
    "completed",
    "cancelled",
    "expired",
    "disputed",
    "resolved",
)


def one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


class CampaignRow(Base):
    """A brand's campaign: brief, categories (comma list), budget, deadline and the matching caps."""

    __tablename__ = "campaigns"
    __table_args__ = (
        CheckConstraint(one_of("status", CAMPAIGN_STATUSES), name="status"),
        CheckConstraint("budget_fen > 0", name="budget_fen"),
        CheckConstraint("max_creators IS NULL OR max_creators > 0", name="max_creators"),
        CheckConstraint("max_per_mcn IS NULL OR max_per_mcn > 0", name="max_per_mcn"),
        Index("ix_campaigns_brand_id", "brand_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    brand_principal_id: Mapped[int] = mapped_column(ForeignKey("principals.id"))
    brand_id: Mapped[int] = mapped_column(BigInteger)  # the principal's external_id: ledger/warehouse brand
    title: Mapped[str] = mapped_column(String(200))
    brief: Mapped[str] = mapped_column(Text)
    categories: Mapped[str] = mapped_column(Text)  # comma-separated category names
    budget_fen: Mapped[int] = mapped_column(BigInteger)
    deadline: Mapped[date] = mapped_column(Date)
    max_creators: Mapped[int | None] = mapped_column(Integer)
    max_per_mcn: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class OfferRow(Base):
    """A proposal: a brand's offer to a creator or a creator's application; its order carries the state."""

    __tablename__ = "offers"
    __table_args__ = (
        CheckConstraint(one_of("deliverable", DELIVERABLES), name="deliverable"),
        CheckConstraint(one_of("direction", DIRECTIONS), name="direction"),
        CheckConstraint(one_of("status", OFFER_STATUSES), name="status"),
        CheckConstraint("price_fen > 0", name="price_fen"),
        Index("ix_offers_campaign_id", "campaign_id"),
        Index("ix_offers_creator_id", "creator_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    creator_id: Mapped[int] = mapped_column(BigInteger)
    mcn_id: Mapped[int | None] = mapped_column(BigInteger)
    deliverable: Mapped[str] = mapped_column(String(16))
    price_fen: Mapped[int] = mapped_column(BigInteger)
    direction: Mapped[str] = mapped_column(String(16))
    pitch: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class OrderRow(Base):
    """An order's state (``guanghe.market.states``), its agreed price and fee, the delivery, the escrow."""

    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint(one_of("state", ORDER_STATES), name="state"),
        CheckConstraint("price_fen > 0", name="price_fen"),
        CheckConstraint("fee_fen >= 0 AND fee_fen <= price_fen", name="fee_fen"),
        CheckConstraint("fee_bps >= 0 AND fee_bps <= 10000", name="fee_bps"),
        CheckConstraint("revision_rounds >= 0", name="revision_rounds"),
        CheckConstraint("version > 0", name="version"),
        Index("ix_orders_campaign_id", "campaign_id"),
        Index("ix_orders_creator_id", "creator_id"),
        Index("ix_orders_brand_id", "brand_id"),
        Index("ix_orders_state", "state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id"), unique=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    brand_id: Mapped[int] = mapped_column(BigInteger)
    creator_id: Mapped[int] = mapped_column(BigInteger)
    mcn_id: Mapped[int | None] = mapped_column(BigInteger)
    price_fen: Mapped[int] = mapped_column(BigInteger)
    fee_fen: Mapped[int] = mapped_column(BigInteger)
    fee_bps: Mapped[int] = mapped_column(Integer)
    fee_program: Mapped[str | None] = mapped_column(String(64))  # the discount program the fee came from
    state: Mapped[str] = mapped_column(String(24))
    revision_rounds: Mapped[int] = mapped_column(Integer, default=0)
    work_id: Mapped[int | None] = mapped_column(BigInteger)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accept_by: Mapped[datetime | None] = mapped_column(UTCDateTime)  # auto-accepted after it
    creator_fen: Mapped[int | None] = mapped_column(BigInteger)  # what the creator was paid (price or part)
    version: Mapped[int] = mapped_column(Integer, default=1)
    escrow_transfer_id: Mapped[str | None] = mapped_column(String(32))  # the pending hold, 32 hex digits
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class OrderEventRow(Base):
    """The audit trail: one row per transition (who, when, from, to, what); ``idempotency_key`` makes a
    retried request answer the first one's result (unique per order)."""

    __tablename__ = "order_events"
    __table_args__ = (
        UniqueConstraint("order_id", "idempotency_key"),
        Index("ix_order_events_order_id", "order_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_principal_id: Mapped[int | None] = mapped_column(ForeignKey("principals.id"))  # None: the system
    action: Mapped[str] = mapped_column(String(24))
    from_state: Mapped[str | None] = mapped_column(String(24))  # None: the order was created
    to_state: Mapped[str] = mapped_column(String(24))
    detail: Mapped[str] = mapped_column(Text, default="{}")  # JSON
    idempotency_key: Mapped[str | None] = mapped_column(String(128))


class RateCardRow(Base):
    """A creator's listed price per deliverable."""

    __tablename__ = "rate_cards"
    __table_args__ = (
        UniqueConstraint("creator_id", "deliverable"),
        CheckConstraint(one_of("deliverable", DELIVERABLES), name="deliverable"),
        CheckConstraint("price_fen > 0", name="price_fen"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    creator_id: Mapped[int] = mapped_column(BigInteger)
    deliverable: Mapped[str] = mapped_column(String(16))
    price_fen: Mapped[int] = mapped_column(BigInteger)
    set_by_principal_id: Mapped[int] = mapped_column(ForeignKey("principals.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
