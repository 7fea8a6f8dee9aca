"""``settle_month``: one month's statements, settlement transfers and payouts, reproducible after any crash.

Order of writes: the cutoff marker (fixes what the month reads), MCN shares, withholding, payouts, the done
marker, then the warehouse rows. Every id is deterministic, so a rerun at any point writes what is missing
and finds the rest (``exists``); a rerun of a finished month changes nothing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date

import numpy as np

from guanghe.data.warehouse import Warehouse
from guanghe.ledger import LedgerStore
from guanghe.ledger.columns import AccountColumns
from guanghe.money.chart import Kind
from guanghe.money.settle.compute import compute
from guanghe.money.settle.errors import SettleError
from guanghe.money.settle.keys import PAYABLE_KINDS, kinds
from guanghe.money.settle.markers import Mark, marker_id, settled_months, write_cutoff, write_done
from guanghe.money.settle.mcn import mcn_shares
from guanghe.money.settle.months import Month
from guanghe.money.settle.rows import line_rows, merge_all, month_row, payout_rows, statement_rows
from guanghe.money.settle.rules import SettlementRules
from guanghe.money.settle.scan import Window, scan
from guanghe.money.settle.transfers import PAYOUT, settlement_transfers, write

log = logging.getLogger(__name__)
Progress = Callable[[str, int, int], None]  # (step, done, total)


@dataclass
class SettleResult:
    month: str
    rerun: bool
    cutoff: int
    statements: int = 0
    creators: int = 0
    mcns: int = 0
    lines: int = 0
    postings: int = 0
    earnings_fen: int = 0
    fees_fen: int = 0
    clawbacks_fen: int = 0
    net_income_fen: int = 0
    mcn_share_fen: int = 0
    withholding_fen: int = 0
    payouts: int = 0
    payout_fen: int = 0
    carried_negative: int = 0  # payees starting next month below zero
    carried_fen: int = 0  # what all payees carry into the next month
    pending_fen: int = 0  # commissions held in their return windows at the cutoff (creators' pending credits)
    pending_creators: int = 0
    transfers_written: int = 0
    rows_inserted: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)


def settle_month(
    ledger: LedgerStore,
    wh: Warehouse,
    rules: SettlementRules,
    month: Month,
    today: date,
    programs: Mapping[int, str],
    progress: Progress | None = None,
    opening: bool = False,
) -> SettleResult:
    """Settle ``month`` (see the module). ``opening``: the first month ever settled opens the books and takes
    every earlier posting (a platform that starts settling with Guanghe in that month); refused once any
    month is settled."""
    clock = _Clock(progress)
    marks = settled_months(ledger)
    if opening and any(m != month for m in marks):
        first = min(marks)
        raise SettleError(
            f"--opening: {first} is settled already; only the first month settled opens the books"
        )
    mark = marks.get(month)
    prev = max((m for m in marks.values() if m.month < month), key=lambda m: m.month, default=None)
    if mark is None:
        _check_new(month, today, marks, prev)
        cutoff = ledger.last_timestamp()
    else:
        cutoff = mark.cutoff
    sc = scan(ledger, Window(month, cutoff, prev))
    clock.lap("scan")
    if mark is None:
        if not opening and (early := sc.unsettled_before()) is not None:
            raise SettleError(
                f"{early} has postings and is not settled: settle {early} first (months are settled in order; "
                f"or open the books with this month: --opening)"
            )
        answer = write_cutoff(ledger, month, cutoff)
        if answer not in ("ok", "exists"):
            raise SettleError(f"{month} was marked settled by another run at the same time ({answer}): rerun")
    marked_at = ledger.lookup_transfers([marker_id(month)])[0].timestamp
    balances = ledger.balances_as_of(cutoff, codes=PAYABLE_KINDS)
    open_payouts = ledger.open_pending(cutoff, codes=[PAYOUT])
    shares = mcn_shares(sc.current, wh.table("mcn_contracts").to_pyarrow())
    clock.lap("balances")
    st = compute(sc, balances, open_payouts, shares, rules)
    transfers = settlement_transfers(st, month)
    clock.lap("compute")
    total = len(transfers)
    tick = _ticker(progress, "ledger", total)
    new = write(ledger, transfers, tick)
    answer = write_done(ledger, month, sc.held_after)
    if answer not in ("ok", "exists"):
        raise SettleError(f"{month}: the done marker differs from the first run's ({answer})")
    clock.lap("ledger")
    payout_ids = np.array([f"{t.id:032x}" for t in transfers if t.flags], dtype=object)
    pending = held_commissions(balances)
    creators = st.payee < (1 << 63)
    carried = st.available - st.payout
    result = SettleResult(
        str(month),
        mark is not None,
        cutoff,
        len(st),
        int(creators.sum()),
        int((~creators).sum()),
        len(st.lines.payee),
        int(st.postings.sum()),
        int(st.earnings.sum()),
        int(st.fees.sum()),
        int(st.clawbacks.sum()),
        int(st.net_income.sum()),
        int(st.mcn_share.sum()),
        int(st.withholding.sum()),
        int((st.payout > 0).sum()),
        int(st.payout.sum()),
        int((carried < 0).sum()),
        int(carried.sum()),
        int(pending.sum()),
        int((pending > 0).sum()),
        new,
    )
    rows = {
        "money_statements": statement_rows(st, month, cutoff, marked_at, payout_ids),
        "money_statement_lines": line_rows(st, month, programs),
        "payouts": payout_rows(st, month, marked_at, payout_ids),
        "money_months": month_row(result, marked_at),
    }
    result.rows_inserted = merge_all(wh, rows)
    clock.lap("warehouse")
    result.seconds = clock.laps
    log.info(
        "settled %s%s: %d statements, %d payouts (%d fen), %d new transfers, cutoff %d",
        month,
        " (rerun)" if result.rerun else "",
        result.statements,
        result.payouts,
        result.payout_fen,
        new,
        cutoff,
    )
    return result


def held_commissions(balances: AccountColumns) -> np.ndarray:
    """Per creator payable: its pending credits (commissions held in their return windows)."""
    return balances.credits_pending[kinds(balances.id) == Kind.CREATOR_PAYABLE]


def _check_new(month: Month, today: date, marks: dict[Month, Mark], prev: Mark | None) -> None:
    if today <= month.last:
        raise SettleError(f"{month} has not ended yet (today is {today} in the platform's time zone)")
    later = sorted(m for m in marks if m > month)
    if later:
        raise SettleError(
            f"{later[-1]} is settled already and {month} is not: months settle in order; postings "
            f"of {month} not yet in a statement go into the next month settled"
        )
    if prev is not None and not prev.done:
        p = prev.month
        raise SettleError(
            f"the settlement of {p} did not finish: rerun `guanghe money settle --month {p}` first"
        )


def _ticker(progress: Progress | None, step: str, total: int) -> Callable[[int], None]:
    done = [0]

    def tick(n: int) -> None:
        done[0] += n
        if progress is not None:
            progress(step, done[0], total)

    return tick


_NEXT = {"scan": "balances", "balances": "compute", "compute": "ledger", "ledger": "warehouse"}


class _Clock:
    """Times each step; tells ``progress`` when a step starts (``(step, 0, 0)``)."""

    def __init__(self, progress: Progress | None) -> None:
        self.t, self.laps, self.progress = time.perf_counter(), {}, progress
        if progress is not None:
            progress("scan", 0, 0)

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = round(now - self.t, 3)
        self.t = now
        if self.progress is not None and name in _NEXT:
            self.progress(_NEXT[name], 0, 0)
