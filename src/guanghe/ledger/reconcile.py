"""Reconciliation: replay every transfer from zero and check the ledger's invariants against the stored state.

Checked: each transfer id once and timestamps strictly increasing; per ledger, posted debits == posted credits
and pending debits == pending credits; every account's four balances equal the replay of its transfers (and
expiries); no flagged account beyond its limit at any point of the replay; each pending transfer resolved at
most once, and its recorded state matches the transfers that resolved it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from guanghe.ledger.engine import CMNED, DMNEC, PENDING, POST, VOID
from guanghe.ledger.store import LedgerStore


@dataclass
class Report:
    accounts: int = 0
    transfers: int = 0
    pending: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "accounts": self.accounts,
            "transfers": self.transfers,
            "pending": self.pending,
            "problems": self.problems,
        }


def reconcile(store: LedgerStore, max_problems: int = 100) -> Report:
    accounts, transfers, pendings = store.snapshot()
    report = Report(accounts=len(accounts), pending=len(pendings))
    problems = report.problems
    info = {a.id: a for a in accounts}
    bal: dict[int, list[int]] = {a.id: [0, 0, 0, 0] for a in accounts}  # dp, dpo, cp, cpo
    pend = {p.id: p for p in pendings}
    # expiries are events too: (timestamp, pending id)
    expiries = sorted((p.resolved_at, p.id) for p in pendings if p.status == "expired")
    resolutions: Counter[int] = Counter()
    seen: set[int] = set()
    last_ts, e = 0, 0

    def check_limits(ids: tuple[int, int], ts: int) -> None:
        for i in ids:
            a, b = info[i], bal[i]
            if a.flags & DMNEC and b[0] + b[1] > b[3]:
                problems.append(f"account {i}: debits exceed credits at timestamp {ts}")
            if a.flags & CMNED and b[2] + b[3] > b[1]:
                problems.append(f"account {i}: credits exceed debits at timestamp {ts}")

    def release(pid: int) -> None:
        p = pend[pid]
        bal[p.debit_account_id][0] -= p.amount
        bal[p.credit_account_id][2] -= p.amount

    for t in transfers:
        report.transfers += 1
        while e < len(expiries) and expiries[e][0] < t.timestamp:
            release(expiries[e][1])
            e += 1
        if t.id in seen:
            problems.append(f"transfer {t.id} stored twice")
        seen.add(t.id)
        if t.timestamp <= last_ts:
            problems.append(f"transfer {t.id}: timestamp {t.timestamp} not after {last_ts}")
        last_ts = t.timestamp
        if t.debit_account_id not in bal or t.credit_account_id not in bal:
            problems.append(f"transfer {t.id}: refers to a missing account")
            continue
        dr, cr = bal[t.debit_account_id], bal[t.credit_account_id]
        if t.flags & (POST | VOID):
            resolutions[t.pending_id] += 1
            if t.pending_id not in pend:
                problems.append(f"transfer {t.id}: resolves unknown pending transfer {t.pending_id}")
                continue
            release(t.pending_id)
            if t.flags & POST:
                dr[1] += t.amount
                cr[3] += t.amount
            p = pend[t.pending_id]
            want = "posted" if t.flags & POST else "voided"
            if (p.status, p.resolved_by, p.resolved_at) != (want, t.id, t.timestamp):
                problems.append(
                    f"pending {p.id}: state {p.status} by {p.resolved_by} disagrees with transfer {t.id}"
                )
        elif t.flags & PENDING:
            dr[0] += t.amount
            cr[2] += t.amount
            if t.id not in pend:
                problems.append(f"pending transfer {t.id} has no pending state")
        else:
            dr[1] += t.amount
            cr[3] += t.amount
        check_limits((t.debit_account_id, t.credit_account_id), t.timestamp)
        if len(problems) >= max_problems:
            return report
    for _, pid in expiries[e:]:
        release(pid)
    for pid, n in resolutions.items():
        if n > 1:
            problems.append(f"pending {pid} resolved {n} times")
    for p in pendings:
        if p.status == "expired" and resolutions[p.id]:
            problems.append(f"pending {p.id} expired and also resolved by a transfer")
        if p.status == "pending" and resolutions[p.id]:
            problems.append(f"pending {p.id} still pending but resolved by a transfer")
        if p.id not in seen:
            problems.append(f"pending state {p.id} has no transfer")
    totals: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for a in accounts:
        stored = [a.debits_pending, a.debits_posted, a.credits_pending, a.credits_posted]
        if stored != bal[a.id]:
            problems.append(f"account {a.id}: stored balances {stored} != replayed {bal[a.id]}")
        if min(stored) < 0:
            problems.append(f"account {a.id}: negative balance {stored}")
        totals[a.ledger] = [x + y for x, y in zip(totals[a.ledger], stored, strict=True)]
    for ledger, (dp, dpo, cp, cpo) in sorted(totals.items()):
        if dpo != cpo:
            problems.append(f"ledger {ledger}: posted debits {dpo} != posted credits {cpo}")
        if dp != cp:
            problems.append(f"ledger {ledger}: pending debits {dp} != pending credits {cp}")
    del problems[max_problems:]
    return report
