"""Deterministic transfer ids and the ``user_data`` layout: a rerun, an overlap or a retry of any money step
derives the same ids, so the ledger answers ``exists`` and nothing is applied twice.

``user_data`` (128 bits) = ``day << 104 | program << 88 | source << 80 | key``: the business day the money
moved for (days since 1970-01-01, 24 bits), the program's code (16 bits, 0 = none), the source table (8 bits,
``SOURCES``) and the event's key (80 bits: an order id, a work id, a creator id ...).

>>> ref = parse_user_data(user_data(date(2023, 6, 1), "guanghe", "ecommerce_orders", 77))
>>> (ref.day, ref.source, ref.key)
(datetime.date(2023, 6, 1), 'ecommerce_orders', 77)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from hashlib import blake2b

from guanghe.money.chart import program_code

EPOCH = date(1970, 1, 1)
KEY_MAX = 2**80 - 1
# source table -> code (never renumber: the codes are stored in the ledger)
SOURCES: dict[str, int] = {
    "ad_revenue": 1, "ecommerce_orders": 2, "local_life_orders": 3, "cash_grants": 4, "plan": 5,
    "brand_orders": 6, "task_rewards": 7, "mcn_contracts": 8, "settlement": 9, "funding": 10,
}  # fmt: skip
SOURCE_NAMES = {v: k for k, v in SOURCES.items()}


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
    """The id of the transfer with ``code`` for an event (``source`` table, ``key``, business ``day``) and a
    step of its life (``"hold"``, ``"post"``, ``"void"``, a refund's day ...): a 127-bit hash, never 0."""
    text = f"{code}|{source}|{key}|{day.isoformat() if day else ''}|{step}|{program}"
    value = int.from_bytes(blake2b(text.encode(), digest_size=16).digest(), "big") >> 1
    return value or 1
