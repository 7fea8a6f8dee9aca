"""Logging through the standard ``logging`` module: one line per significant event, to standard error.

Modules log with ``logging.getLogger(__name__)`` (``guanghe.serve.plans``, ...); the CLI's ``--log-level``
(or ``GUANGHE_LOG_LEVEL``) sets the level of the ``guanghe`` logger.
"""

from __future__ import annotations

import logging
import sys

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is at the time (test runners swap it)."""

    _guanghe = True

    def __init__(self) -> None:
        super().__init__()

    @property  # type: ignore[override]
    def stream(self) -> object:
        return sys.stderr

    @stream.setter
    def stream(self, value: object) -> None:
        pass


def setup_logging(level: str = "WARNING") -> logging.Logger:
    """Send the ``guanghe`` loggers to standard error at ``level``; an unknown level is a ValueError."""
    name = level.upper()
    if name not in LEVELS:
        raise ValueError(f"unknown level {level!r}: expected one of {', '.join(LEVELS)}")
    root = logging.getLogger("guanghe")
    root.setLevel(name)
    if not any(getattr(h, "_guanghe", False) for h in root.handlers):
        handler = _StderrHandler()
        handler.setFormatter(logging.Formatter(FORMAT, "%Y-%m-%dT%H:%M:%S%z"))
        root.addHandler(handler)
    return root
