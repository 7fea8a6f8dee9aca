"""Vectorised builders of Arrow columns: strings from codes, hex fingerprints, dates and timestamps."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

_HEX = np.frombuffer(b"".join(f"{i:02x}".encode() for i in range(256)), dtype="S2")


def strings(values: tuple[str, ...], codes: np.ndarray) -> pa.Array:
    """values[codes] as an Arrow string column."""
    return pa.array(values, pa.string()).take(pa.array(codes.astype(np.int32, copy=False)))


def hex64(rng: np.random.Generator, n: int) -> pa.Array:
    """n random 64-bit fingerprints as 16-character lowercase hex strings (no per-row Python)."""
    raw = rng.integers(0, np.iinfo(np.uint64).max, n, dtype=np.uint64, endpoint=True)
    data = np.ascontiguousarray(_HEX[raw.view(np.uint8).reshape(n, 8)]).view(np.uint8)
    offsets = np.arange(0, 16 * (n + 1), 16, dtype=np.int32)
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data))


_TITLE_NUMBERS = 1000


def titles(categories: tuple[str, ...], codes: np.ndarray, numbers: np.ndarray) -> pa.Array:
    """Cheap titles such as 'food vlog #123': one take from a small table of all category x number titles."""
    table = pa.array([f"{c} vlog #{i}" for c in categories for i in range(_TITLE_NUMBERS)], pa.string())
    return table.take(
        pa.array(codes.astype(np.int32) * _TITLE_NUMBERS + (numbers % _TITLE_NUMBERS).astype(np.int32))
    )


def dates(days: np.ndarray) -> pa.Array:
    return pa.array(days.astype(np.int32, copy=False), pa.int32()).cast(pa.date32())


def timestamps(us: np.ndarray) -> pa.Array:
    return pa.array(us.astype(np.int64, copy=False), pa.int64()).cast(pa.timestamp("us"))


def optional_timestamps(us: np.ndarray) -> pa.Array:
    """Timestamps with -1 as null (a step that has not happened)."""
    us = np.asarray(us, np.int64)
    return pa.array(np.maximum(us, 0), pa.int64(), mask=us < 0).cast(pa.timestamp("us"))


def optional_dates(days: np.ndarray) -> pa.Array:
    """Dates with -1 as null."""
    days = np.asarray(days, np.int64)
    return pa.array(np.maximum(days, 0).astype(np.int32), pa.int32(), mask=days < 0).cast(pa.date32())
