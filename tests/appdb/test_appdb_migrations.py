"""Migrations: empty → head, idempotent, read-only ``current``, and the models agree with the scripts."""

from __future__ import annotations

import threading
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import psycopg
import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, MetaData, String, inspect, text

from guanghe.appdb import (
    AppDbError,
    AppDbMissing,
    current_revision,
    head,
    open_appdb,
    upgrade,
)
from guanghe.appdb.engine import connect
from guanghe.appdb.market_models import Base as MarketBase
from guanghe.appdb.migrate import config
from guanghe.appdb.models import Base
from guanghe.config import SettingError
from servers import PG_URL, postgres_available

MARKET_TABLES = ("campaigns", "offers", "orders", "order_events", "rate_cards")
GROWTH_TABLES = ("originality_decisions", "originality_appeals")
WEB_TABLES = ("principal_passwords", "web_sessions", "login_attempts")


def _where(url: str) -> tuple[Path | None, str | None]:
    """The SQLite file or PostgreSQL schema a test URL names."""
    if url.startswith("sqlite"):
        return Path(url.removeprefix("sqlite:///")), None
    return None, parse_qs(urlsplit(url).query)["schema"][0]


def schema_exists(name: str) -> bool:
    """(Here, not imported from conftest: another folder's conftest may hold that name in a joint run.)"""
    with psycopg.connect(PG_URL, autocommit=True) as con:
        return con.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (name,)).fetchone() is not None


def _exists(url: str) -> bool:
    file, schema = _where(url)
    return file.exists() if file else schema_exists(schema or "")


def test_upgrade_from_empty_to_head_then_noop(url: str) -> None:
    assert not _exists(url)
    with connect(url, create=True) as db:
        before, after = upgrade(db)
        assert (before.current, after.current, after.head) == (None, head(), head())
        assert {"principals", "api_keys", "alembic_version"} <= set(inspect(db.engine).get_table_names())
        again = upgrade(db)
        assert again[0] == again[1] == after  # second upgrade: nothing to do
    assert current_revision(url).current == head() and current_revision(url).at_head
    with open_appdb(url, create=True) as db:  # and through open_appdb(create=True)
        assert current_revision(url).at_head


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_postgres_tables_live_in_the_schema(url: str) -> None:
    _, schema = _where(url)
    with open_appdb(url, create=True) as db:
        assert db.schema == schema
        names = set(inspect(db.engine).get_table_names(schema=schema))
        assert names == {
            "principals",
            "api_keys",
            "alembic_version",
            *MARKET_TABLES,
            *GROWTH_TABLES,
            *WEB_TABLES,
        }
        assert "principals" not in inspect(db.engine).get_table_names(schema="public")


def test_current_and_open_on_a_missing_database_create_nothing(url: str) -> None:
    for read in (current_revision, open_appdb):
        with pytest.raises(AppDbMissing, match=r"no application database at .*; run guanghe db upgrade"):
            read(url)
        assert not _exists(url)


def test_an_unmigrated_database_is_missing_not_migrated_by_a_read(url: str) -> None:
    connect(url, create=True).close()  # the file / schema exists, no tables
    with pytest.raises(AppDbMissing, match=r"not migrated\); run guanghe db upgrade"):
        current_revision(url)
    with pytest.raises(AppDbMissing, match="not migrated"):
        open_appdb(url)
    with connect(url) as db:
        assert inspect(db.engine).get_table_names(schema=db.schema) == []


def test_behind_or_unknown_revision_is_refused(db) -> None:
    with db.engine.begin() as con:
        command.downgrade(config(db, con), "base")
    with db.engine.begin() as con:
        assert set(inspect(con).get_table_names(schema=db.schema)) == {"alembic_version"}
    with pytest.raises(AppDbMissing):
        open_appdb(db.url)
    upgrade(db)
    with db.engine.begin() as con:
        con.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(AppDbError, match="revision 9999, unknown to this guanghe"):
        open_appdb(db.url)
    with pytest.raises(AppDbError, match="unknown"):
        upgrade(db)


def test_models_and_migrations_agree(db) -> None:
    assert MarketBase is Base and set(MARKET_TABLES) <= set(
        Base.metadata.tables
    )  # market tables compared too
    with db.engine.connect() as con:
        diffs = compare_metadata(MigrationContext.configure(con), Base.metadata)
    assert diffs == []


def test_a_file_that_is_not_a_database_is_one_clear_error(tmp_path: Path) -> None:
    (tmp_path / "junk.sqlite3").write_bytes(b"not a database at all" * 100)
    with pytest.raises(AppDbError, match=r"cannot open the SQLite application database .*not a database"):
        open_appdb(f"sqlite:///{tmp_path}/junk.sqlite3")


def test_missing_folder_is_not_created(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/no/such/app.sqlite3"
    with pytest.raises(AppDbMissing, match=r"folder .* does not exist"):
        open_appdb(url, create=True)
    assert not (tmp_path / "no").exists()


@pytest.mark.parametrize(
    ("url", "match"),
    [
        ("app.sqlite3", "expected scheme://"),
        ("mysql://h/db", "unknown scheme 'mysql'"),
        ("sqlite:///", "empty path"),
        ("postgresql://h/db?schema=bad-name", "bad schema name"),
        ("postgresql://h/db?schema=Upper", "bad schema name"),
    ],
)
def test_bad_urls_name_the_setting(url: str, match: str) -> None:
    with pytest.raises(SettingError, match=match) as e:
        open_appdb(url)
    assert "application database URL" in str(e.value)


def test_unreachable_postgres_is_one_clear_error() -> None:
    with pytest.raises(AppDbError, match=r"cannot connect to the PostgreSQL application database .*:1/"):
        open_appdb("postgresql://postgres:secret@127.0.0.1:1/test")
    try:
        open_appdb("postgresql://postgres:secret@127.0.0.1:1/test")
    except AppDbError as e:
        assert "secret" not in str(e)


def test_postgres_default_schema_is_public_url_untouched() -> None:
    postgres_available()
    with connect(PG_URL) as db:  # public exists: connect alone creates and changes nothing
        assert db.schema == "public"


def test_the_comparison_sees_a_drift(db) -> None:
    """The check above has teeth: a model column the migrations do not make, and a changed type, are diffs."""
    drifted = MetaData()
    for table in Base.metadata.sorted_tables:
        table.to_metadata(drifted)
    drifted.tables["principals"].append_column(Column("email", String(100)))
    drifted.tables["api_keys"].c.name.type = String(50)
    with db.engine.connect() as con:
        diffs = compare_metadata(MigrationContext.configure(con), drifted)
    kinds = {d[0] if isinstance(d, tuple) else d[0][0] for d in diffs}
    assert kinds == {"add_column", "modify_type"}


def test_concurrent_upgrades_both_succeed(url: str) -> None:
    connect(url, create=True).close()
    barrier = threading.Barrier(3)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            with connect(url) as db:
                barrier.wait()
                upgrade(db)
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and current_revision(url).at_head
