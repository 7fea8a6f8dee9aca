"""Field ranges: a value outside its type is a caller bug, refused for the whole batch with LedgerError
(transfer outcomes such as a zero or negative amount have result codes instead)."""

from __future__ import annotations

from guanghe.ledger.types import AMOUNT_MAX, ID_MAX, Account, LedgerError, Transfer

_U32 = 2**32
_RANGES = (("ledger", _U32), ("code", _U32), ("timeout", _U32), ("flags", _U32), ("user_data", ID_MAX + 1),
           ("debit_account_id", ID_MAX + 1), ("credit_account_id", ID_MAX + 1), ("pending_id", ID_MAX + 1),
           ("id", ID_MAX + 1), ("timestamp", AMOUNT_MAX + 1))  # fmt: skip


def check_ranges(batch: list[Transfer]) -> None:
    """Refuse the whole batch (LedgerError) if a field is not an integer in its range: that is a caller bug,
    not a transfer outcome. Amounts are checked per transfer (negative, zero, overflow have result codes)."""
    u32, u128 = _U32, ID_MAX + 1
    for i, t in enumerate(batch):
        try:
            ok = (0 <= t.ledger < u32 and 0 <= t.code < u32 and 0 <= t.timeout < u32 and 0 <= t.flags < u32
                  and 0 <= t.id < u128 and 0 <= t.debit_account_id < u128 and 0 <= t.credit_account_id < u128
                  and 0 <= t.pending_id < u128 and 0 <= t.user_data < u128 and 0 <= t.timestamp <= AMOUNT_MAX
                  and type(t.amount) is int)  # fmt: skip
        except TypeError:
            ok = False
        if not ok:
            for name, bound in _RANGES:
                v = getattr(t, name)
                if not isinstance(v, int) or not 0 <= v < bound:
                    raise LedgerError(f"transfer #{i} (id {t.id!r}): {name} = {v!r}, expected an integer "
                                      f"0..{bound - 1}")  # fmt: skip
            raise LedgerError(f"transfer #{i} (id {t.id!r}): amount = {t.amount!r}, expected an integer")


def check_account_ranges(batch: list[Account]) -> None:
    for i, a in enumerate(batch):
        for name in ("id", "ledger", "code", "flags", "user_data"):
            v, bound = getattr(a, name), (ID_MAX + 1 if name in ("id", "user_data") else _U32)
            if not isinstance(v, int) or not 0 <= v < bound:
                raise LedgerError(
                    f"account #{i} (id {a.id!r}): {name} = {v!r}, expected an integer 0..{bound - 1}"
                )
