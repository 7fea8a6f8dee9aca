"""Growth and web: operators' originality decisions and creators' appeals; web logins, sessions and login
attempts.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

UTC_TIME = sa.DateTime(timezone=True)


def _pk(table: str, column: str = "id") -> sa.PrimaryKeyConstraint:
    return sa.PrimaryKeyConstraint(column, name=op.f(f"pk_{table}"))


def _fk(table: str, column: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], ["principals.id"], name=op.f(f"fk_{table}_{column}_principals"))


def upgrade() -> None:
    op.create_table(
        "originality_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("work_id", sa.BigInteger(), nullable=False),
        sa.Column("original_work_id", sa.BigInteger(), nullable=False),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=False),
        sa.Column("decided_at", UTC_TIME, nullable=False),
        sa.CheckConstraint(
            "decision IN ('duplicate', 'not_duplicate')", name=op.f("ck_originality_decisions_decision")
        ),
        _fk("originality_decisions", "decided_by"),
        _pk("originality_decisions"),
    )
    op.create_index("ix_originality_decisions_pair", "originality_decisions", ["work_id", "original_work_id"])
    op.create_table(
        "originality_appeals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("work_id", sa.BigInteger(), nullable=False),
        sa.Column("creator_id", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("filed_by", sa.Integer(), nullable=False),
        sa.Column("filed_at", UTC_TIME, nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", UTC_TIME, nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "state IN ('open', 'upheld', 'rejected')", name=op.f("ck_originality_appeals_state")
        ),
        _fk("originality_appeals", "filed_by"),
        _fk("originality_appeals", "decided_by"),
        _pk("originality_appeals"),
    )
    op.create_index("ix_originality_appeals_work_id", "originality_appeals", ["work_id"])
    op.create_index("ix_originality_appeals_creator_id", "originality_appeals", ["creator_id"])
    op.create_table(
        "principal_passwords",
        sa.Column("principal_id", sa.Integer(), nullable=False),
        sa.Column("login", sa.String(100), nullable=False),
        sa.Column("hash", sa.String(200), nullable=False),
        sa.Column("updated_at", UTC_TIME, nullable=False),
        _fk("principal_passwords", "principal_id"),
        _pk("principal_passwords", "principal_id"),
        sa.UniqueConstraint("login", name=op.f("uq_principal_passwords_login")),
    )
    op.create_table(
        "web_sessions",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("principal_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("expires_at", UTC_TIME, nullable=False),
        sa.Column("last_seen_at", UTC_TIME, nullable=False),
        _fk("web_sessions", "principal_id"),
        _pk("web_sessions", "token_hash"),
    )
    op.create_index("ix_web_sessions_principal_id", "web_sessions", ["principal_id"])
    op.create_table(
        "login_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("at", UTC_TIME, nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        _pk("login_attempts"),
    )
    op.create_index("ix_login_attempts_key_at", "login_attempts", ["key", "at"])


def downgrade() -> None:
    op.drop_index("ix_login_attempts_key_at", table_name="login_attempts")
    op.drop_table("login_attempts")
    op.drop_index("ix_web_sessions_principal_id", table_name="web_sessions")
    op.drop_table("web_sessions")
    op.drop_table("principal_passwords")
    op.drop_index("ix_originality_appeals_creator_id", table_name="originality_appeals")
    op.drop_index("ix_originality_appeals_work_id", table_name="originality_appeals")
    op.drop_table("originality_appeals")
    op.drop_index("ix_originality_decisions_pair", table_name="originality_decisions")
    op.drop_table("originality_decisions")
