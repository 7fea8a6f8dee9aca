"""Server-side web sessions: the browser holds a random token (256 bits) in a cookie; the database keeps its
SHA-256, the session's CSRF token, and when it expires.

A session ends at ``expires_at`` (``LIFETIME`` after sign-in) or after ``IDLE`` without a request, or when
the user signs out (its row is deleted). ``last_seen_at`` is written at most once a minute per session.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from guanghe.appdb.engine import AppDb, read_session
from guanghe.appdb.models import PrincipalRow, utc_now
from guanghe.appdb.types import Principal
from guanghe.appdb.web_models import SessionRow

LIFETIME = timedelta(hours=12)
IDLE = timedelta(hours=2)
SEEN_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class WebSession:
    """A live session: who, its CSRF token, until when."""

    principal: Principal
    csrf_token: str
    expires_at: datetime


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_session(db: AppDb, principal_id: int, now: datetime | None = None) -> tuple[str, WebSession]:
    """A new session for a principal: ``(cookie token, session)``; the token is not stored, only its hash."""
    now = now or utc_now()
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    with Session(db.engine) as s, s.begin():
        p = s.get(PrincipalRow, principal_id)
        if p is None:
            raise ValueError(f"no principal {principal_id}")
        s.add(SessionRow(token_hash=token_hash(token), principal_id=principal_id, csrf_token=csrf,
                         created_at=now, expires_at=now + LIFETIME, last_seen_at=now))  # fmt: skip
        principal = Principal(p.id, p.kind, p.name, p.external_id)
    return token, WebSession(principal, csrf, now + LIFETIME)


def lookup_session(db: AppDb, token: str, now: datetime | None = None) -> WebSession | None:
    """The live session of a cookie token; None if unknown, expired or idle too long (an expired one is
    deleted). Reads only, except ``last_seen_at`` at most once a minute."""
    if not token or len(token) > 200:
        return None
    now, digest = now or utc_now(), token_hash(token)
    with read_session(db) as s:
        row = s.get(SessionRow, digest)
        if row is None:
            return None
        p = s.get(PrincipalRow, row.principal_id)
        live = row.expires_at > now and now - row.last_seen_at < IDLE and p is not None
        seen = row.last_seen_at
        found = WebSession(Principal(p.id, p.kind, p.name, p.external_id), row.csrf_token, row.expires_at) \
            if live and p is not None else None  # fmt: skip
    if found is None:
        end_session(db, token)
        return None
    if now - seen >= SEEN_EVERY:
        with Session(db.engine) as s, s.begin():
            s.execute(update(SessionRow).where(SessionRow.token_hash == digest).values(last_seen_at=now))
    return found


def end_session(db: AppDb, token: str) -> None:
    """Sign out: the session's row is deleted (a later request with the cookie is anonymous)."""
    with Session(db.engine) as s, s.begin():
        s.execute(delete(SessionRow).where(SessionRow.token_hash == token_hash(token)))


def end_expired(db: AppDb, now: datetime | None = None) -> int:
    """Delete every expired or idle session; how many."""
    now = now or utc_now()
    with Session(db.engine) as s, s.begin():
        gone = s.execute(delete(SessionRow).where(
            (SessionRow.expires_at <= now) | (SessionRow.last_seen_at <= now - IDLE)))  # fmt: skip
        return gone.rowcount or 0
