"""Alembic, run from code: the scripts ship in ``migrations/``; the connection (and schema) is handed over."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text

from guanghe.appdb.engine import FIRST_STEP, WHAT, AppDb
from guanghe.appdb.types import AppDbError, AppDbMissing

MIGRATIONS = Path(__file__).parent / "migrations"


@dataclass(frozen=True)
class Revision:
    """Where a database stands: its revision (None: not migrated) and the newest this guanghe knows."""

    current: str | None
    head: str

    @property
    def at_head(self) -> bool:
        return self.current == self.head


def config(db: AppDb | None = None, connection: Connection | None = None) -> Config:
    """An Alembic config: the packaged scripts, and the connection and schema ``env.py`` migrates."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    cfg.attributes["schema"] = db.schema if db else None
    return cfg


@cache
def scripts() -> ScriptDirectory:
    """The packaged revisions (read once per process)."""
    return ScriptDirectory.from_config(config())


def head() -> str:
    """The newest revision shipped with this guanghe."""
    found = scripts().get_current_head()
    assert found is not None, "no migrations shipped"
    return found


def revision(db: AppDb) -> Revision:
    """The database's revision (None when it holds no Alembic version table), read only."""
    with db.engine.connect() as con:
        current = MigrationContext.configure(
            con, opts={"version_table_schema": db.schema}
        ).get_current_revision()
        con.rollback()
    return Revision(current, head())


def upgrade(db: AppDb) -> tuple[Revision, Revision]:
    """Migrate ``db`` to head in one transaction; ``(before, after)`` (equal when it was already there)."""
    before = revision(db)
    if before.at_head:
        return before, before
    known(before, db)
    with db.engine.begin() as con:  # SQLite: BEGIN IMMEDIATE serialises upgrades; PostgreSQL: a lock
        if con.dialect.name == "postgresql":
            con.execute(
                text("SELECT pg_advisory_xact_lock(hashtext(:s))"), {"s": f"guanghe.appdb.{db.schema}"}
            )
        command.upgrade(config(db, con), "head")  # reads the revision again, under the lock
    return before, revision(db)


def known(rev: Revision, db: AppDb) -> None:
    """AppDbError when the database is at a revision this guanghe does not ship (a newer guanghe wrote it)."""
    if rev.current is not None and rev.current not in {s.revision for s in scripts().walk_revisions()}:
        raise AppDbError(f"the {WHAT} at {db.where} is at revision {rev.current}, unknown to this guanghe")


def require_head(db: AppDb) -> Revision:
    """The revision, if it is head; AppDbMissing when not migrated, AppDbError when behind or unknown."""
    rev = revision(db)
    if rev.current is None:
        raise AppDbMissing(f"no {WHAT} at {db.where} (not migrated); {FIRST_STEP}")
    known(rev, db)
    if not rev.at_head:
        raise AppDbError(
            f"the {WHAT} at {db.where} is at revision {rev.current}, this guanghe needs {rev.head}; {FIRST_STEP}"
        )
    return rev
