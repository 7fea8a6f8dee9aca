"""Creator tiers by follower count — shared vocabulary for metrics, programs and reports.

>>> tier_of(12_000)
'waist'
"""

from __future__ import annotations

# (name, lower bound inclusive), highest first.
TIERS: tuple[tuple[str, int], ...] = (("head", 1_000_000), ("waist", 10_000), ("tail", 0))
TEN_K = 10_000


def tier_of(followers: int) -> str:
    return next(name for name, low in TIERS if followers >= low)
