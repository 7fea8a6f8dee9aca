"""Hours-of-day delivery profiles: 24 UTC-hour weights summing to 1, by name.

>>> round(sum(PROFILES["evening"]), 9)
1.0
"""

from __future__ import annotations


def normalise(weights: list[float] | tuple[float, ...]) -> tuple[float, ...]:
    total = float(sum(weights))
    return tuple(float(w) / total for w in weights)


# Raw shapes (relative audience by UTC hour; China is UTC+8, so UTC 11-15 is the 19-23h evening peak).
_RAW: dict[str, list[float]] = {
    "flat": [1.0] * 24,
    # viewing activity of a short-video audience, UTC hours 0..23 (local 08..07)
    "audience": [3, 3, 4, 4, 4, 4, 4, 5, 5, 6, 7, 8, 8, 8, 7, 5, 3, 2, 1, 1, 1, 1, 2, 2],
    # concentrated on the local evening 18-24h (UTC 10-16)
    "evening": [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 4, 6, 8, 8, 7, 5, 3, 1, 1, 1, 1, 1, 1, 1],
    # local daytime 09-18h (UTC 01-10): shopping and local-life hours
    "daytime": [1, 4, 5, 5, 5, 4, 4, 5, 5, 5, 4, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
}
PROFILES: dict[str, tuple[float, ...]] = {name: normalise(w) for name, w in _RAW.items()}
