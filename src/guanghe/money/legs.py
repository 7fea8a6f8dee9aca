"""Transfers as columns: the channels' rules fill arrays (one row per transfer), the ledger gets batches.

A rule adds a ``Chunk`` per kind of step (e.g. "affiliate commission holds"): numpy arrays of event keys,
business days, creators, amounts, the accounts on each side. ``Legs.finish()`` puts every chunk in one order
and marks chains ``linked``: first lane 0 (chains of a day or a week: fundings with what they fund, a day's ad
shares) by phase (opening steps, then posts and voids, then clawbacks) and chain; then lane 1 event by event —
an order's holds, then their post or void, then its clawback — so a hold and its post usually share a batch
(the ledger then neither reads the hold back nor writes its pending state twice). ``Legs.transfers(lo, hi)``
builds the ledger ``Transfer`` objects of a slice: ids, ``user_data`` and account ids are computed with numpy
from the contracts in ``money.ids`` and ``money.chart``; making the objects is the only per-transfer Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from guanghe.data.money_schema import ENTITY_MAX
from guanghe.ledger import CNY, Transfer, TransferFlags
from guanghe.money.chart import SUB_MAX, Kind, account_ids, program_code
from guanghe.money.codes import BY_VALUE
from guanghe.money.ids import CODE_MAX, EPOCH, HOLD, SOURCES, STEPS, event_ids

PENDING, POST, VOID, LINKED = (int(TransferFlags.PENDING), int(TransferFlags.POST_PENDING_TRANSFER),
                               int(TransferFlags.VOID_PENDING_TRANSFER), int(TransferFlags.LINKED))  # fmt: skip
OPEN, RESOLVE, CORRECT = 0, 1, 2  # phases: holds and plain transfers; posts and voids; clawbacks
NO_DAY = -1  # id_day of a transfer whose id has no day


@dataclass(frozen=True)
class Side:
    """One side of a transfer: an account kind with its entity (one per row, or one for all) and sub."""

    kind: Kind
    entity: np.ndarray | int = 0
    sub: int = 0


@dataclass
class Chunk:
    """Transfers of one kind of step: ``code`` with ``step`` ("hold", "post", "void", "") for each event row.

    ``chain``: rows with the same (phase, tag, chain value) form one linked chain, ordered by ``order`` then
    row; None: each row alone. ``id_day``: the day that is part of the transfer's id (and of the id of the
    hold a post or void resolves) where the event key alone is not unique — a work-day, a week, a day's funding;
    None for events with their own key (an order, a grant): a step's id then never depends on a computed day,
    so a changed time zone finds the same ids (with a different user_data: reported, nothing applied)."""

    channel: str
    code: int
    source: str
    step: str
    key: np.ndarray
    day: np.ndarray
    creator: np.ndarray  # creator id of the creator-side account (0 when none)
    debit: Side
    credit: Side
    amount: np.ndarray
    flags: int = 0
    phase: int = OPEN
    program: str = ""
    id_day: np.ndarray | None = None
    chain: np.ndarray | None = None
    tag: str = ""
    order: int = 1
    lane: int = 0  # 0: in (phase, chain) order; 1: event by event (``chain`` = the event), after lane 0

    def take(self, mask: np.ndarray) -> Chunk:
        """The rows where ``mask`` holds and the amount is positive (a void's amount is the hold's)."""
        keep = mask & (self.amount > 0)

        def pick(a):
            return a[keep] if isinstance(a, np.ndarray) else a

        return Chunk(self.channel, self.code, self.source, self.step, pick(self.key), pick(self.day),
                     pick(self.creator), Side(self.debit.kind, pick(self.debit.entity), self.debit.sub),
                     Side(self.credit.kind, pick(self.credit.entity), self.credit.sub), pick(self.amount),
                     self.flags, self.phase, self.program, pick(self.id_day), pick(self.chain), self.tag,
                     self.order, self.lane)  # fmt: skip


def _col(value: np.ndarray | int, n: int, dtype) -> np.ndarray:
    return np.asarray(value, dtype=dtype) if isinstance(value, np.ndarray) else np.full(n, value, dtype=dtype)


class Legs:
    """Every transfer of one accrual run, in ledger order after ``finish()``."""

    COLS = ("channel", "code", "source", "step", "program", "key", "day", "id_day", "creator", "amount",
            "flags", "phase", "dkind", "dent", "dsub", "ckind", "cent", "csub")  # fmt: skip

    def __init__(self, channels: tuple[str, ...]) -> None:
        self.channels = channels
        self.steps: tuple[str, ...] = STEPS
        self.programs: list[str] = [""]
        self.tags: list[str] = [""]
        self.parts: list[dict[str, np.ndarray]] = []
        self.n = 0
        self.refusals: dict[int, str] = {}  # row -> the ledger's result, for refused transfers
        self._dates: dict[int, date] = {}

    def _step(self, c: Chunk) -> int:
        if c.step not in STEPS:
            raise ValueError(f"{c.channel}: unknown step {c.step!r} (steps are money.ids.STEPS)")
        return STEPS.index(c.step)

    def _index(self, table: list[str], value: str) -> int:
        if value not in table:
            table.append(value)
        return table.index(value)

    def add(self, c: Chunk) -> None:
        n = len(c.key)
        if n == 0:
            return
        single = c.chain is None
        part = {
            "channel": np.full(n, self.channels.index(c.channel), np.int8),
            "code": np.full(n, c.code, np.int32),
            "source": np.full(n, SOURCES[c.source], np.int8),
            "step": np.full(n, self._step(c), np.int16),
            "program": np.full(n, self._index(self.programs, c.program), np.int16),
            "key": np.asarray(c.key, np.int64),
            "day": np.asarray(c.day, np.int32),
            "id_day": _col(c.id_day if c.id_day is not None else NO_DAY, n, np.int32),
            "creator": _col(c.creator, n, np.int64),
            "amount": np.asarray(c.amount, np.int64),
            "flags": np.full(n, c.flags, np.int8),
            "phase": np.full(n, c.phase, np.int8),
            "tag": np.full(n, 0 if single else self._index(self.tags, f"{c.channel}:{c.tag}"), np.int32),
            "chain": np.arange(self.n, self.n + n, dtype=np.int64)
            if single
            else np.asarray(c.chain, np.int64),
            "order": np.full(n, c.order, np.int8),
            "lane": np.full(n, c.lane, np.int8),
            "dkind": np.full(n, int(c.debit.kind), np.int16),
            "dent": _col(c.debit.entity, n, np.int64),
            "dsub": np.full(n, c.debit.sub, np.int64),
            "ckind": np.full(n, int(c.credit.kind), np.int16),
            "cent": _col(c.credit.entity, n, np.int64),
            "csub": np.full(n, c.credit.sub, np.int64),
            "seq": np.arange(self.n, self.n + n, dtype=np.int64),
        }
        if np.any(part["amount"] < 0):
            raise ValueError(f"{c.channel} {BY_VALUE[c.code].name}: a negative amount (a rule bug)")
        if not 0 < c.code <= CODE_MAX or np.any(part["key"] < 0):
            raise ValueError(f"{c.channel} {c.code}: a code above {CODE_MAX} or a negative key (a rule bug)")
        if not (0 <= c.debit.sub <= SUB_MAX and 0 <= c.credit.sub <= SUB_MAX):
            raise ValueError(f"{c.channel} {c.code}: a sub-account outside 0..{SUB_MAX} (a rule bug)")
        for side in ("dent", "cent"):
            if len(part[side]) and (part[side].min() < 0 or part[side].max() > ENTITY_MAX):
                raise ValueError(f"{c.channel} {BY_VALUE[c.code].name}: an account entity outside 0..{ENTITY_MAX} "
                                 f"(party ids above it are quarantined at ingest)")  # fmt: skip
        self.parts.append(part)
        self.n += n

    def finish(self) -> None:
        """Concatenate, order (phase, chain, order, arrival) and set ``linked`` inside each chain."""
        cols = {k: np.concatenate([p[k] for p in self.parts]) if self.parts else np.zeros(0, np.int64)
                for k in (*self.COLS, "tag", "chain", "order", "lane", "seq")}  # fmt: skip
        event = np.where(
            cols["lane"] == 1, cols["chain"], 0
        )  # lane 1: an event's hold, post, clawback together
        idx = np.lexsort(
            (cols["seq"], cols["order"], cols["chain"], cols["tag"], cols["phase"], event, cols["lane"])
        )
        self.c = {k: v[idx] for k, v in cols.items()}
        same = np.zeros(self.n, bool)
        if self.n > 1:
            c = self.c
            same[:-1] = ((c["phase"][1:] == c["phase"][:-1]) & (c["tag"][1:] == c["tag"][:-1])
                         & (c["chain"][1:] == c["chain"][:-1]) & (c["tag"][:-1] > 0))  # fmt: skip
        self.c["flags"] = self.c["flags"] | np.where(same, LINKED, 0).astype(np.int8)
        self.parts = []

    def batches(self, size: int) -> list[tuple[int, int]]:
        """(lo, hi) slices of about ``size`` transfers that never split a linked chain."""
        out, lo = [], 0
        linked = (self.c["flags"] & LINKED) != 0
        while lo < self.n:
            hi = min(lo + size, self.n)
            while hi < self.n and linked[hi - 1]:
                hi += 1
            out.append((lo, hi))
            lo = hi
        return out

    def date(self, day: int) -> date:
        d = self._dates.get(day)
        if d is None:
            d = self._dates[day] = EPOCH + timedelta(days=day)
        return d

    def account_ids(self) -> set[int]:
        """Every account the transfers touch (to open them in bulk before the first batch)."""
        return set(np.unique(np.concatenate([self._account_column("d"), self._account_column("c")])).tolist())

    def _account_column(self, side: str, s: slice = slice(None)) -> np.ndarray:
        """Account ids of one side (``money.chart``'s layout, below 2^63), one per transfer of ``s``."""
        c = self.c
        return account_ids(c[f"{side}kind"][s], c[f"{side}ent"][s], c[f"{side}sub"][s])

    def transfers(self, lo: int, hi: int) -> tuple[list[Transfer], list[int]]:
        """The ledger transfers of rows lo..hi-1, and their ids."""
        c, s = self.c, slice(lo, hi)
        codes = np.array([program_code(p) if p else 0 for p in self.programs], np.int64)
        code, source, step, key = c["code"][s], c["source"][s], c["step"][s], c["key"][s]
        program, flags = codes[c["program"][s]], c["flags"][s]
        ids = event_ids(code, source, step, program, c["id_day"][s], key)
        resolves = (flags & (POST | VOID)) != 0
        holds = np.zeros(hi - lo, object)
        if resolves.any():
            r = resolves
            holds[r] = event_ids(code[r], source[r], np.full(int(r.sum()), HOLD), program[r], c["id_day"][s][r],
                                 key[r])  # fmt: skip
        u = np.uint64  # user_data: day << 104 | program << 88 | source << 80 | key (keys below 2^63)
        high = (
            c["day"][s].astype(u) << u(40) | program.astype(u) << u(24) | source.astype(u) << u(16)
        ).tolist()
        rows = zip(ids, self._account_column("d", s).tolist(), self._account_column("c", s).tolist(),
                   c["amount"][s].tolist(), holds.tolist(), high, key.tolist(), code.tolist(), flags.tolist(),
                   strict=True)  # fmt: skip
        out = [Transfer(i, d, cr, a, p, h << 64 | k, CNY, co, f) for i, d, cr, a, p, h, k, co, f in rows]
        return out, ids
