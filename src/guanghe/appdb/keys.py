"""API keys: ``gh_<role>_<43 random url-safe characters>``, shown once; only the SHA-256 of the key is kept.

A key carries 256 random bits, so a fast hash is enough (nothing can be guessed, unlike a password; scrypt
would only slow every request down). A key is found by its prefix (``gh_brand_`` and the first 8 random
characters, indexed, shown in listings) and its hash is compared with ``hmac.compare_digest``."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from hmac import compare_digest

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from guanghe.appdb.engine import AppDb, read_session
from guanghe.appdb.models import ApiKeyRow, PrincipalRow, utc_now
from guanghe.appdb.types import ApiKey, AppDbError, Principal, check_external_id, check_role

SHOWN = 8  # random characters kept in the prefix
NAME_MAX = 200
LAST_USED_EVERY = timedelta(minutes=1)  # how fresh a key's last_used_at is kept


def key_hash(key: str) -> str:
    """The SHA-256 of the whole key, in hex: what the database stores."""
    return hashlib.sha256(key.encode()).hexdigest()


def key_prefix(key: str) -> str | None:
    """``gh_<role>_`` and the first 8 random characters, or None if ``key`` does not look like a key."""
    parts = key.split("_", 2)
    if len(parts) != 3 or parts[0] != "gh" or len(parts[2]) <= SHOWN:
        return None
    return f"gh_{parts[1]}_{parts[2][:SHOWN]}"


def new_key(role: str) -> str:
    return f"gh_{check_role(role)}_{secrets.token_urlsafe(32)}"


def _principal(row: PrincipalRow) -> Principal:
    return Principal(row.id, row.kind, row.name, row.external_id)


def _check_name(name: str) -> str:
    if not name.strip() or len(name) > NAME_MAX:
        raise AppDbError(f"name {name!r}: expected 1..{NAME_MAX} characters")
    return name


def create_key(db: AppDb, role: str, name: str, external_id: int | None = None) -> tuple[Principal, str]:
    """A new key for the principal ``(role, external_id)``, made if it is new (without an external id, always
    a new principal); returns the principal and the plaintext key, which is not stored and not shown again."""
    check_role(role)
    check_external_id(external_id)
    _check_name(name)
    key = new_key(role)
    prefix = key_prefix(key)
    assert prefix is not None
    with Session(db.engine) as s, s.begin():
        row = None
        if external_id is not None:
            row = s.scalars(
                select(PrincipalRow).where(PrincipalRow.kind == role, PrincipalRow.external_id == external_id)
            ).one_or_none()
        if row is None:
            row = PrincipalRow(kind=role, name=name, external_id=external_id)
            s.add(row)
            s.flush()
        s.add(ApiKeyRow(principal_id=row.id, prefix=prefix, hash=key_hash(key), name=name))
        principal = _principal(row)
    return principal, key


def authenticate(db: AppDb, key: str) -> Principal | None:
    """The principal an active key speaks for; None for a wrong, unknown or revoked key. Hashes are compared
    in constant time. The lookup only reads; ``last_used_at`` is written when it is older than
    ``LAST_USED_EVERY`` (a request per key per minute at most writes, not every request)."""
    prefix = key_prefix(key)
    if prefix is None:
        return None
    digest = key_hash(key)
    with read_session(db) as s:
        rows = s.scalars(
            select(ApiKeyRow).where(ApiKeyRow.prefix == prefix, ApiKeyRow.revoked_at.is_(None))
        ).all()
        found = None
        for row in rows:  # every candidate is compared: the time does not depend on which one matches
            if compare_digest(row.hash, digest):
                found = row
        if found is None:
            return None
        principal, used, key_id = _principal(found.principal), found.last_used_at, found.id
    now = utc_now()
    if used is None or now - used >= LAST_USED_EVERY:
        with Session(db.engine) as s, s.begin():
            s.execute(update(ApiKeyRow).where(ApiKeyRow.id == key_id).values(last_used_at=now))
    return principal


def revoke_key(db: AppDb, key_id: int) -> ApiKey | None:
    """Revoke a key by id (a revoked key stays revoked, its first time kept); None if there is no such key."""
    with Session(db.engine) as s, s.begin():
        row = s.get(ApiKeyRow, key_id)
        if row is None:
            return None
        if row.revoked_at is None:
            row.revoked_at = utc_now()
        s.flush()
        return _listed(row)


def list_keys(db: AppDb) -> list[ApiKey]:
    """Every key, oldest first, with its principal: prefixes and times, never keys or hashes."""
    with Session(db.engine) as s:
        rows = s.scalars(select(ApiKeyRow).join(ApiKeyRow.principal).order_by(ApiKeyRow.id)).all()
        return [_listed(r) for r in rows]


def _listed(row: ApiKeyRow) -> ApiKey:
    p = row.principal
    return ApiKey(
        row.id,
        row.prefix,
        p.id,
        p.kind,
        p.name,
        p.external_id,
        row.name,
        row.created_at,
        row.revoked_at,
        row.last_used_at,
    )
