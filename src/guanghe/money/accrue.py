"""``accrue``: every channel's events through a day, as ledger transfers; then their income rows.

Channel by channel: the rules build every transfer the events call for so far (``money.channels``), accounts
are opened in bulk, and the transfers go to the ledger in batches of ``batch`` that never split a linked
chain, in order: opening steps (holds, plain transfers, fundings first in their chains), then posts and voids,
then clawbacks. Ids come from (code, source table, event key, business day, step, program) (``money.ids``),
so a rerun, an overlapping ``through`` or a retry after a crash derives the same ids: ``exists`` is success,
and ``exists_with_different_*`` (a rule or an event changed after the money moved) is reported and changes
nothing. Income rows are built from the transfers the ledger confirmed (``ok`` or identical ``exists``) and
merged into the warehouse's ``income`` table (``money.export``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa

from guanghe.data.money_schema import CHANNELS, INCOME
from guanghe.data.warehouse import Warehouse
from guanghe.ledger import CreateTransferResult, LedgerStore, Transfer
from guanghe.money.channels import RULES, Context, Read
from guanghe.money.chart import check_program_codes, open_accounts
from guanghe.money.codes import BY_VALUE
from guanghe.money.export import IncomeExport, income_table, merge_income, rows_from_transfers
from guanghe.money.ids import SOURCE_NAMES
from guanghe.money.legs import PENDING, VOID, Legs
from guanghe.money.rules import ChannelRules

log = logging.getLogger(__name__)
BATCH = 100_000  # transfers per ledger batch: fewer, larger batches update each account less often
OK, PRESENT, REFUSED = 0, 1, 2
SHOWN = 20
_OK, _EXISTS = CreateTransferResult.OK, CreateTransferResult.EXISTS


@dataclass
class Problem:
    """A transfer the ledger refused (not ``ok``, not an identical ``exists``)."""

    channel: str
    code: str
    source_ref: str
    day: date
    step: str
    result: str

    def __str__(self) -> str:
        step = f" {self.step}" if self.step else ""
        why = " (a rule or an event changed after the money moved)" if "exists_with" in self.result else ""
        return f"{self.channel}: {self.code}{step} of {self.source_ref} on {self.day}: {self.result}{why}"


@dataclass
class ChannelOutcome:
    channel: str
    events: int = 0
    skipped: int = 0  # events that could not be accrued (see reasons)
    new: int = 0  # transfers written now
    present: int = 0  # transfers already in the ledger, identical
    refused: int = 0
    earnings_fen: int = 0  # new posted creator income, by line
    fees_fen: int = 0
    clawbacks_fen: int = 0
    held_fen: int = 0  # new holds for creators (pending)
    reasons: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "channel"}


@dataclass
class AccrueReport:
    through: date
    channels: dict[str, ChannelOutcome]
    problems: list[Problem] = field(default_factory=list)  # the first SHOWN refused transfers (root causes)
    income: IncomeExport = field(default_factory=IncomeExport)
    accounts_opened: int = 0
    seconds: float = 0.0

    @property
    def refused(self) -> int:
        return sum(c.refused for c in self.channels.values())

    @property
    def skipped(self) -> int:
        return sum(c.skipped for c in self.channels.values())

    @property
    def ok(self) -> bool:
        return not self.refused and not self.skipped and not self.income.conflicts

    @property
    def events(self) -> int:
        return sum(c.events for c in self.channels.values())

    def as_dict(self) -> dict:
        return {"through": self.through.isoformat(), "ok": self.ok, "events": self.events,
                "seconds": round(self.seconds, 3), "accounts_opened": self.accounts_opened,
                "channels": {k: v.as_dict() for k, v in self.channels.items()},
                "refused": [str(p) for p in self.problems],
                "income": {k: v for k, v in self.income.__dict__.items() if k != "conflict_ids"}
                | {"conflict_ids": list(self.income.conflict_ids[:SHOWN])}}  # fmt: skip


def check_writable(wh: Warehouse) -> None:
    """Refuse (WarehouseError) a warehouse the income rows cannot be written to, before any money moves."""
    with wh.writer():
        pass


Progress = Callable[[str, int, int], None]  # (channel, transfers done, transfers of the channel)
Built = tuple[list[Transfer], list[int]]  # a batch's ledger transfers and their ids


def accrue(wh: Warehouse, ledger: LedgerStore, rules: ChannelRules, programs: list[str], through: date,
           zone: ZoneInfo, batch: int = BATCH, progress: Progress | None = None,
           channels: tuple[str, ...] = CHANNELS) -> AccrueReport:  # fmt: skip
    """Accrue every channel's events with a business day on or before ``through`` (see the module);
    ``channels``: only these (``guanghe tasks run`` pays its rewards with ``("task",)``)."""
    unknown = [c for c in channels if c not in CHANNELS]
    if unknown or not channels:
        raise ValueError(f"accrue: unknown channel(s) {unknown}; expected some of {', '.join(CHANNELS)}")
    started = time.perf_counter()
    names = check_program_codes(programs)
    ctx = Context(wh, zone, through, rules, set(programs))
    report, known = AccrueReport(through, {}), set()
    incomes: list[pa.Table] = []
    # the first read on this thread: an engine may start its runtime on it (Spark's JVM gateway, launched
    # from the worker thread below instead, crashed the process)
    wh.tables()
    with ThreadPoolExecutor(1, thread_name_prefix="rules") as pool:
        # the next channel's rules run (and its first batch is built) while this one's is written
        ahead = pool.submit(_prepare, ctx, channels[0], batch)
        for k in range(len(channels)):
            legs, read, first = ahead.result()
            if k + 1 < len(channels):
                ahead = pool.submit(_prepare, ctx, channels[k + 1], batch)
            incomes += _channel(ledger, legs, read, first, batch, known, names, zone, report, progress)
    rows = pa.concat_tables(incomes) if incomes else INCOME.arrow_schema().empty_table()
    report.income = merge_income(wh, rows)
    report.seconds = time.perf_counter() - started
    log.info("accrue through %s: %d events in %.1f s, income rows %d new, %d present, %d conflicts",
             through, report.events, report.seconds, report.income.inserted, report.income.present,
             report.income.conflicts)  # fmt: skip
    return report


def _prepare(ctx: Context, channel: str, batch: int) -> tuple[Legs, Read, Built | None]:
    """A channel's transfers in ledger order, and its first batch built."""
    legs = Legs(CHANNELS)
    read = RULES[channel](ctx, legs)
    legs.finish()
    slices = legs.batches(batch)
    return legs, read, (legs.transfers(*slices[0]) if slices else None)


def _channel(ledger: LedgerStore, legs: Legs, read: Read, first: Built | None, batch: int, known: set[int],
             names: dict[int, str], zone: ZoneInfo, report: AccrueReport,
             progress: Progress | None) -> list[pa.Table]:  # fmt: skip
    """Write one channel's transfers; its outcome goes into ``report``; returns its income rows."""
    channel, incomes = read.channel, []
    out = ChannelOutcome(channel, read.events, read.skipped, reasons=read.reasons)
    report.accounts_opened += open_accounts(ledger, legs.account_ids(), known)
    results, ids = _write(ledger, legs, batch, _ticker(progress, channel, legs.n), first)
    _summarise(legs, results, out)
    report.problems += _problems(legs, results, ids, SHOWN - len(report.problems))
    incomes.append(_income(legs, results, ids, zone))
    if (conflicts := (results == REFUSED)).any():
        found = ledger.lookup_transfers([ids[i] for i in np.flatnonzero(conflicts)])
        incomes.append(rows_from_transfers(found, zone, names))
    report.channels[channel] = out
    log.info("accrued %s through %s: %d events, %d transfers new, %d present, %d refused, %d skipped events",
             channel, report.through, out.events, out.new, out.present, out.refused, out.skipped)  # fmt: skip
    return incomes


def _ticker(progress: Progress | None, channel: str, total: int) -> Callable[[int], None]:
    def tick(done: int) -> None:
        if progress is not None:
            progress(channel, done, total)

    return tick


def _write(
    ledger: LedgerStore, legs: Legs, size: int, tick: Callable[[int], None], first: Built | None
) -> tuple[np.ndarray, list]:
    """Send the transfers in batches; per transfer: OK, PRESENT or REFUSED (the result string kept aside).
    The next batch's ``Transfer`` objects are built in a thread while the ledger writes the current one
    (``first``: the first batch, built already)."""
    results = np.full(legs.n, REFUSED, np.int8)
    ids: list[int] = []
    slices = legs.batches(size)
    ahead = None
    with ThreadPoolExecutor(1, thread_name_prefix="legs") as pool:
        for k, (lo, hi) in enumerate(slices):
            built = first if k == 0 else ahead.result() if ahead is not None else None
            transfers, batch_ids = built if built is not None else legs.transfers(lo, hi)
            if k + 1 < len(slices):
                ahead = pool.submit(legs.transfers, *slices[k + 1])
            ids += batch_ids
            for i, r in enumerate(ledger.create_transfers(transfers), start=lo):
                if r is _OK:
                    results[i] = OK
                elif r is _EXISTS:
                    results[i] = PRESENT
                else:
                    legs.refusals[i] = r.value
            tick(hi)
    return results, ids


def _posted_lines(legs: Legs) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per transfer: posted?, income line index (-1: none), creator sign."""
    c = legs.c
    posted = (c["flags"] & (PENDING | VOID)) == 0
    lines = ("earning", "fee", "clawback")
    line = np.full(legs.n, -1, np.int8)
    sign = np.zeros(legs.n, np.int64)
    for code in np.unique(c["code"]).tolist():
        m = c["code"] == code
        info = BY_VALUE[code]
        line[m] = lines.index(info.line) if info.line else -1
        sign[m] = info.creator_sign
    return posted, line, sign


def _summarise(legs: Legs, results: np.ndarray, out: ChannelOutcome) -> None:
    out.new, out.present = int((results == OK).sum()), int((results == PRESENT).sum())
    out.refused = int((results == REFUSED).sum())
    if not legs.n:
        return
    posted, line, sign = _posted_lines(legs)
    new, amount = results == OK, legs.c["amount"] * sign
    for i, name in enumerate(("earnings_fen", "fees_fen", "clawbacks_fen")):
        setattr(out, name, int(amount[new & posted & (line == i)].sum()))
    held = new & ((legs.c["flags"] & PENDING) != 0) & (sign > 0) & (line == 0)
    out.held_fen = int(legs.c["amount"][held].sum())


def _problems(legs: Legs, results: np.ndarray, ids: list, room: int) -> list[Problem]:
    out = []
    for i, why in sorted(legs.refusals.items()):
        if len(out) >= room:
            break
        if why == "linked_event_failed":
            continue
        c = legs.c
        source = SOURCE_NAMES[int(c["source"][i])]
        out.append(Problem(legs.channels[c["channel"][i]], BY_VALUE[int(c["code"][i])].name,
                           f"{source}/{int(c['key'][i])}", legs.date(int(c["day"][i])), legs.steps[c["step"][i]],
                           why))  # fmt: skip
    return out


def _income(legs: Legs, results: np.ndarray, ids: list, zone: ZoneInfo) -> pa.Table:
    """Income rows of the posted creator-side transfers the ledger confirmed (written now or identical)."""
    if not legs.n:
        return INCOME.arrow_schema().empty_table()
    posted, line, sign = _posted_lines(legs)
    rows = np.flatnonzero((results != REFUSED) & posted & (line >= 0))
    c = legs.c
    lines = np.array(["earning", "fee", "clawback"], dtype=object)[line[rows]]
    channels = [legs.channels[i] for i in c["channel"][rows].tolist()]
    refs = [
        f"{SOURCE_NAMES[s]}/{k}"
        for s, k in zip(c["source"][rows].tolist(), c["key"][rows].tolist(), strict=True)
    ]
    programs = [legs.programs[p] or None for p in c["program"][rows].tolist()]
    return income_table([ids[i] for i in rows.tolist()], c["creator"][rows], channels,
                        c["amount"][rows] * sign[rows], c["day"][rows], refs, programs, lines.tolist(), zone)  # fmt: skip
