"""The chart of accounts, declared once: account kinds and deterministic account ids.

An account id is ``kind << 56 | entity << 8 | sub``: the kind (7 bits), the entity it belongs to (a creator,
MCN, merchant, store, brand id or a program code; 48 bits, so ids up to 281,474,976,710,655) and a
sub-account (8 bits; a channel's index for platform revenue). Every id is below 2^63: the SQLite ledger keeps
it as an INTEGER (8 bytes, compared as a number) rather than a 16-byte BLOB. The same id for the same account
on every run, so accounts are opened lazily and idempotently (``open_accounts``).

>>> hex(account_id(Kind.CREATOR_PAYABLE, 42))
'0x1400000000002a00'
>>> parse_account(account_id(Kind.CREATOR_PAYABLE, 42))
(<Kind.CREATOR_PAYABLE: 20>, 42, 0)
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import IntEnum
from hashlib import blake2b

import numpy as np

from guanghe.data.money_schema import CHANNELS, ENTITY_MAX
from guanghe.ledger import CNY, Account, AccountFlags, CreateAccountResult, LedgerStore

SUB_MAX = 2**8 - 1


class Kind(IntEnum):
    """Kinds of account; the value is the ledger account's ``code``."""

    AD_POOL = 10  # gross ad revenue (磁力万合) is paid out of here: creators' share and the platform's
    PLATFORM_REVENUE = 11  # sub = channel index (CHANNELS): the platform's take and fees, per channel
    PLATFORM_FUNDING = 12  # the platform's own money that funds program and task budgets
    PROGRAM_BUDGET = 13  # entity = program_code(name): a program's cash budget (never overspent)
    TASK_BUDGET = 14  # the task center's reward budget (never overspent)
    CREATOR_PAYABLE = 20  # entity = creator id: what the platform owes the creator (pending side: held money)
    MCN_PAYABLE = 21  # entity = MCN agency id
    MERCHANT = 30  # entity = merchant id: pays affiliate commissions
    STORE = 31  # entity = store id: pays local-life commissions
    BRAND = 32  # entity = brand id: pays brand deals
    BRAND_ESCROW = 33  # entity = brand id: money held for the brand's funded marketplace orders
    WITHHOLDING_TAX = 40  # tax withheld from creators, owed to the tax authority
    PAYOUT_CLEARING = 41  # payouts sent to the bank, awaiting its result
    BANK = 42  # money that left the platform (confirmed payouts)
    SETTLEMENT_CONTROL = 50  # sub 0 and 1: zero-amount settlement markers (cutoffs) move between them


# Budgets never overspend; the external sources never take back more than they paid.
FLAGS: dict[Kind, AccountFlags] = {
    Kind.PROGRAM_BUDGET: AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS,
    Kind.TASK_BUDGET: AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS,
    Kind.MERCHANT: AccountFlags.CREDITS_MUST_NOT_EXCEED_DEBITS,
    Kind.STORE: AccountFlags.CREDITS_MUST_NOT_EXCEED_DEBITS,
    Kind.BRAND: AccountFlags.CREDITS_MUST_NOT_EXCEED_DEBITS,
    Kind.BRAND_ESCROW: AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS,  # pays out at most what it holds
    Kind.AD_POOL: AccountFlags.CREDITS_MUST_NOT_EXCEED_DEBITS,
}


def account_id(kind: Kind, entity: int = 0, sub: int = 0) -> int:
    if not 0 <= entity <= ENTITY_MAX or not 0 <= sub <= SUB_MAX:
        raise ValueError(
            f"account {kind.name}: entity {entity} or sub {sub} out of range (0..{ENTITY_MAX}, 0..{SUB_MAX})"
        )
    return int(kind) << 56 | entity << 8 | sub


def account_ids(kind: np.ndarray, entity: np.ndarray, sub: np.ndarray) -> np.ndarray:
    """``account_id`` of every row (int64; the caller keeps entities and subs in range)."""
    return kind.astype(np.int64) << 56 | entity.astype(np.int64) << 8 | sub.astype(np.int64)


def parse_account(account: int) -> tuple[Kind, int, int]:
    """(kind, entity, sub) of an account id made by ``account_id``."""
    return Kind(account >> 56), (account >> 8) & ENTITY_MAX, account & SUB_MAX


def program_code(name: str) -> int:
    """A program's 16-bit code (1..65535), stable across runs: the entity of its budget account and the program
    field of ``user_data``. Two loaded programs with the same code are refused (``check_program_codes``)."""
    return int.from_bytes(blake2b(name.encode(), digest_size=2).digest(), "big") or 1


def check_program_codes(names: Iterable[str]) -> dict[int, str]:
    """code -> name for the given programs; a collision is a ValueError naming both."""
    out: dict[int, str] = {}
    for n in names:
        c = program_code(n)
        if c in out and out[c] != n:
            raise ValueError(f"programs {out[c]!r} and {n!r} share the code {c}: rename one")
        out[c] = n
    return out


def channel_index(channel: str) -> int:
    return CHANNELS.index(channel)


def platform_revenue(channel: str) -> int:
    return account_id(Kind.PLATFORM_REVENUE, 0, channel_index(channel))


def creator_payable(creator_id: int) -> int:
    return account_id(Kind.CREATOR_PAYABLE, creator_id)


def program_budget(program: str) -> int:
    return account_id(Kind.PROGRAM_BUDGET, program_code(program))


def account(account: int) -> Account:
    """The ledger account for an id of the chart (ledger CNY, code = kind, the kind's flags)."""
    kind = parse_account(account)[0]
    return Account(account, CNY, int(kind), int(FLAGS.get(kind, AccountFlags.NONE)))


def open_accounts(ledger: LedgerStore, ids: Iterable[int], known: set[int] | None = None) -> int:
    """Create the accounts that do not exist yet (idempotent: an existing account answers ``exists``);
    ``known`` caches ids opened before in this process. Returns how many were new."""
    todo = sorted({i for i in ids if known is None or i not in known})
    new = 0
    for start in range(0, len(todo), 8_000):
        chunk = todo[start : start + 8_000]
        results = ledger.create_accounts([account(i) for i in chunk])
        for i, r in zip(chunk, results, strict=True):
            if r not in (CreateAccountResult.OK, CreateAccountResult.EXISTS):
                raise ValueError(f"cannot open account {i:#x} ({parse_account(i)[0].name}): {r.value}")
            new += r == CreateAccountResult.OK
    if known is not None:
        known.update(todo)
    return new
