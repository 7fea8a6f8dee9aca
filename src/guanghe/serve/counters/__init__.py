"""Counter stores by URL: ``memory://`` (default) or ``redis://HOST:PORT/DB``."""

from __future__ import annotations

import os

from guanghe.serve.counters.base import Counters, Key

DEFAULT_COUNTERS = "memory://"


def open_counters(url: str | None = None, **options: object) -> Counters:
    url = url or os.environ.get("GUANGHE_COUNTERS", DEFAULT_COUNTERS)
    if url.startswith("memory://"):
        from guanghe.serve.counters.memory import MemoryCounters

        return MemoryCounters(url)
    if url.startswith(("redis://", "rediss://", "unix://")):
        try:
            from guanghe.serve.counters.redis import RedisCounters
        except ImportError as e:
            raise ValueError(
                f"counters URL {url!r} needs the redis client: pip install 'guanghe[redis]'"
            ) from e

        return RedisCounters(url, **options)  # type: ignore[arg-type]
    raise ValueError(f"counters URL {url!r}: expected memory:// or redis://HOST:PORT/DB")


__all__ = ["DEFAULT_COUNTERS", "Counters", "Key", "open_counters"]
