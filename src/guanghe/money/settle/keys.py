"""Reading the chart's account ids and the ``user_data`` layout out of ledger columns, vectorised.

A payee is a creator or an MCN agency; its key is one uint64: the entity id, with bit 63 set for an MCN
(creator and agency ids are positive 63-bit integers, as the warehouse keeps them).
"""

from __future__ import annotations

import numpy as np

from guanghe.money.chart import Kind, account_id

LOW48 = np.uint64((1 << 48) - 1)
LOW8 = np.uint64(0xFF)
MCN_BIT = np.uint64(1 << 63)
PAYABLE_KINDS = (int(Kind.CREATOR_PAYABLE), int(Kind.MCN_PAYABLE))
PAYEE_KINDS = {"creator": Kind.CREATOR_PAYABLE, "mcn": Kind.MCN_PAYABLE}


def kinds(acc: np.ndarray) -> np.ndarray:
    """Account kinds of a ``(n, 2)`` account-id column (``money.chart`` ids fit the low word)."""
    return (acc[:, 1] >> np.uint64(56)).astype(np.int64)


def entities(acc: np.ndarray) -> np.ndarray:
    return (acc[:, 1] >> np.uint64(8)) & LOW48


def subs(acc: np.ndarray) -> np.ndarray:
    return (acc[:, 1] & LOW8).astype(np.int64)


def payee_keys(acc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(is a payable, payee key) for each account id; entities of 2^63 and above are refused."""
    k = kinds(acc)
    payable = (k == Kind.CREATOR_PAYABLE) | (k == Kind.MCN_PAYABLE)
    ent = entities(acc)
    if (ent[payable] >= MCN_BIT).any():
        raise ValueError("a payable's entity id is 2^63 or more: payees are positive 63-bit ids")
    return payable, np.where(k == Kind.MCN_PAYABLE, ent | MCN_BIT, ent)


def key_of(kind: str, entity: int) -> int:
    return entity | (1 << 63) if kind == "mcn" else entity


def split_key(key: int) -> tuple[str, int]:
    """``("creator" | "mcn", id)`` of a payee key."""
    return ("mcn", key & ~(1 << 63)) if key >> 63 else ("creator", key)


def payable_of(key: int) -> int:
    kind, entity = split_key(key)
    return account_id(PAYEE_KINDS[kind], entity)


def days(user_data: np.ndarray) -> np.ndarray:
    """Business days (days since 1970-01-01) of a ``user_data`` column (``money.ids`` layout)."""
    return (user_data[:, 0] >> np.uint64(40)).astype(np.int64)


def programs(user_data: np.ndarray) -> np.ndarray:
    return ((user_data[:, 0] >> np.uint64(24)) & np.uint64(0xFFFF)).astype(np.int64)
