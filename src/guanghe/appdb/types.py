"""What other rooms import from the application database: the principal, the roles, the errors.

>>> Principal(1, "brand", "Acme", 42).kind
'brand'
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

ROLES = ("brand", "creator", "mcn", "operator")  # the principals' kinds (a CHECK constraint in the database)
EXTERNAL_ID_MAX = 2**48 - 1  # creators, MCN agencies and brands are ids 1..2^48-1 (data.tables.PARTY_ID_MAX)


class AppDbError(Exception):
    """The application database cannot do what was asked (unreachable, wrong revision, bad input)."""


class AppDbMissing(AppDbError):
    """A read named an application database that does not exist or is not migrated (reads never create)."""


@dataclass(frozen=True)
class Principal:
    """Who an API key speaks for: a brand, a creator, an MCN agency or an operator of the platform."""

    id: int
    kind: str
    name: str
    external_id: int | None = None  # the creator / agency / brand id in the warehouse and the ledger


@dataclass(frozen=True)
class ApiKey:
    """One API key as listings show it: never the key, never its hash."""

    id: int
    prefix: str
    principal_id: int
    kind: str
    principal_name: str
    external_id: int | None
    name: str
    created_at: datetime
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def check_role(role: str) -> str:
    """``role`` if it is one of ROLES, else AppDbError naming the field."""
    if role not in ROLES:
        raise AppDbError(f"role {role!r}: expected one of {', '.join(ROLES)}")
    return role


def check_external_id(value: int | None) -> int | None:
    """``value`` if it is None or an id 1..2^48-1, else AppDbError naming the field."""
    if value is not None and (
        isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= EXTERNAL_ID_MAX
    ):
        raise AppDbError(f"external id {value!r}: expected an integer 1..2^48-1")
    return value
