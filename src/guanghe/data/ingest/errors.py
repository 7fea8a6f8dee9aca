"""The one error ingestion raises: a file (or the whole request) cannot be loaded at all."""

from __future__ import annotations


class IngestError(Exception):
    """A file could not be read or mapped to a table; the invocation loads nothing."""
