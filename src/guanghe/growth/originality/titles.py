"""Title shingles (character 3-grams, so Chinese titles need no word segmentation) and their Jaccard
similarity; MinHash signatures estimate it for the near-duplicate title index of ``scan``.

>>> round(jaccard("food vlog #123", "food vlog #123 (repost)"), 2)  # 12 shared of 21, jaccard("做饭日记", "做饭日记")
(0.57, 1.0)
"""

from __future__ import annotations

import unicodedata
import zlib

import numpy as np

N = 3
PERMUTATIONS = 64
_PRIME = (1 << 61) - 1
_RNG = np.random.default_rng(61)
_A = _RNG.integers(1, _PRIME, PERMUTATIONS, dtype=np.uint64)
_B = _RNG.integers(0, _PRIME, PERMUTATIONS, dtype=np.uint64)


def shingles(title: str | None) -> frozenset[str]:
    t = " ".join(unicodedata.normalize("NFKC", title or "").lower().split())
    if not t:
        return frozenset()
    return frozenset(t[i : i + N] for i in range(max(len(t) - N + 1, 1)))


def jaccard(a: str | None, b: str | None) -> float:
    return set_jaccard(shingles(a), shingles(b))


def set_jaccard(x: frozenset[str], y: frozenset[str]) -> float:
    """Jaccard similarity of two shingle sets (0 when either is empty)."""
    if not x or not y:
        return 0.0
    common = len(x & y)
    return common / (len(x) + len(y) - common)


def minhash(title: str | None) -> np.ndarray:
    """PERMUTATIONS minimum hash values of the title's shingles ((a * crc + b) mod 2^61 - 1)."""
    s = shingles(title)
    if not s:
        return np.full(PERMUTATIONS, _PRIME, np.uint64)
    x = np.array([zlib.crc32(g.encode()) for g in s], np.uint64)
    return ((np.multiply.outer(_A, x) + _B[:, None]) % np.uint64(_PRIME)).min(axis=1)


def estimated_jaccard(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.mean(a == b))
