"""A month's settlement transfers, with ids from (contract or payee, month): MCN shares (creator payable ->
MCN payable), withholding (creator payable -> WITHHOLDING_TAX), payouts (PENDING payable -> PAYOUT_CLEARING).
Writing them again changes nothing (the ledger answers ``exists``); a transfer that exists with other fields
means the inputs changed since the month was first settled, and stops the run."""

from __future__ import annotations

import logging
from collections.abc import Callable

import numpy as np

from guanghe.ledger import CNY, LedgerStore, Transfer, TransferFlags
from guanghe.money.chart import Kind, account_id, open_accounts
from guanghe.money.codes import code
from guanghe.money.ids import transfer_id, user_data
from guanghe.money.settle.compute import Statements
from guanghe.money.settle.errors import SettleError
from guanghe.money.settle.keys import split_key
from guanghe.money.settle.months import Month

log = logging.getLogger(__name__)
MCN_SHARE, WITHHOLDING, PAYOUT = code("mcn_share"), code("withholding"), code("payout")
TO_BANK = code("payout_to_bank")
TAX = account_id(Kind.WITHHOLDING_TAX)
CLEARING = account_id(Kind.PAYOUT_CLEARING)
BANK = account_id(Kind.BANK)
BATCH = 8_000


def payout_id(key: int, month: Month | str) -> int:
    """The payout of a payee (``keys.py`` key) for a month."""
    kind, entity = split_key(key)
    return transfer_id(PAYOUT, "settlement", entity, None, f"payout:{kind}:{month}")


def share_id(contract: int, month: Month | str) -> int:
    return transfer_id(MCN_SHARE, "mcn_contracts", contract, None, str(month))


def withholding_id(creator: int, month: Month | str) -> int:
    return transfer_id(WITHHOLDING, "settlement", creator, None, f"withholding:{month}")


def settlement_transfers(st: Statements, month: Month) -> list[Transfer]:
    """Each payee's settlement transfers together — its MCN shares, its withholding, its payout — payees in
    key order (creators, then agencies), so a batch locks and updates each payable once."""
    sh = st.shares
    n = len(sh)
    tax, pay = np.flatnonzero(st.withholding > 0), np.flatnonzero(st.payout > 0)
    payee = np.concatenate([sh["creator_id"].to_numpy(np.uint64), st.payee[tax], st.payee[pay]])
    step = np.concatenate([np.zeros(n, np.int8), np.ones(len(tax), np.int8), np.full(len(pay), 2, np.int8)])
    amount = np.concatenate([sh["share_fen"].to_numpy(np.int64), st.withholding[tax], st.payout[pay]])
    ref = np.concatenate([sh["contract_id"].to_numpy(np.int64), np.zeros(len(tax) + len(pay), np.int64)])
    mcn = np.concatenate([sh["mcn_id"].to_numpy(np.int64), np.zeros(len(tax) + len(pay), np.int64)])
    order = np.lexsort((ref, step, payee))
    m = str(month)
    settled = user_data(month.last, None, "settlement", 0)
    shared = user_data(month.last, None, "mcn_contracts", 0)
    creator_kind, mcn_kind = Kind.CREATOR_PAYABLE, Kind.MCN_PAYABLE
    pending = int(TransferFlags.PENDING)
    out: list[Transfer] = []
    rows = zip(
        payee[order].tolist(),
        step[order].tolist(),
        amount[order].tolist(),
        ref[order].tolist(),
        mcn[order].tolist(),
        strict=True,
    )
    for key, s, fen, contract, agency in rows:
        entity = key & ~(1 << 63)
        payable = account_id(mcn_kind if key >> 63 else creator_kind, entity)
        if s == 0:
            agency_payable = account_id(mcn_kind, agency)
            ud = shared | contract
            out.append(
                Transfer(
                    share_id(contract, m),
                    payable,
                    agency_payable,
                    fen,
                    user_data=ud,
                    ledger=CNY,
                    code=MCN_SHARE,
                )
            )
        elif s == 1:
            ud = settled | entity
            out.append(
                Transfer(
                    withholding_id(entity, m), payable, TAX, fen, user_data=ud, ledger=CNY, code=WITHHOLDING
                )
            )
        else:
            ud = settled | entity
            out.append(
                Transfer(
                    payout_id(key, m),
                    payable,
                    CLEARING,
                    fen,
                    user_data=ud,
                    ledger=CNY,
                    code=PAYOUT,
                    flags=pending,
                )
            )
    return out


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
                    + (
                        " — the month was settled before with other inputs (MCN contracts, settlement "
                        "rules or programs changed since?)"
                        if str(r).startswith("exists_with_different")
                        else ""
                    )
                )
            new += r == "ok"
        tick(len(batch))
    log.info("settlement transfers: %d written, %d already there", new, len(transfers) - new)
    return new
