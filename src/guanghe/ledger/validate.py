"""Field ranges: a value outside its type is a caller bug, refused for the whole batch with LedgerError
(transfer outcomes such as a negative amount have result codes instead).

>>> bound_text(2**32)
'0..2^32-1'
>>> check_id(-1, "account id")
Traceback (most recent call last):
...
guanghe.ledger.types.LedgerError: account id = -1, expected an integer 0..2^128-1
"""

from __future__ import annotations

from guanghe.ledger.types import AMOUNT_MAX, ID_MAX, Account, LedgerError, Transfer

U32 = 2**32
U128 = ID_MAX + 1
TIMESTAMP_END = AMOUNT_MAX + 1  # timestamps are signed 64-bit nanoseconds
_RANGES = (("ledger", U32), ("code", U32), ("timeout", U32), ("flags", U32), ("user_data", U128),
           ("debit_account_id", U128), ("credit_account_id", U128), ("pending_id", U128),
           ("id", U128), ("timestamp", TIMESTAMP_END))  # fmt: skip
_BOUND_TEXT = {U32: "0..2^32-1", U128: "0..2^128-1", TIMESTAMP_END: "0..2^63-1"}


def bound_text(bound: int) -> str:
    """``0..bound-1``, written with powers of two for the usual bounds."""
    return _BOUND_TEXT.get(bound, f"0..{bound - 1}")


def in_range(value: object, bound: int) -> bool:
    """An integer (not a bool) in ``0..bound-1``."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < bound


def check_id(value: object, what: str) -> int:
    """A 128-bit id (account, transfer) given to a read; LedgerError naming ``what`` if it is not one."""
    if not in_range(value, U128):
        raise LedgerError(f"{what} = {value!r}, expected an integer {bound_text(U128)}")
    return int(value)  # type: ignore[call-overload]


def check_ranges(batch: list[Transfer]) -> None:
    """Refuse the whole batch (LedgerError) if a field is not an integer in its range: that is a caller bug,
    not a transfer outcome. Amounts are checked per transfer (negative, overflow have result codes)."""
    u32, u128 = U32, U128
    for i, t in enumerate(batch):
        try:
            ok = (0 <= t.ledger < u32 and 0 <= t.code < u32 and 0 <= t.timeout < u32 and 0 <= t.flags < u32
                  and 0 <= t.id < u128 and 0 <= t.debit_account_id < u128 and 0 <= t.credit_account_id < u128
                  and 0 <= t.pending_id < u128 and 0 <= t.user_data < u128 and 0 <= t.timestamp <= AMOUNT_MAX
                  and type(t.amount) is int)  # fmt: skip
        except TypeError:
            ok = False
        if not ok:
            raise LedgerError(f"transfer #{i} (id {t.id!r}): {field_problem(t)}")


def field_problem(t: Transfer) -> str:
    """The first field of ``t`` outside its range, as ``name = value, expected ...`` ('' if none)."""
    for name, bound in _RANGES:
        v = getattr(t, name)
        if not in_range(v, bound):
            return f"{name} = {v!r}, expected an integer {bound_text(bound)}"
    if type(t.amount) is not int:
        return f"amount = {t.amount!r}, expected an integer"
    return ""


def check_account_ranges(batch: list[Account]) -> None:
    for i, a in enumerate(batch):
        for name in ("id", "ledger", "code", "flags", "user_data"):
            v, bound = getattr(a, name), (U128 if name in ("id", "user_data") else U32)
            if not in_range(v, bound):
                raise LedgerError(
                    f"account #{i} (id {a.id!r}): {name} = {v!r}, expected an integer {bound_text(bound)}"
                )
