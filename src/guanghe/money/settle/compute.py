"""A month's statements, computed from the scanned postings and the ledger's balances at the cutoff, for
every payee at once (numpy): lines per (channel, program, line, earned month), MCN shares, withholding,
carried-forward balances and payouts.

carried forward = posted balance of the payable at the cutoff - postings not yet in a settled statement
                  - payouts still in payout at the cutoff
available       = carried forward + net income - MCN share - withholding (+ MCN income for an agency)
payout          = available when it is at least the threshold, else 0 (carried to the next month)
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

from guanghe.data.money_schema import CHANNELS
from guanghe.ledger.columns import AccountColumns, TransferColumns
from guanghe.money.codes import CODES
from guanghe.money.settle.errors import SettleError
from guanghe.money.settle.keys import MCN_BIT, payee_keys
from guanghe.money.settle.months import FIRST, month_index
from guanghe.money.settle.rules import SettlementRules
from guanghe.money.settle.scan import Scan
from guanghe.money.settle.tax import withhold_many

LC: tuple[tuple[str, str | None], ...] = (
    *((line, ch) for line in ("earning", "fee", "clawback") for ch in CHANNELS),
    ("other", None),
    ("mcn_share", None),
    ("withholding", None),
    ("mcn_income", None),
)
LC_INDEX = {v: i for i, v in enumerate(LC)}
OTHER, MCN_SHARE, WITHHOLDING, MCN_INCOME = (
    LC_INDEX[(k, None)] for k in ("other", "mcn_share", "withholding", "mcn_income")
)
CODE_LC = np.full(1024, OTHER, dtype=np.int64)
for _c in CODES:
    if _c.line is not None:
        CODE_LC[_c.value] = LC_INDEX[(_c.line, _c.channel)]
LC_LINE = np.array([line for line, _ in LC])


@dataclass
class Lines:
    payee: np.ndarray
    lc: np.ndarray  # index into LC: (line, channel)
    program: np.ndarray  # program code, 0 = none
    earned: np.ndarray  # Month.index of the postings' business days
    amount: np.ndarray  # signed for the payee
    postings: np.ndarray  # ledger transfers behind the line
    first_day: np.ndarray
    last_day: np.ndarray
    contract: np.ndarray  # MCN lines: the contract id, else 0
    counterparty: np.ndarray  # MCN lines: the agency (creator's line) or the creator (agency's line), else 0

    @classmethod
    def concat(cls, parts: list[Lines]) -> Lines:
        return cls(*(np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(cls)))


@dataclass
class Statements:
    payee: np.ndarray  # sorted payee keys
    carried: np.ndarray
    earnings: np.ndarray
    fees: np.ndarray
    clawbacks: np.ndarray
    other: np.ndarray
    net_income: np.ndarray
    mcn_share: np.ndarray
    mcn_income: np.ndarray
    withholding: np.ndarray
    available: np.ndarray
    payout: np.ndarray
    held: np.ndarray  # posted for days after the month by the cutoff: in a later statement
    postings: np.ndarray
    lines: Lines
    shares: pd.DataFrame

    def __len__(self) -> int:
        return len(self.payee)


def _sum(universe: np.ndarray, keys: np.ndarray, values: np.ndarray) -> np.ndarray:
    out = np.zeros(len(universe), dtype=np.int64)
    np.add.at(out, np.searchsorted(universe, keys), values)
    return out


def compute(
    sc: Scan,
    balances: AccountColumns,
    open_payouts: TransferColumns,
    shares: pd.DataFrame,
    rules: SettlementRules,
) -> Statements:
    cur, beyond = sc.current, sc.beyond
    payable, pkeys = payee_keys(balances.id)
    posted = (balances.credits_posted - balances.debits_posted)[payable]
    pkeys = pkeys[payable]
    _, okeys = payee_keys(open_payouts.debit_account_id)
    s_creator = shares["creator_id"].to_numpy(np.uint64)
    s_mcn = shares["mcn_id"].to_numpy(np.uint64) | MCN_BIT
    s_fen = shares["share_fen"].to_numpy(np.int64)
    universe = np.unique(np.concatenate([pkeys, okeys, cur.payee, beyond.payee, s_creator, s_mcn]))
    lc = CODE_LC[cur.code]
    line = LC_LINE[lc]
    by = {
        name: _sum(universe, cur.payee[line == name], cur.amount[line == name])
        for name in ("earning", "fee", "clawback", "other")
    }
    net = _sum(universe, cur.payee, cur.amount)
    count = np.bincount(np.searchsorted(universe, cur.payee), minlength=len(universe))
    held = _sum(universe, beyond.payee, beyond.amount)
    carried = _sum(universe, pkeys, posted) - net - held - _sum(universe, okeys, open_payouts.amount)
    mcn_share = _sum(universe, s_creator, s_fen)
    mcn_income = _sum(universe, s_mcn, s_fen)
    creator = universe < MCN_BIT
    withholding = np.where(creator, withhold_many(rules.withholding, net - mcn_share), 0)
    available = carried + net - mcn_share - withholding + mcn_income
    active = (count > 0) | (carried != 0) | (mcn_income != 0)
    payout = np.where(available >= rules.payout_threshold_fen, available, 0)
    pick = np.flatnonzero(active)
    lines = _lines(sc, universe, shares, withholding)
    keep = np.isin(lines.payee, universe[pick])
    return Statements(
        universe[pick],
        carried[pick],
        by["earning"][pick],
        by["fee"][pick],
        by["clawback"][pick],
        by["other"][pick],
        net[pick],
        mcn_share[pick],
        mcn_income[pick],
        withholding[pick],
        available[pick],
        payout[pick],
        held[pick],
        count[pick],
        Lines(*(getattr(lines, f.name)[keep] for f in fields(Lines))),
        shares,
    )


def _lines(sc: Scan, universe: np.ndarray, shares: pd.DataFrame, withholding: np.ndarray) -> Lines:
    cur = sc.current
    months = month_index(cur.day)
    if len(months) and months.min() < FIRST:
        raise SettleError(
            "a posting's business day (user_data) is before 2000-01-01: not a money-room posting"
        )
    idx = np.searchsorted(universe, cur.payee).astype(np.int64)
    key = idx << 34 | CODE_LC[cur.code] << 28 | cur.program << 12 | (months - FIRST)
    uniq, inv = np.unique(key, return_inverse=True)
    n = len(uniq)
    amount = np.zeros(n, dtype=np.int64)
    np.add.at(amount, inv, cur.amount)
    first = np.full(n, np.iinfo(np.int64).max)
    last = np.full(n, np.iinfo(np.int64).min)
    np.minimum.at(first, inv, cur.day)
    np.maximum.at(last, inv, cur.day)
    zeros = np.zeros(n, dtype=np.int64)
    postings = Lines(
        universe[uniq >> 34],
        (uniq >> 28) & 0x3F,
        (uniq >> 12) & 0xFFFF,
        (uniq & 0xFFF) + FIRST,
        amount,
        np.bincount(inv, minlength=n).astype(np.int64),
        first,
        last,
        zeros,
        zeros,
    )
    m = sc.window.month
    last_day = int((np.datetime64(m.last, "D") - np.datetime64("1970-01-01", "D")).astype(np.int64))
    k = len(shares)
    ones, mday = np.ones(k, dtype=np.int64), np.full(k, last_day, dtype=np.int64)
    contract = shares["contract_id"].to_numpy(np.int64)
    creator, mcn = shares["creator_id"].to_numpy(np.int64), shares["mcn_id"].to_numpy(np.int64)
    fen = shares["share_fen"].to_numpy(np.int64)
    share_lines = Lines(
        creator.astype(np.uint64),
        np.full(k, MCN_SHARE),
        np.zeros(k, dtype=np.int64),
        np.full(k, m.index),
        -fen,
        ones,
        mday,
        mday,
        contract,
        mcn,
    )
    income_lines = Lines(
        mcn.astype(np.uint64) | MCN_BIT,
        np.full(k, MCN_INCOME),
        np.zeros(k, dtype=np.int64),
        np.full(k, m.index),
        fen,
        ones,
        mday,
        mday,
        contract,
        creator,
    )
    w = np.flatnonzero(withholding > 0)
    j = len(w)
    wd = np.full(j, last_day, dtype=np.int64)
    tax_lines = Lines(
        universe[w],
        np.full(j, WITHHOLDING),
        np.zeros(j, dtype=np.int64),
        np.full(j, m.index),
        -withholding[w],
        np.ones(j, dtype=np.int64),
        wd,
        wd,
        np.zeros(j, dtype=np.int64),
        np.zeros(j, dtype=np.int64),
    )
    return Lines.concat([postings, share_lines, income_lines, tax_lines])
