"""The web application's tables: password logins, server-side sessions, login attempts (rate limiting).

Declared on the same ``Base`` as ``models.py`` (one Alembic history: ``0003_growth_and_web``). Only hashes are
stored: the password's argon2 hash, the session token's SHA-256; the CSRF token is per session.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from guanghe.appdb.models import Base, UTCDateTime, utc_now


class PasswordRow(Base):
    """A principal's web login: a unique login name and the argon2 hash of its password."""

    __tablename__ = "principal_passwords"

    principal_id: Mapped[int] = mapped_column(ForeignKey("principals.id"), primary_key=True)
    login: Mapped[str] = mapped_column(String(100), unique=True)
    hash: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class SessionRow(Base):
    """A signed-in browser: the SHA-256 of its session cookie, its CSRF token, when it expires."""

    __tablename__ = "web_sessions"
    __table_args__ = (Index("ix_web_sessions_principal_id", "principal_id"),)

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    principal_id: Mapped[int] = mapped_column(ForeignKey("principals.id"))
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class LoginAttemptRow(Base):
    """One login attempt by a login name or a client address (``key``): the rate limiter counts these."""

    __tablename__ = "login_attempts"
    __table_args__ = (Index("ix_login_attempts_key_at", "key", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    ok: Mapped[bool] = mapped_column(Boolean)
