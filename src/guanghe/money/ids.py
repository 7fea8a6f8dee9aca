"""Deterministic transfer ids and the ``user_data`` layout: a rerun, an overlap or a retry of any money step
derives the same ids, so the ledger answers ``exists`` and nothing is applied twice.

Two kinds of transfer id, never equal (bit 126 tells them apart):

- an event's step (accrual, ``event_transfer_id`` / ``event_ids``): its parts side by side, bit 126 set —
  ``1 << 126 | code << 116 | source << 112 | step << 108 | program << 92 | (day + 1) << 68 | key``: the code
  (10 bits), source table (4), step (4, ``STEPS``), program code (16), the id's business day + 1 (24; 0 = no
  day) and the event's key (64). Computed for a whole batch with numpy, and ids of one kind of step sort by
  their event, so the ledger's id index grows at its ends rather than at random places;
- anything else (settlement, markers, payouts: ``transfer_id``): a 126-bit hash of its parts.

``user_data`` (128 bits) = ``day << 104 | program << 88 | source << 80 | key``: the business day the money
moved for (days since 1970-01-01, 24 bits), the program's code (16 bits, 0 = none), the source table (8 bits,
``SOURCES``) and the event's key (80 bits: an order id, a work id, a creator id ...).

>>> ref = parse_user_data(user_data(date(2023, 6, 1), "guanghe", "ecommerce_orders", 77))
>>> (ref.day, ref.source, ref.key)
(datetime.date(2023, 6, 1), 'ecommerce_orders', 77)
>>> hex(event_transfer_id(201, "ecommerce_orders", 77, None, "hold"))
'0x4c92100000000000000000000000004d'
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from hashlib import blake2b

import numpy as np

from guanghe.data.money_schema import CHANNELS
from guanghe.money.chart import program_code

EPOCH = date(1970, 1, 1)
KEY_MAX = 2**80 - 1
# source table -> code (never renumber: the codes are stored in the ledger)
SOURCES: dict[str, int] = {
    "ad_revenue": 1, "ecommerce_orders": 2, "local_life_orders": 3, "cash_grants": 4, "plan": 5,
    "brand_orders": 6, "task_rewards": 7, "mcn_contracts": 8, "settlement": 9, "funding": 10,
    "market_orders": 11,
}  # fmt: skip
SOURCE_NAMES = {v: k for k, v in SOURCES.items()}
# steps of an event's life, by their index in event ids (never reorder); a funding's step is its channel
STEPS: tuple[str, ...] = ("", "hold", "post", "void", *CHANNELS)
HOLD = STEPS.index("hold")
CODE_MAX, DAY_MAX = 2**10 - 1, 2**24 - 2
_EVENT = np.uint64(1 << 62)  # bit 126 of the id, in its high word


@dataclass(frozen=True)
class Ref:
    """What a transfer was for, read back from its ``user_data``."""

    day: date
    program_code: int
    source: str
    key: int

    @property
    def source_ref(self) -> str:
        return f"{self.source}/{self.key}"


def day_number(day: date) -> int:
    return (day - EPOCH).days


def user_data(day: date, program: str | None, source: str, key: int) -> int:
    if not 0 <= key <= KEY_MAX:
        raise ValueError(f"event key {key} of {source} does not fit 80 bits")
    code = program_code(program) if program else 0
    return day_number(day) << 104 | code << 88 | SOURCES[source] << 80 | key


def parse_user_data(value: int) -> Ref:
    return Ref(
        EPOCH + timedelta(days=value >> 104),
        (value >> 88) & 0xFFFF,
        SOURCE_NAMES[(value >> 80) & 0xFF],
        value & KEY_MAX,
    )


def transfer_id(
    code: int, source: str, key: int, day: date | None = None, step: str = "", program: str = ""
) -> int:
    """The id of a settlement-side transfer (or any step outside ``STEPS``) with ``code`` for ``key`` of
    ``source`` and a ``step`` of its life (``"paid:<payout>"``, a month ...): a 126-bit hash, never 0."""
    text = f"{code}|{source}|{key}|{day.isoformat() if day else ''}|{step}|{program}"
    value = int.from_bytes(blake2b(text.encode(), digest_size=16).digest(), "big") >> 2
    return value or 1


def event_ids(
    code: np.ndarray, source: np.ndarray, step: np.ndarray, program: np.ndarray, day: np.ndarray,
    key: np.ndarray,
) -> list[int]:  # fmt: skip
    """Ids of event steps, one per row: ``code``, ``source`` (``SOURCES`` codes), ``step`` (``STEPS``
    indexes), ``program`` codes, ``day`` (days since 1970-01-01, -1: none) and ``key`` (0 .. 2^63-1)."""
    return [h << 64 | k for h, k in zip(_high(code, source, step, program, day).tolist(),
                                         key.astype(np.uint64).tolist(), strict=True)]  # fmt: skip


def _high(code, source, step, program, day) -> np.ndarray:
    u = np.uint64
    return (_EVENT | code.astype(u) << u(52) | source.astype(u) << u(48) | step.astype(u) << u(44)
            | program.astype(u) << u(28) | (day.astype(np.int64) + 1).astype(u) << u(4))  # fmt: skip


def event_transfer_id(
    code: int, source: str, key: int, day: date | None = None, step: str = "", program: str = ""
) -> int:
    """The id of one event step (see the module): ``event_ids`` for a single row, checked."""
    if not 0 < code <= CODE_MAX or not 0 <= key < 2**63 or step not in STEPS:
        raise ValueError(f"event transfer id: code {code}, key {key} or step {step!r} out of range")
    n = day_number(day) if day else -1
    prog = program_code(program) if program else 0
    one = [np.array([v]) for v in (code, SOURCES[source], STEPS.index(step), prog, n)]
    return event_ids(*one, np.array([key], np.int64))[0]
