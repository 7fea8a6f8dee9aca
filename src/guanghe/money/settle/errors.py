"""The settlement's one error: the month (or file, or payout) cannot be processed as asked."""

from __future__ import annotations


class SettleError(Exception):
    """The message says why and what to do (the CLI prints it as one line, exit 2)."""
