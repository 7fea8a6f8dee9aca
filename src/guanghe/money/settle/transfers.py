"""A month's settlement transfers, with ids from (contract or payee, month): MCN shares (creator payable ->
MCN payable), withholding (creator payable -> WITHHOLDING_TAX), payouts (PENDING payable -> PAYOUT_CLEARING).
Writing them again changes nothing (the ledger answers ``exists``); a transfer that exists with other fields
means the inputs changed since the month was first settled, and stops the run."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

import numpy as np

from guanghe.ledger import CNY, LedgerStore, Transfer, TransferFlags
from guanghe.money.chart import Kind, account_id, open_accounts
from guanghe.money.codes import code
from guanghe.money.ids import transfer_id, user_data
from guanghe.money.settle.compute import Statements
from guanghe.money.settle.keys import payable_of, split_key
from guanghe.money.settle.months import Month

log = logging.getLogger(__name__)
MCN_SHARE, WITHHOLDING, PAYOUT = code("mcn_share"), code("withholding"), code("payout")
TO_BANK = code("payout_to_bank")
TAX = account_id(Kind.WITHHOLDING_TAX)
CLEARING = account_id(Kind.PAYOUT_CLEARING)
BANK = account_id(Kind.BANK)
BATCH = 8_000


class SettleError(Exception):
    """The month cannot be settled (as asked); the message says why and what to do."""


def payout_id(key: int, month: Month) -> int:
    kind, entity = split_key(key)
    return transfer_id(PAYOUT, "settlement", entity, None, f"payout:{kind}:{month}")


def share_id(contract: int, month: Month) -> int:
    return transfer_id(MCN_SHARE, "mcn_contracts", contract, None, str(month))


def withholding_id(creator: int, month: Month) -> int:
    return transfer_id(WITHHOLDING, "settlement", creator, None, f"withholding:{month}")


def settlement_transfers(st: Statements, month: Month) -> list[Transfer]:
    """MCN shares, then withholding, then payouts, each in payee order."""
    out: list[Transfer] = []
    sh = st.shares
    for contract, creator, mcn, fen in zip(sh["contract_id"].tolist(), sh["creator_id"].tolist(),
                                           sh["mcn_id"].tolist(), sh["share_fen"].tolist(), strict=True):  # fmt: skip
        out.append(Transfer(share_id(contract, month), account_id(Kind.CREATOR_PAYABLE, creator),
                            account_id(Kind.MCN_PAYABLE, mcn), fen,
                            user_data=user_data(month.last, None, "mcn_contracts", contract), ledger=CNY,
                            code=MCN_SHARE))  # fmt: skip
    for key, tax in _pairs(st.payee, st.withholding):
        out.append(Transfer(withholding_id(key, month), payable_of(key), TAX, tax,
                            user_data=user_data(month.last, None, "settlement", key), ledger=CNY,
                            code=WITHHOLDING))  # fmt: skip
    for key, fen in _pairs(st.payee, st.payout):
        out.append(Transfer(payout_id(key, month), payable_of(key), CLEARING, fen,
                            user_data=user_data(month.last, None, "settlement", split_key(key)[1]), ledger=CNY,
                            code=PAYOUT, flags=TransferFlags.PENDING))  # fmt: skip
    return out


def _pairs(keys: np.ndarray, values: np.ndarray) -> Iterable[tuple[int, int]]:
    pick = np.flatnonzero(values > 0)
    return zip(keys[pick].tolist(), values[pick].tolist(), strict=True)


def write(
    ledger: LedgerStore, transfers: list[Transfer], tick: Callable[[int], None] = lambda n: None
) -> int:
    """Apply in batches; returns how many were new. Opens the accounts that may be new first (agencies'
    payables, withholding, clearing): a payee with money to settle has its payable already."""
    open_accounts(ledger, {TAX, CLEARING} | {t.credit_account_id for t in transfers if t.code == MCN_SHARE})
    new = 0
    for start in range(0, len(transfers), BATCH):
        batch = transfers[start : start + BATCH]
        results = ledger.create_transfers(batch)
        for t, r in zip(batch, results, strict=True):
            if r not in ("ok", "exists"):
                raise SettleError(
                    f"settlement transfer {t.id:032x} (code {t.code}, {t.amount} fen) refused: {r}"
                    + (" — the month was settled before with other inputs (MCN contracts, settlement rules or "
                       "programs changed since?)" if str(r).startswith("exists_with_different") else "")
                )  # fmt: skip
            new += r == "ok"
        tick(len(batch))
    log.info("settlement transfers: %d written, %d already there", new, len(transfers) - new)
    return new
