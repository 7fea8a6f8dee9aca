"""The growth room's application tables: operators' originality decisions and creators' appeals.

Declared on the same ``Base`` as ``models.py`` (one Alembic history: ``0003_growth_and_web``). A decision is
recorded, never edited: the newest decision on a (work, original) pair is the one that holds, and a
``not_duplicate`` decision keeps the pair from being flagged again.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from guanghe.appdb.market_models import one_of
from guanghe.appdb.models import Base, UTCDateTime, utc_now

DECISIONS = ("duplicate", "not_duplicate")
APPEAL_STATES = ("open", "upheld", "rejected")


class OriginalityDecisionRow(Base):
    """An operator's decision on whether ``work_id`` re-uploads ``original_work_id`` (with the reason)."""

    __tablename__ = "originality_decisions"
    __table_args__ = (
        CheckConstraint(one_of("decision", DECISIONS), name="decision"),
        Index("ix_originality_decisions_pair", "work_id", "original_work_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    work_id: Mapped[int] = mapped_column(BigInteger)
    original_work_id: Mapped[int] = mapped_column(BigInteger)
    decision: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    decided_by: Mapped[int] = mapped_column(ForeignKey("principals.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class OriginalityAppealRow(Base):
    """A creator's appeal against a flag on one of its works, and the operator's answer."""

    __tablename__ = "originality_appeals"
    __table_args__ = (
        CheckConstraint(one_of("state", APPEAL_STATES), name="state"),
        Index("ix_originality_appeals_work_id", "work_id"),
        Index("ix_originality_appeals_creator_id", "creator_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    work_id: Mapped[int] = mapped_column(BigInteger)
    creator_id: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), default="open")
    filed_by: Mapped[int] = mapped_column(ForeignKey("principals.id"))
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("principals.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str | None] = mapped_column(Text)
