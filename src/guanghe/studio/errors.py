"""The studio's one error type: bad input (unreadable media, empty text, unsupported language)."""

from __future__ import annotations


class StudioError(ValueError):
    """Input the studio cannot use, said in one line (the CLI exits 2 with it)."""


class ProviderError(StudioError):
    """The configured generative provider is missing, unreachable or answered something unusable."""
