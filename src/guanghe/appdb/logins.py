"""Web logins: a principal's login name and the argon2 hash of its password; the login rate limiter.

A password is hashed with argon2id (``argon2-cffi``'s defaults: t=3, m=64 MiB, p=4); only the hash is
stored. ``verify_login`` spends the same argon2 work whether or not the login exists (a dummy hash is checked
for an unknown one), so its time does not say which logins exist. Every attempt is recorded under two keys,
``login:<name>`` and ``addr:<client address>``; ``login_allowed`` refuses a key with too many failures in the
window (``LIMITS``) — a guesser is slowed per account and per address.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from guanghe.appdb.engine import AppDb, read_session
from guanghe.appdb.models import PrincipalRow, utc_now
from guanghe.appdb.types import AppDbError, Principal
from guanghe.appdb.web_models import LoginAttemptRow, PasswordRow

LOGIN_MAX = 100
PASSWORD_MIN, PASSWORD_MAX = 8, 200
_hasher = PasswordHasher()
_DUMMY = _hasher.hash("not a password of anyone")  # verified for unknown logins: the same work


@dataclass(frozen=True)
class Limit:
    """At most ``failures`` failed attempts per ``window`` for one key kind."""

    failures: int
    window: timedelta


LIMITS: dict[str, Limit] = {
    "login": Limit(5, timedelta(minutes=15)),  # one account: 5 wrong passwords per 15 minutes
    "addr": Limit(20, timedelta(minutes=15)),  # one client address: 20 failures per 15 minutes, any account
}


def check_login(login: str) -> str:
    text = login.strip().lower()
    if not text or len(text) > LOGIN_MAX or any(c.isspace() for c in text):
        raise AppDbError(f"login {login!r}: expected 1..{LOGIN_MAX} characters without spaces")
    return text


def set_password(db: AppDb, principal_id: int, login: str, password: str) -> None:
    """Give a principal a web login (or change its login and password): the argon2 hash is stored."""
    name = check_login(login)
    if not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
        raise AppDbError(f"password: expected {PASSWORD_MIN}..{PASSWORD_MAX} characters")
    digest = _hasher.hash(password)
    with Session(db.engine) as s, s.begin():
        if s.get(PrincipalRow, principal_id) is None:
            raise AppDbError(f"no principal {principal_id}")
        taken = s.scalars(select(PasswordRow).where(PasswordRow.login == name)).one_or_none()
        if taken is not None and taken.principal_id != principal_id:
            raise AppDbError(f"login {name!r} is taken by principal {taken.principal_id}")
        row = s.get(PasswordRow, principal_id)
        if row is None:
            s.add(PasswordRow(principal_id=principal_id, login=name, hash=digest, updated_at=utc_now()))
        else:
            row.login, row.hash, row.updated_at = name, digest, utc_now()


def login_of(db: AppDb, principal_id: int) -> str | None:
    """A principal's login name, None without one."""
    with read_session(db) as s:
        return s.scalar(select(PasswordRow.login).where(PasswordRow.principal_id == principal_id))


def verify_login(db: AppDb, login: str, password: str) -> Principal | None:
    """The principal whose login and password these are, None otherwise (same argon2 work either way)."""
    try:
        name = check_login(login)
    except AppDbError:
        name = ""
    with read_session(db) as s:
        row = s.scalars(select(PasswordRow).where(PasswordRow.login == name)).one_or_none() if name else None
        digest, principal = (
            (_DUMMY, None) if row is None else (row.hash, s.get(PrincipalRow, row.principal_id))
        )
        found = None if principal is None else Principal(principal.id, principal.kind, principal.name,
                                                          principal.external_id)  # fmt: skip
    try:
        _hasher.verify(digest, password)
    except (VerificationError, InvalidHashError):
        return None
    return found


def attempt_keys(login: str, address: str) -> dict[str, str]:
    """The rate limiter's keys of one attempt: per login name and per client address."""
    return {"login": f"login:{login.strip().lower()[:LOGIN_MAX]}", "addr": f"addr:{address[:150]}"}


def login_allowed(db: AppDb, login: str, address: str, now: datetime | None = None) -> bool:
    """False when the login name or the address had ``LIMITS`` failures within the window."""
    now = now or utc_now()
    with read_session(db) as s:
        for kind, key in attempt_keys(login, address).items():
            limit = LIMITS[kind]
            failed = s.scalar(
                select(func.count()).select_from(LoginAttemptRow).where(
                    LoginAttemptRow.key == key, LoginAttemptRow.at > now - limit.window,
                    LoginAttemptRow.ok.is_(False),
                )
            )  # fmt: skip
            if (failed or 0) >= limit.failures:
                return False
    return True


def record_attempt(db: AppDb, login: str, address: str, ok: bool, now: datetime | None = None) -> None:
    """Record an attempt under both keys; attempts older than the longest window are dropped as we go."""
    now = now or utc_now()
    oldest = now - max(limit.window for limit in LIMITS.values())
    with Session(db.engine) as s, s.begin():
        s.execute(delete(LoginAttemptRow).where(LoginAttemptRow.at < oldest))
        for key in attempt_keys(login, address).values():
            s.add(LoginAttemptRow(key=key, at=now, ok=ok))
