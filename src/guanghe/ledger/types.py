"""Accounts, transfers, flags and result codes (modelled on TigerBeetle's data model).

>>> AccountFlags.parse("debits_must_not_exceed_credits")
<AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS: 2>
>>> AccountCode.parse("creator_balance")
1
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, IntFlag, StrEnum

from guanghe.config import StoreMissing

ID_MAX = 2**128 - 1  # reserved, like TigerBeetle's u128 max
AMOUNT_MAX = 2**63 - 1  # amounts and balances are signed 64-bit integers in both stores
POST_FULL = AMOUNT_MAX  # a post's amount meaning "the full pending amount" (TigerBeetle's AMOUNT_MAX)
CNY = 156  # ISO 4217 numeric code; the ledger field of an account or transfer


class LedgerError(Exception):
    """Bad configuration or input outside the per-transfer result codes."""


class LedgerMissing(LedgerError, StoreMissing):
    """A read named a ledger that does not exist (reads never create one)."""


class AccountFlags(IntFlag):
    NONE = 0
    DEBITS_MUST_NOT_EXCEED_CREDITS = 2
    CREDITS_MUST_NOT_EXCEED_DEBITS = 4

    @classmethod
    def parse(cls, name: str) -> AccountFlags:
        try:
            return cls[name.strip().upper()]
        except KeyError:
            raise LedgerError(
                f"unknown account flag {name!r}: expected one of {', '.join(_names(cls))}"
            ) from None


class TransferFlags(IntFlag):
    NONE = 0
    LINKED = 1
    PENDING = 2
    POST_PENDING_TRANSFER = 4
    VOID_PENDING_TRANSFER = 8


class AccountCode(IntEnum):
    """Kinds of account (any positive integer is accepted; these are the named ones)."""

    CREATOR_BALANCE = 1
    BRAND_ESCROW = 2
    PROGRAM_BUDGET = 3
    PLATFORM_REVENUE = 4
    PAYOUT_CLEARING = 5
    BRAND_FUNDING = 6
    AFFILIATE_HOLD = 7

    @classmethod
    def parse(cls, text: str) -> int:
        if text.isdigit() and int(text) > 0:
            return int(text)
        try:
            return int(cls[text.strip().upper()])
        except KeyError:
            raise LedgerError(
                f"unknown account code {text!r}: expected a positive integer or one of "
                f"{', '.join(_names(cls))}"
            ) from None


def code_name(code: int) -> str:
    try:
        return AccountCode(code).name.lower()
    except ValueError:
        return str(code)


def _names(enum: type) -> list[str]:
    return [m.name.lower() for m in enum if m.name and m.name != "NONE"]


@dataclass(frozen=True, slots=True)
class Account:
    id: int
    ledger: int
    code: int
    flags: int = 0
    user_data: int = 0
    debits_pending: int = 0
    debits_posted: int = 0
    credits_pending: int = 0
    credits_posted: int = 0
    timestamp: int = 0

    @property
    def balance(self) -> int:
        """Posted credits minus posted debits (a liability account's spendable balance)."""
        return self.credits_posted - self.debits_posted


@dataclass(frozen=True, slots=True)
class Transfer:
    id: int
    debit_account_id: int = 0
    credit_account_id: int = 0
    amount: int = 0
    pending_id: int = 0
    user_data: int = 0
    ledger: int = 0
    code: int = 0
    flags: int = 0
    timeout: int = 0  # seconds, pending transfers only; 0 = never expires
    timestamp: int = 0  # nanoseconds since the epoch, assigned by the ledger

    @property
    def is_posted(self) -> bool:
        """True if this transfer moved posted money (a plain transfer or a post of a pending one)."""
        return not self.flags & (TransferFlags.PENDING | TransferFlags.VOID_PENDING_TRANSFER)


@dataclass(frozen=True, slots=True)
class Pending:
    """Where a pending transfer stands: pending, posted, voided or expired (at most one resolution)."""

    id: int
    debit_account_id: int
    credit_account_id: int
    amount: int
    expires_at: int  # ns; 0 = never
    status: str = "pending"
    resolved_at: int = 0  # ledger timestamp of the resolution
    resolved_by: int = 0  # id of the post/void transfer; 0 for an expiry


@dataclass(frozen=True, slots=True)
class Balance:
    account_id: int
    debits_pending: int
    debits_posted: int
    credits_pending: int
    credits_posted: int
    as_of: int | None = None


class CreateAccountResult(StrEnum):
    """In TigerBeetle's order of precedence; ``ok`` is TigerBeetle's ``created``."""

    OK = "ok"
    TIMESTAMP_MUST_BE_ZERO = "timestamp_must_be_zero"
    RESERVED_FLAG = "reserved_flag"
    ID_MUST_NOT_BE_ZERO = "id_must_not_be_zero"
    ID_MUST_NOT_BE_INT_MAX = "id_must_not_be_int_max"
    EXISTS_WITH_DIFFERENT_FLAGS = "exists_with_different_flags"
    EXISTS_WITH_DIFFERENT_USER_DATA = "exists_with_different_user_data"
    EXISTS_WITH_DIFFERENT_LEDGER = "exists_with_different_ledger"
    EXISTS_WITH_DIFFERENT_CODE = "exists_with_different_code"
    EXISTS = "exists"
    FLAGS_ARE_MUTUALLY_EXCLUSIVE = "flags_are_mutually_exclusive"
    DEBITS_PENDING_MUST_BE_ZERO = "debits_pending_must_be_zero"
    DEBITS_POSTED_MUST_BE_ZERO = "debits_posted_must_be_zero"
    CREDITS_PENDING_MUST_BE_ZERO = "credits_pending_must_be_zero"
    CREDITS_POSTED_MUST_BE_ZERO = "credits_posted_must_be_zero"
    LEDGER_MUST_NOT_BE_ZERO = "ledger_must_not_be_zero"
    CODE_MUST_NOT_BE_ZERO = "code_must_not_be_zero"


class CreateTransferResult(StrEnum):
    """In TigerBeetle's order of precedence (the order the checks run in); ``ok`` is TigerBeetle's ``created``."""

    OK = "ok"
    LINKED_EVENT_FAILED = "linked_event_failed"
    LINKED_EVENT_CHAIN_OPEN = "linked_event_chain_open"
    TIMESTAMP_MUST_BE_ZERO = "timestamp_must_be_zero"
    RESERVED_FLAG = "reserved_flag"
    ID_MUST_NOT_BE_ZERO = "id_must_not_be_zero"
    ID_MUST_NOT_BE_INT_MAX = "id_must_not_be_int_max"
    EXISTS_WITH_DIFFERENT_FLAGS = "exists_with_different_flags"
    EXISTS_WITH_DIFFERENT_PENDING_ID = "exists_with_different_pending_id"
    EXISTS_WITH_DIFFERENT_TIMEOUT = "exists_with_different_timeout"
    EXISTS_WITH_DIFFERENT_DEBIT_ACCOUNT_ID = "exists_with_different_debit_account_id"
    EXISTS_WITH_DIFFERENT_CREDIT_ACCOUNT_ID = "exists_with_different_credit_account_id"
    EXISTS_WITH_DIFFERENT_AMOUNT = "exists_with_different_amount"
    EXISTS_WITH_DIFFERENT_USER_DATA = "exists_with_different_user_data"
    EXISTS_WITH_DIFFERENT_LEDGER = "exists_with_different_ledger"
    EXISTS_WITH_DIFFERENT_CODE = "exists_with_different_code"
    EXISTS = "exists"
    FLAGS_ARE_MUTUALLY_EXCLUSIVE = "flags_are_mutually_exclusive"
    DEBIT_ACCOUNT_ID_MUST_NOT_BE_ZERO = "debit_account_id_must_not_be_zero"
    DEBIT_ACCOUNT_ID_MUST_NOT_BE_INT_MAX = "debit_account_id_must_not_be_int_max"
    CREDIT_ACCOUNT_ID_MUST_NOT_BE_ZERO = "credit_account_id_must_not_be_zero"
    CREDIT_ACCOUNT_ID_MUST_NOT_BE_INT_MAX = "credit_account_id_must_not_be_int_max"
    ACCOUNTS_MUST_BE_DIFFERENT = "accounts_must_be_different"
    PENDING_ID_MUST_BE_ZERO = "pending_id_must_be_zero"
    PENDING_ID_MUST_NOT_BE_ZERO = "pending_id_must_not_be_zero"
    PENDING_ID_MUST_NOT_BE_INT_MAX = "pending_id_must_not_be_int_max"
    PENDING_ID_MUST_BE_DIFFERENT = "pending_id_must_be_different"
    TIMEOUT_RESERVED_FOR_PENDING_TRANSFER = "timeout_reserved_for_pending_transfer"
    AMOUNT_MUST_NOT_BE_NEGATIVE = "amount_must_not_be_negative"  # ours: Python integers have a sign
    LEDGER_MUST_NOT_BE_ZERO = "ledger_must_not_be_zero"
    CODE_MUST_NOT_BE_ZERO = "code_must_not_be_zero"
    DEBIT_ACCOUNT_NOT_FOUND = "debit_account_not_found"
    CREDIT_ACCOUNT_NOT_FOUND = "credit_account_not_found"
    ACCOUNTS_MUST_HAVE_THE_SAME_LEDGER = "accounts_must_have_the_same_ledger"
    LEDGER_MUST_MATCH = "ledger_must_match"  # TigerBeetle: transfer_must_have_the_same_ledger_as_accounts
    PENDING_TRANSFER_NOT_FOUND = "pending_transfer_not_found"
    PENDING_TRANSFER_NOT_PENDING = "pending_transfer_not_pending"
    PENDING_TRANSFER_HAS_DIFFERENT_DEBIT_ACCOUNT_ID = "pending_transfer_has_different_debit_account_id"
    PENDING_TRANSFER_HAS_DIFFERENT_CREDIT_ACCOUNT_ID = "pending_transfer_has_different_credit_account_id"
    PENDING_TRANSFER_HAS_DIFFERENT_LEDGER = "pending_transfer_has_different_ledger"
    PENDING_TRANSFER_HAS_DIFFERENT_CODE = "pending_transfer_has_different_code"
    EXCEEDS_PENDING_TRANSFER_AMOUNT = "exceeds_pending_transfer_amount"
    PENDING_TRANSFER_HAS_DIFFERENT_AMOUNT = "pending_transfer_has_different_amount"
    PENDING_TRANSFER_ALREADY_POSTED = "pending_transfer_already_posted"
    PENDING_TRANSFER_ALREADY_VOIDED = "pending_transfer_already_voided"
    PENDING_TRANSFER_EXPIRED = "pending_transfer_expired"
    OVERFLOWS_AMOUNT = "overflows_amount"  # ours: amount above AMOUNT_MAX (64-bit storage)
    OVERFLOWS_DEBITS_PENDING = "overflows_debits_pending"
    OVERFLOWS_CREDITS_PENDING = "overflows_credits_pending"
    OVERFLOWS_DEBITS_POSTED = "overflows_debits_posted"
    OVERFLOWS_CREDITS_POSTED = "overflows_credits_posted"
    OVERFLOWS_DEBITS = "overflows_debits"
    OVERFLOWS_CREDITS = "overflows_credits"
    OVERFLOWS_TIMEOUT = "overflows_timeout"
    EXCEEDS_CREDITS = "exceeds_credits"
    EXCEEDS_DEBITS = "exceeds_debits"


APPLIED = frozenset({CreateTransferResult.OK, CreateTransferResult.EXISTS})
