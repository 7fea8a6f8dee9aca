"""Alembic's entry point: migrate the connection ``guanghe.appdb.migrate`` hands over (online mode only)."""

from __future__ import annotations

from alembic import context

from guanghe.appdb import growth_models, market_models, web_models  # noqa: F401 - their tables join Base.metadata
from guanghe.appdb.models import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None or context.is_offline_mode():
    raise RuntimeError(
        "run the application database's migrations with guanghe db upgrade (online, one connection)"
    )

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    version_table_schema=config.attributes.get("schema"),
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
)
with context.begin_transaction():
    context.run_migrations()
