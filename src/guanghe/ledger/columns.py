"""Bulk reads as columns: many transfers or accounts as numpy arrays instead of one object per row.

A 128-bit value (id, account id, pending id, user_data) is a ``(n, 2)`` uint64 array: column 0 the high 64
bits, column 1 the low 64 bits (``u128(arr, i)`` gives row ``i`` back as a Python int); amounts, codes, flags
and timestamps are int64. Stores fill these from one SQL statement (one snapshot): SQLite row by row in pages,
PostgreSQL from a binary ``COPY`` whose rows all have the same width, parsed by numpy in one go.

>>> ids = np.array([[1, 2]], dtype=np.uint64)
>>> u128(ids, 0) == (1 << 64) + 2
True
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import numpy as np

U128, I64 = "u128", "i64"
TRANSFER_KINDS = (
    ("id", U128),
    ("debit_account_id", U128),
    ("credit_account_id", U128),
    ("amount", I64),
    ("pending_id", U128),
    ("user_data", U128),
    ("ledger", I64),
    ("code", I64),
    ("flags", I64),
    ("timeout", I64),
    ("ts", I64),
)
ACCOUNT_KINDS = (
    ("id", U128),
    ("ledger", I64),
    ("code", I64),
    ("flags", I64),
    ("debits_pending", I64),
    ("debits_posted", I64),
    ("credits_pending", I64),
    ("credits_posted", I64),
)


def u128(arr: np.ndarray, i: int) -> int:
    """Row ``i`` of a ``(n, 2)`` uint64 column as a Python int."""
    return int(arr[i, 0]) << 64 | int(arr[i, 1])


def u128_array(values: list[int]) -> np.ndarray:
    """Python ints (0..2^128-1) as a ``(n, 2)`` uint64 column."""
    out = np.empty((len(values), 2), dtype=np.uint64)
    for i, v in enumerate(values):
        out[i, 0], out[i, 1] = v >> 64, v & 0xFFFFFFFFFFFFFFFF
    return out


def sort_key(arr: np.ndarray) -> np.ndarray:
    """A ``(n, 2)`` uint64 column as 16-byte big-endian strings: numpy compares them in numeric order, so
    ``np.searchsorted`` / ``np.isin`` / ``np.unique`` work on 128-bit values."""
    return np.ascontiguousarray(arr.astype(">u8")).view("S16").reshape(-1)


class _Columns:
    def __len__(self) -> int:
        return len(getattr(self, fields(self)[0].name))  # type: ignore[arg-type]

    def take(self, which: Any) -> Any:
        """The rows a boolean mask or an index array selects."""
        picked = {f.name: getattr(self, f.name)[which] for f in fields(self)}  # type: ignore[arg-type]
        return type(self)(**picked)

    @classmethod
    def from_list(cls, arrays: list[np.ndarray]) -> Any:
        return cls(*arrays)

    @classmethod
    def concat(cls, parts: list[Any]) -> Any:
        kinds = dict(TRANSFER_KINDS if cls is TransferColumns else ACCOUNT_KINDS)
        if not parts:
            return cls(*(empty(kinds[f.name]) for f in fields(cls)))
        return cls(*(np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(cls)))


def empty(kind: str) -> np.ndarray:
    return np.empty((0, 2), dtype=np.uint64) if kind == U128 else np.empty(0, dtype=np.int64)


@dataclass
class TransferColumns(_Columns):
    """Transfers in timestamp order, one array per field (see the module docstring for 128-bit columns)."""

    id: np.ndarray
    debit_account_id: np.ndarray
    credit_account_id: np.ndarray
    amount: np.ndarray
    pending_id: np.ndarray
    user_data: np.ndarray
    ledger: np.ndarray
    code: np.ndarray
    flags: np.ndarray
    timeout: np.ndarray
    ts: np.ndarray


@dataclass
class AccountColumns(_Columns):
    """Accounts in id order with their four balances (now, or as of a timestamp: ``balances_as_of``)."""

    id: np.ndarray
    ledger: np.ndarray
    code: np.ndarray
    flags: np.ndarray
    debits_pending: np.ndarray
    debits_posted: np.ndarray
    credits_pending: np.ndarray
    credits_posted: np.ndarray


def rows_to_columns(rows: list[tuple], kinds: tuple[tuple[str, str], ...], dec_int: bool) -> list[np.ndarray]:
    """Rows of Python values (128-bit values as 16-byte big-endian ``bytes``, ``None`` = 0, or as ints when
    the store keeps small ids as integers: ``dec_int``) as one array per column."""
    out = []
    zero = bytes(16)
    for j, (_, kind) in enumerate(kinds):
        col = [r[j] for r in rows]
        if kind == I64:
            out.append(np.array(col, dtype=np.int64))
            continue
        if dec_int:
            raw = b"".join(
                v if type(v) is bytes else zero if v is None else v.to_bytes(16, "big") for v in col
            )
        else:
            raw = b"".join(zero if v is None else bytes(v) for v in col)
        out.append(np.frombuffer(raw, dtype=">u8").reshape(-1, 2).astype(np.uint64))
    return out


def copy_dtype(kinds: tuple[tuple[str, str], ...]) -> np.dtype:
    """The numpy dtype of one row of a binary ``COPY`` of fixed-width columns (16-byte bytea, int8)."""
    spec: list[tuple[str, str] | tuple[str, str, int]] = [("_n", ">i2")]
    for name, kind in kinds:
        spec.append((f"_{name}_len", ">i4"))
        spec.append((name, ">u8", 2) if kind == U128 else (name, ">i8"))  # type: ignore[arg-type]
    return np.dtype(spec)


def copy_to_columns(block: np.ndarray, kinds: tuple[tuple[str, str], ...]) -> list[np.ndarray]:
    """Parsed ``COPY`` rows (``copy_dtype``) as native arrays, checking every field had its full width."""
    out = []
    for name, kind in kinds:
        width = 16 if kind == U128 else 8
        if len(block) and not (block[f"_{name}_len"] == width).all():
            raise ValueError(f"COPY column {name}: a value is not {width} bytes wide")
        out.append(block[name].astype(np.uint64 if kind == U128 else np.int64))
    return out
