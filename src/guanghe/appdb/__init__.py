"""The application database: principals (brands, creators, MCN agencies, operators) and their API keys.

One URL (``GUANGHE_DB``): ``sqlite:///guanghe-app.sqlite3`` (default) or
``postgresql://user@host:port/db?schema=name``; Alembic migrations ship in ``migrations/``.

>>> with open_appdb("sqlite://", create=True) as db:
...     principal, key = create_key(db, "brand", "Acme", external_id=42)
...     authenticate(db, key) == principal, authenticate(db, key + "x")
(True, None)
"""

from __future__ import annotations

from guanghe.appdb import growth_models, market_models, web_models  # noqa: F401 - their tables join Base.metadata
from guanghe.appdb.engine import AppDb, connect
from guanghe.appdb.keys import authenticate, create_key, list_keys, revoke_key
from guanghe.appdb.migrate import Revision, head, require_head, revision, upgrade
from guanghe.appdb.types import EXTERNAL_ID_MAX, ROLES, ApiKey, AppDbError, AppDbMissing, Principal


def open_appdb(url: str, create: bool = False) -> AppDb:
    """The application database a URL names, migrated to head.

    Without ``create`` (reads, and writes into an existing database) a missing SQLite file or PostgreSQL
    schema, or a database without migrations, is ``AppDbMissing`` ("no application database at …; run guanghe
    db upgrade") and nothing is created; one behind head is ``AppDbError``. With ``create`` the file or schema
    is made if missing and migrated to head (``guanghe db upgrade``)."""
    db = connect(url, create=create)
    try:
        if create:
            upgrade(db)
        require_head(db)
    except BaseException:
        db.close()
        raise
    return db


def current_revision(url: str) -> Revision:
    """Where the database at ``url`` stands (read only: a missing or un-migrated one is ``AppDbMissing``)."""
    db = connect(url)
    try:
        rev = revision(db)
        if rev.current is None:
            require_head(db)  # raises AppDbMissing
        return rev
    finally:
        db.close()


__all__ = [
    "EXTERNAL_ID_MAX",
    "ROLES",
    "ApiKey",
    "AppDb",
    "AppDbError",
    "AppDbMissing",
    "Principal",
    "Revision",
    "authenticate",
    "create_key",
    "current_revision",
    "head",
    "list_keys",
    "open_appdb",
    "revoke_key",
    "upgrade",
]
