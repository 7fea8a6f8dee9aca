"""64-bit perceptual hashes: a DCT pHash of a small grayscale frame whose bits are coefficient signs, so the
horizontally mirrored frame's hash is exactly ``h ^ MIRROR_MASK``; Hamming distances; hex <-> uint64.

>>> import numpy as np
>>> img = np.random.default_rng(1).random((32, 32))
>>> phash(img[:, ::-1]) == mirror(phash(img)), int(distance(phash(img), phash(img + 0.01)))
(True, 0)
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

SIZE = 32  # frames are scaled to SIZE x SIZE grayscale before the DCT
LOW = 8  # the LOW x LOW lowest frequencies give the 64 bits


def _dct_matrix(n: int) -> np.ndarray:
    k = np.arange(n)[:, None]
    m = np.cos(np.pi * (2 * np.arange(n)[None, :] + 1) * k / (2 * n))
    m[0] /= np.sqrt(2)
    return m * np.sqrt(2 / n)


_D = _dct_matrix(SIZE)
# The 64 coefficients (u = row frequency, v = column frequency): the 8 x 8 low block with the DC term (0, 0)
# replaced by (0, 8), so every bit is the sign of an AC coefficient.
_U = np.array([u for u in range(LOW) for v in range(LOW)])
_V = np.array([v if (u, v) != (0, 0) else LOW for u in range(LOW) for v in range(LOW)])
_WEIGHTS = (np.uint64(1) << np.arange(64, dtype=np.uint64)).astype(np.uint64)
# A horizontal flip negates the coefficients of odd column frequency v: those bits flip.
MIRROR_MASK = np.uint64(int(sum(1 << i for i in range(64) if _V[i] % 2 == 1)))


def phash_many(frames: np.ndarray) -> np.ndarray:
    """(n, SIZE, SIZE) grayscale frames -> n uint64 hashes: bit i is 1 where coefficient i is > 0."""
    f = np.asarray(frames, np.float64)
    coef = np.einsum("ui,nij,vj->nuv", _D, f, _D, optimize=True)
    bits = coef[:, _U, _V] > 1e-9
    return (bits.astype(np.uint64) * _WEIGHTS).sum(axis=1, dtype=np.uint64)


def phash(frame: np.ndarray) -> int:
    return int(phash_many(np.asarray(frame)[None])[0])


def mirror(h: np.ndarray | int) -> np.ndarray | int:
    """The hash of the horizontally mirrored frame."""
    if isinstance(h, int):
        return h ^ int(MIRROR_MASK)
    return np.asarray(h, np.uint64) ^ MIRROR_MASK


def distance(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Hamming distances of uint64 arrays (broadcast)."""
    return np.bitwise_count(np.bitwise_xor(np.asarray(a, np.uint64), np.asarray(b, np.uint64))).astype(
        np.int64
    )


def to_hex(h: np.ndarray) -> list[str]:
    return [f"{int(x):016x}" for x in np.asarray(h, np.uint64)]


_NIBBLE = np.full(256, 255, np.uint8)
_NIBBLE[np.frombuffer(b"0123456789", np.uint8)] = np.arange(10)
_NIBBLE[np.frombuffer(b"abcdef", np.uint8)] = np.arange(10, 16)
_NIBBLE[np.frombuffer(b"ABCDEF", np.uint8)] = np.arange(10, 16)


class HexError(ValueError):
    """A fingerprint that is not 16-hex-digit words; ``row`` is its 0-based row."""

    def __init__(self, row: int, message: str) -> None:
        super().__init__(f"row {row}: {message}")
        self.row, self.message = row, message


def parse_hex_words(column: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """Strings of concatenated 16-hex-digit words (nulls and '' = none) -> (words as uint64, words per row).

    Vectorised over the column's data buffer; a row whose length is not a multiple of 16 or that holds a
    non-hex character raises HexError naming the row (0-based)."""
    arr = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    arr = arr.cast(pa.large_string()).fill_null("")
    offsets = np.frombuffer(arr.buffers()[1], np.int64)[arr.offset : arr.offset + len(arr) + 1]
    lengths = np.diff(offsets)
    bad = np.flatnonzero(lengths % 16)
    if len(bad):
        raise HexError(int(bad[0]), f"expected 16 hex digits per word, got {lengths[bad[0]]} characters")
    data = np.frombuffer(arr.buffers()[2], np.uint8)[offsets[0] : offsets[-1]]
    nib = _NIBBLE[data]
    if (nib == 255).any():
        at = int(np.searchsorted(offsets, offsets[0] + np.flatnonzero(nib == 255)[0], side="right") - 1)
        raise HexError(at, "not a hexadecimal fingerprint")
    nib = nib.reshape(-1, 16).astype(np.uint64)
    shifts = np.arange(60, -1, -4, dtype=np.uint64)
    words = np.bitwise_or.reduce(nib << shifts, axis=1) if len(nib) else np.zeros(0, np.uint64)
    return words.astype(np.uint64), (lengths // 16).astype(np.int64)
