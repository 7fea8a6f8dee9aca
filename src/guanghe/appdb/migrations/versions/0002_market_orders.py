"""Marketplace: campaigns, offers, orders (a state machine with escrow on the ledger), their audit trail,
creators' rate cards.

Revision ID: 0002
Revises: 0001
Create Date: 2026-02-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

UTC_TIME = sa.DateTime(timezone=True)
DELIVERABLE = "deliverable IN ('short_video', 'live_mention')"
ORDER_STATES = (
    "state IN ('offered', 'countered', 'accepted', 'declined', 'funded', 'delivered', 'revision_requested', "
    "'completed', 'cancelled', 'expired', 'disputed', 'resolved')"
)


def _pk(table: str) -> sa.PrimaryKeyConstraint:
    return sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}"))


def _fk(table: str, column: str, other: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{other}.id"], name=op.f(f"fk_{table}_{column}_{other}"))


def _ck(table: str, name: str, sql: str) -> sa.CheckConstraint:
    return sa.CheckConstraint(sql, name=op.f(f"ck_{table}_{name}"))


def upgrade() -> None:
    op.create_table(
        "campaigns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("brand_principal_id", sa.Integer(), nullable=False),
        sa.Column("brand_id", sa.BigInteger(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("brief", sa.Text(), nullable=False),
        sa.Column("categories", sa.Text(), nullable=False),
        sa.Column("budget_fen", sa.BigInteger(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("max_creators", sa.Integer(), nullable=True),
        sa.Column("max_per_mcn", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        _ck("campaigns", "status", "status IN ('open', 'closed')"),
        _ck("campaigns", "budget_fen", "budget_fen > 0"),
        _ck("campaigns", "max_creators", "max_creators IS NULL OR max_creators > 0"),
        _ck("campaigns", "max_per_mcn", "max_per_mcn IS NULL OR max_per_mcn > 0"),
        _fk("campaigns", "brand_principal_id", "principals"),
        _pk("campaigns"),
    )
    op.create_index("ix_campaigns_brand_id", "campaigns", ["brand_id"])
    op.create_table(
        "offers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("creator_id", sa.BigInteger(), nullable=False),
        sa.Column("mcn_id", sa.BigInteger(), nullable=True),
        sa.Column("deliverable", sa.String(16), nullable=False),
        sa.Column("price_fen", sa.BigInteger(), nullable=False),
        sa.Column("direction", sa.String(16), nullable=False),
        sa.Column("pitch", sa.Text(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        _ck("offers", "deliverable", DELIVERABLE),
        _ck("offers", "direction", "direction IN ('offer', 'application')"),
        _ck("offers", "status", "status IN ('open', 'countered', 'accepted', 'declined', 'withdrawn')"),
        _ck("offers", "price_fen", "price_fen > 0"),
        _fk("offers", "campaign_id", "campaigns"),
        _pk("offers"),
    )
    op.create_index("ix_offers_campaign_id", "offers", ["campaign_id"])
    op.create_index("ix_offers_creator_id", "offers", ["creator_id"])
    op.create_table(
        "orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("brand_id", sa.BigInteger(), nullable=False),
        sa.Column("creator_id", sa.BigInteger(), nullable=False),
        sa.Column("mcn_id", sa.BigInteger(), nullable=True),
        sa.Column("price_fen", sa.BigInteger(), nullable=False),
        sa.Column("fee_fen", sa.BigInteger(), nullable=False),
        sa.Column("fee_bps", sa.Integer(), nullable=False),
        sa.Column("fee_program", sa.String(64), nullable=True),
        sa.Column("state", sa.String(24), nullable=False),
        sa.Column("revision_rounds", sa.Integer(), nullable=False),
        sa.Column("work_id", sa.BigInteger(), nullable=True),
        sa.Column("delivered_at", UTC_TIME, nullable=True),
        sa.Column("accept_by", UTC_TIME, nullable=True),
        sa.Column("creator_fen", sa.BigInteger(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("escrow_transfer_id", sa.String(32), nullable=True),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("updated_at", UTC_TIME, nullable=False),
        _ck("orders", "state", ORDER_STATES),
        _ck("orders", "price_fen", "price_fen > 0"),
        _ck("orders", "fee_fen", "fee_fen >= 0 AND fee_fen <= price_fen"),
        _ck("orders", "fee_bps", "fee_bps >= 0 AND fee_bps <= 10000"),
        _ck("orders", "revision_rounds", "revision_rounds >= 0"),
        _ck("orders", "version", "version > 0"),
        _fk("orders", "offer_id", "offers"),
        _fk("orders", "campaign_id", "campaigns"),
        _pk("orders"),
        sa.UniqueConstraint("offer_id", name=op.f("uq_orders_offer_id")),
    )
    for column in ("campaign_id", "creator_id", "brand_id", "state"):
        op.create_index(f"ix_orders_{column}", "orders", [column])
    op.create_table(
        "order_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("at", UTC_TIME, nullable=False),
        sa.Column("actor_principal_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(24), nullable=False),
        sa.Column("from_state", sa.String(24), nullable=True),
        sa.Column("to_state", sa.String(24), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("idempotency_key", sa.String(128), nullable=True),
        _fk("order_events", "order_id", "orders"),
        _fk("order_events", "actor_principal_id", "principals"),
        _pk("order_events"),
        sa.UniqueConstraint("order_id", "idempotency_key", name=op.f("uq_order_events_order_id")),
    )
    op.create_index("ix_order_events_order_id", "order_events", ["order_id"])
    op.create_table(
        "rate_cards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("creator_id", sa.BigInteger(), nullable=False),
        sa.Column("deliverable", sa.String(16), nullable=False),
        sa.Column("price_fen", sa.BigInteger(), nullable=False),
        sa.Column("set_by_principal_id", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTC_TIME, nullable=False),
        _ck("rate_cards", "deliverable", DELIVERABLE),
        _ck("rate_cards", "price_fen", "price_fen > 0"),
        _fk("rate_cards", "set_by_principal_id", "principals"),
        _pk("rate_cards"),
        sa.UniqueConstraint("creator_id", "deliverable", name=op.f("uq_rate_cards_creator_id")),
    )


def downgrade() -> None:
    op.drop_table("rate_cards")
    op.drop_index("ix_order_events_order_id", table_name="order_events")
    op.drop_table("order_events")
    for column in ("state", "brand_id", "creator_id", "campaign_id"):
        op.drop_index(f"ix_orders_{column}", table_name="orders")
    op.drop_table("orders")
    op.drop_index("ix_offers_creator_id", table_name="offers")
    op.drop_index("ix_offers_campaign_id", table_name="offers")
    op.drop_table("offers")
    op.drop_index("ix_campaigns_brand_id", table_name="campaigns")
    op.drop_table("campaigns")
