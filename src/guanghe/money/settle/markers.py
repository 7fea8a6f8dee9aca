"""Settlement markers: zero-amount transfers between the two SETTLEMENT_CONTROL accounts that hold each
settled month's facts on the ledger itself.

- the cutoff marker, written first: ``user_data`` = the month's cutoff (the newest ledger timestamp the
  settlement reads); a rerun reads it back, so it computes the same statements and transfers after any crash;
- the done marker, written after every settlement transfer of the month: ``user_data`` = where the next
  month's scan starts (the timestamp before the oldest posting still unsettled at the cutoff).

Both ids derive from (settlement, month), so writing one twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from guanghe.ledger import CNY, LedgerStore, Transfer
from guanghe.money.chart import Kind, account_id, open_accounts
from guanghe.money.codes import code
from guanghe.money.ids import transfer_id
from guanghe.money.settle.months import FIRST, LAST, Month

MARK = code("settlement_mark")
CONTROL = (account_id(Kind.SETTLEMENT_CONTROL, 0, 0), account_id(Kind.SETTLEMENT_CONTROL, 0, 1))


@dataclass(frozen=True)
class Mark:
    month: Month
    cutoff: int  # ledger timestamp: the settlement read the transfers up to here
    marked_at: int  # the marker's own timestamp
    scan_after: int | None  # set once the month's settlement finished (the done marker)
    done_at: int = 0  # the done marker's timestamp: the month's settlement transfers come before it

    @property
    def done(self) -> bool:
        return self.scan_after is not None


def marker_id(month: Month, step: str = "cutoff") -> int:
    return transfer_id(MARK, "settlement", month.key, None, step)


def settled_months(ledger: LedgerStore) -> dict[Month, Mark]:
    """Every month with a cutoff marker on the ledger (2000-01 .. 2099-12), in month order."""
    months = [Month(i) for i in range(FIRST, LAST + 1)]
    ids = {marker_id(m): (m, "cutoff") for m in months} | {marker_id(m, "done"): (m, "done") for m in months}
    found = {ids[t.id]: t for t in ledger.lookup_transfers(ids)}
    out = {}
    for m in months:
        cut = found.get((m, "cutoff"))
        if cut is not None:
            done = found.get((m, "done"))
            out[m] = Mark(
                m,
                cut.user_data,
                cut.timestamp,
                done.user_data if done else None,
                done.timestamp if done else 0,
            )
    return out


def write_cutoff(ledger: LedgerStore, month: Month, cutoff: int) -> str:
    """Write the month's cutoff marker; the ledger's answer (ok, exists, or exists_with_different_user_data
    when another run marked the month first)."""
    open_accounts(ledger, CONTROL)
    t = Transfer(marker_id(month), CONTROL[0], CONTROL[1], 0, user_data=cutoff, ledger=CNY, code=MARK)
    return str(ledger.create_transfers([t])[0])


def write_done(ledger: LedgerStore, month: Month, scan_after: int) -> str:
    t = Transfer(
        marker_id(month, "done"), CONTROL[1], CONTROL[0], 0, user_data=scan_after, ledger=CNY, code=MARK
    )
    return str(ledger.create_transfers([t])[0])
