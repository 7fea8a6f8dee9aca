"""Hours-of-day delivery profiles: 24 weights for the hours 0..23 of the platform's day (its time zone,
``GUANGHE_TIMEZONE``), summing to 1, by name.

>>> round(sum(PROFILES["evening"]), 9)
1.0
"""

from __future__ import annotations


def normalise(weights: list[float] | tuple[float, ...]) -> tuple[float, ...]:
    total = float(sum(weights))
    return tuple(float(w) / total for w in weights)


# Raw shapes, by hour of the platform's own clock (a Chinese platform sets GUANGHE_TIMEZONE=Asia/Shanghai).
_RAW: dict[str, list[float]] = {
    "flat": [1.0] * 24,
    # viewing activity of a short-video audience: low at night, rising through the day, peak 19-23h
    "audience": [3, 2, 1, 1, 1, 1, 2, 2, 3, 3, 4, 4, 4, 4, 4, 5, 5, 6, 7, 8, 8, 8, 7, 5],
    # concentrated on the evening, 18-24h (with the tail of the night at 0h)
    "evening": [3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 4, 6, 8, 8, 7, 5],
    # daytime 09-18h: shopping and local-life hours
    "daytime": [1, 1, 1, 1, 1, 1, 1, 1, 1, 4, 5, 5, 5, 4, 4, 5, 5, 5, 4, 2, 1, 1, 1, 1],
}
PROFILES: dict[str, tuple[float, ...]] = {name: normalise(w) for name, w in _RAW.items()}
