"""Alembic migrations of the application database, run by ``guanghe.appdb.migrate`` (``guanghe db upgrade``)."""
