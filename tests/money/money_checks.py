"""Running accrual in tests and checking what must hold after every step: the ledger reconciles, every
creator's payable equals its income rows, budgets are never overdrawn, nothing is created out of thin air."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from guanghe.data.warehouse import open_warehouse
from guanghe.ledger import LedgerStore
from guanghe.ledger.reconcile import reconcile
from guanghe.money.accrue import AccrueReport, accrue
from guanghe.money.chart import Kind, parse_account
from guanghe.money.rules import CHANNELS_DIR
from guanghe.money.rules_load import load_rules
from guanghe.programs import PROGRAMS_DIR

RULES, NAMES = load_rules(CHANNELS_DIR, PROGRAMS_DIR)


def run(wh_url: str, ledger: LedgerStore, through: date, zone: str = "UTC", **kw) -> AccrueReport:
    wh = open_warehouse(wh_url)
    try:
        return accrue(wh, ledger, kw.pop("rules", RULES), NAMES, through, ZoneInfo(zone), **kw)
    finally:
        wh.close()


def income(wh_url: str, zone: str = "UTC") -> list[tuple]:
    """(creator, channel, amount, platform day, line, program, source_ref) of every income row, sorted."""
    wh = open_warehouse(wh_url)
    try:
        rows = wh.table("income").to_pyarrow().to_pylist()
    finally:
        wh.close()
    z = ZoneInfo(zone)
    out = []
    for r in rows:
        day = r["occurred_at"].replace(tzinfo=ZoneInfo("UTC")).astimezone(z)
        assert (day.hour, day.minute, day.second) == (0, 0, 0), r  # the start of a platform day
        out.append((r["creator_id"], r["channel"], r["amount_fen"], day.date(), r["line"], r["program"],
                    r["source_ref"]))  # fmt: skip
    return sorted(out, key=lambda x: tuple("" if v is None else str(v) for v in x))


def balances(ledger: LedgerStore) -> dict[tuple[Kind, int, int], tuple[int, int, int, int]]:
    """(kind, entity, sub) -> (debits_pending, debits_posted, credits_pending, credits_posted)."""
    return {parse_account(a.id): (a.debits_pending, a.debits_posted, a.credits_pending, a.credits_posted)
            for a in ledger.accounts()}  # fmt: skip


def state(ledger: LedgerStore) -> tuple[frozenset[int], dict]:
    """Everything that must be equal between two ledgers that accrued the same events: ids and balances."""
    ids, after = set(), 0
    while page := ledger.scan_transfers(after, 10_000):
        ids.update(t.id for t in page)
        after = page[-1].timestamp
    return frozenset(ids), balances(ledger)


def check_conservation(ledger: LedgerStore, wh_url: str, zone: str = "UTC") -> None:
    """Reconcile clean; each creator's posted payable = the sum of its income rows; budgets and sources
    within their limits; every fen that reached a creator left a source account (totals net to zero)."""
    report = reconcile(ledger)
    assert report.ok, report.problems[:5]
    per_creator: dict[int, int] = defaultdict(int)
    for creator, _, amount, *_ in income(wh_url, zone):
        per_creator[creator] += amount
    got = {e: cp - dp for (k, e, _), (_, dp, _, cp) in balances(ledger).items() if k is Kind.CREATOR_PAYABLE}
    assert {c: v for c, v in got.items() if v} == {c: v for c, v in per_creator.items() if v}
    total_posted = total_pending = 0
    for (kind, _, _), (dpend, dpost, cpend, cpost) in balances(ledger).items():
        if kind in (Kind.PROGRAM_BUDGET, Kind.TASK_BUDGET):
            assert dpend + dpost <= cpost, kind
        if kind in (Kind.AD_POOL, Kind.MERCHANT, Kind.STORE, Kind.BRAND):
            assert cpend + cpost <= dpost, kind
        total_posted += cpost - dpost
        total_pending += cpend - dpend
    assert total_posted == 0 and total_pending == 0


def day(text: str) -> date:
    return date.fromisoformat(text)


def at(text: str) -> datetime:
    """A naive UTC datetime from ISO text (events are stored in UTC)."""
    return datetime.fromisoformat(text)


def days(n: int) -> timedelta:
    return timedelta(days=n)


def mixed_platform(path, events: int = 3_000, creators: int = 200, seed: int = 7) -> str:
    """The benchmark's synthetic warehouse (every channel, refunds, members), small: a DuckDB URL."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parents[2] / "benchmarks"))
    from bench_accrue import build

    return build(path, events, creators, seed)


MIXED_THROUGH = date(2023, 6, 30)  # the benchmark's last day
