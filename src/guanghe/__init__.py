"""Guanghe (光合): the open-source creator growth engine."""

__version__ = "0.1.0"
