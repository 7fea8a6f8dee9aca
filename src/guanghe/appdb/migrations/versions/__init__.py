"""One module per revision, applied in order (Alembic skips this file)."""
