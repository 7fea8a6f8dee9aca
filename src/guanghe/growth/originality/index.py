"""Near-duplicate search over 64-bit hashes: bit-sampling LSH (``TABLES`` tables, each keyed by ``BITS``
fixed random bit positions), vectorised in numpy: sort the keys, pair the items of each bucket, keep the
pairs within ``max_bits`` Hamming distance (popcount). A mirrored match is the same search against the keys
of ``h ^ MIRROR_MASK`` (the key of a XOR is the XOR of the keys). Buckets with more than ``cap`` items (a
black frame, a shared intro) carry no evidence and are skipped, so no bucket costs more than cap^2/2 pairs.

P(a pair at distance d collides in one table) = C(64 - d, BITS) / C(64, BITS) ~ (1 - d/64)^BITS; with 4
frames per work, 16 tables of 24 bits find a pair of works whose frames differ by 5 bits with P ~ 0.997 (by
7 bits: ~ 0.87) and bring up ~ (2n)^2 / 2^25 random pairs per table, all removed by the popcount check. The
tables run on two threads (numpy's sort and ufuncs release the GIL).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from guanghe.growth.originality.hashing import MIRROR_MASK, distance

TABLES = 16
BITS = 24
CAP = 64
SEED = 20230811
WORKERS = 2


@dataclass(frozen=True)
class Lsh:
    tables: int = TABLES
    bits: int = BITS
    cap: int = CAP
    seed: int = SEED

    def luts(self) -> np.ndarray:
        """(tables, 8, 256) uint32: the key bits contributed by each byte value at each byte position."""
        rng = np.random.default_rng(self.seed)
        out = np.zeros((self.tables, 8, 256), np.uint32)
        values = np.arange(256)
        for t in range(self.tables):
            for k, pos in enumerate(np.sort(rng.choice(64, self.bits, replace=False))):
                byte, bit = divmod(int(pos), 8)
                out[t, byte] |= (((values >> bit) & 1) << k).astype(np.uint32)
        return out


def keys(lut: np.ndarray, h: np.ndarray) -> np.ndarray:
    """One table's keys of uint64 hashes."""
    b = np.ascontiguousarray(h, np.uint64).view(np.uint8).reshape(-1, 8)  # little-endian bytes
    k = lut[0][b[:, 0]]
    for i in range(1, 8):
        k |= lut[i][b[:, i]]
    return k


def _runs(starts: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """The positions start, start + 1, ..., start + size - 1 of every run, concatenated."""
    first = np.repeat(starts - (np.cumsum(sizes) - sizes), sizes)
    return first + np.arange(int(sizes.sum()))


def bucket_pairs(sorted_keys: np.ndarray, cap: int) -> tuple[np.ndarray, np.ndarray]:
    """Every pair of positions (p < q) of a sorted key array with equal keys, in buckets of 2..cap items.

    Only the positions equal to their successor are looked at (most buckets hold one item)."""
    eq = np.flatnonzero(sorted_keys[1:] == sorted_keys[:-1])
    if not len(eq):
        return eq, eq
    # A bucket of s items is a run of s - 1 consecutive positions in ``eq``.
    brk = np.flatnonzero(np.diff(eq) != 1) + 1
    first = np.concatenate([[0], brk])
    sizes = np.diff(np.concatenate([first, [len(eq)]])) + 1
    starts = eq[first]
    ok = sizes <= cap
    starts, sizes = starts[ok].astype(np.int64), sizes[ok].astype(np.int64)
    pos = _runs(starts, sizes)
    after = np.repeat(starts + sizes, sizes) - pos - 1
    left = np.repeat(pos, after)
    return left, left + 1 + _runs(np.zeros(len(after), np.int64), after)


def candidate_pairs(h: np.ndarray, max_bits: int, lsh: Lsh = Lsh(), mirrored: bool = True):
    """(i, j, bits, mirror) for item pairs (i < j) within ``max_bits`` of each other (``mirror``: the mirror
    of h[i] is near h[j]), each pair once per kind.

    Per table, one sort of ``key << 33 | mirrored << 32 | item`` (the items' keys and, for the mirror search,
    the keys of their mirrors) groups the buckets; a bucket's pairs of two mirrors repeat a direct pair and
    are dropped."""
    h = np.ascontiguousarray(h, np.uint64)
    n = len(h)
    if n >= 2**32:
        raise ValueError("at most 2^32 - 1 hashes per search")
    item = np.arange(n, dtype=np.uint64)
    mask = np.array([MIRROR_MASK], np.uint64)

    def one(lut: np.ndarray) -> np.ndarray:
        k = keys(lut, h).astype(np.uint64)
        packed = (k << np.uint64(33)) | item
        if mirrored:
            mk = k ^ np.uint64(keys(lut, mask)[0])
            packed = np.concatenate([packed, (mk << np.uint64(33)) | np.uint64(1 << 32) | item])
        packed.sort()
        p, q = bucket_pairs(packed >> np.uint64(33), lsh.cap)
        a, b = packed[p], packed[q]
        ma, mb = (a >> np.uint64(32)) & np.uint64(1), (b >> np.uint64(32)) & np.uint64(1)
        ia = (a & np.uint64(0xFFFFFFFF)).astype(np.int64)
        ib = (b & np.uint64(0xFFFFFFFF)).astype(np.int64)
        m = ma != mb
        keep = (ia != ib) & ~((ma == 1) & (mb == 1))
        ia, ib, m = ia[keep], ib[keep], m[keep]
        near = distance(np.where(m, h[ia] ^ MIRROR_MASK, h[ia]), h[ib]) <= max_bits
        i, j = np.minimum(ia[near], ib[near]), np.maximum(ia[near], ib[near])
        return (i << 33) | (j << 1) | m[near].astype(np.int64)

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        found = list(pool.map(one, lsh.luts()))
    if not found:
        return (np.zeros(0, np.int64),) * 3 + (np.zeros(0, bool),)
    u = np.unique(np.concatenate(found))
    i, j, m = u >> 33, (u >> 1) & (2**32 - 1), (u & 1).astype(bool)
    bits = distance(np.where(m, h[i] ^ MIRROR_MASK, h[i]), h[j])
    return i, j, bits, m
