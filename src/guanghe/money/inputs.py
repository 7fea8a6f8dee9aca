"""What the rules need besides the events, read from the warehouse with Ibis (one query each, no per-event
round trip): creators' tiers at the start of a month, program membership, who posted in which week, and the
newest allocation plan's cash quotas (tables declared in ``guanghe.allocate.store``).

Membership of a program on a day: the creator had support from the program that month (a ``work_boost`` row of
one of its works with that program, anywhere in the day's month — whatever ``--through``
is, so the same events give the same money on every run), or the creator is in the newest plan for the program
and the day lies in the plan's delivery window for it (first to last quota day).
"""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import ibis
import numpy as np
import pyarrow as pa

from guanghe.allocate.store import PLAN, PROGRAMS, QUOTAS
from guanghe.data.schema import TABLES
from guanghe.data.tiers import TIERS
from guanghe.data.warehouse import Warehouse
from guanghe.money.days import as_date, dates_to_days, day_number, local_days, monday, month_of, utc_end


def _np(t: pa.Table, name: str) -> np.ndarray:
    col = t.column(name)
    return col.to_numpy() if col.num_chunks else np.zeros(0, np.int64)


def _months(col: ibis.Column) -> ibis.Column:
    return (col.year() - 1970) * 12 + col.month() - 1


def pairs_in(x: np.ndarray, y: np.ndarray, bx: np.ndarray, by: np.ndarray) -> np.ndarray:
    """For each (x[i], y[i]): is the pair among the (bx, by) pairs? (int64 keys of any range)"""
    if not len(x) or not len(bx):
        return np.zeros(len(x), bool)
    ranks = np.unique(np.concatenate([x, bx]), return_inverse=True)[1]
    low = min(int(y.min()), int(by.min()))
    span = max(int(y.max()), int(by.max())) - low + 1
    keys = ranks.astype(np.int64) * span + np.concatenate([y, by]).astype(np.int64) - low
    return np.isin(keys[: len(x)], keys[len(x) :])


class Tiers:
    """Followers (hence tier) of each creator at the start of each month: the latest ``creator_daily`` row
    dated before the month's first day; 0 (tail) without one."""

    def __init__(self, wh: Warehouse, through: date) -> None:
        t = wh.table("creator_daily")
        t = t.filter(t.date <= through).mutate(month=_months(t.date))
        last = t.group_by(["creator_id", "month"]).aggregate(followers=t.followers.argmax(t.date))
        rows = last.order_by(["creator_id", "month"]).to_pyarrow()
        self.creator, self.month = _np(rows, "creator_id"), _np(rows, "month").astype(np.int64)
        self.followers = _np(rows, "followers")

    def followers_at(self, creators: np.ndarray, months: np.ndarray) -> np.ndarray:
        """Followers at the start of ``months`` (months since 1970-01) of ``creators``."""
        out = np.zeros(len(creators), np.int64)
        if not len(self.creator) or not len(creators):
            return out
        ranks = np.unique(np.concatenate([self.creator, creators]), return_inverse=True)[1]
        low = min(int(self.month.min()), int(months.min()))
        span = max(int(self.month.max()), int(months.max())) - low + 2
        have = ranks[: len(self.creator)] * span + (self.month - low)
        want = ranks[len(self.creator) :] * span + (months.astype(np.int64) - low)
        i = np.searchsorted(have, want, side="left") - 1  # the last month strictly before
        ok = (i >= 0) & (ranks[len(self.creator) :] == ranks[: len(self.creator)][np.maximum(i, 0)])
        out[ok] = self.followers[i[ok]]
        return out

    def tier_at(self, creators: np.ndarray, months: np.ndarray) -> np.ndarray:
        """Tier names (object array) at the start of each month."""
        f = self.followers_at(creators, months)
        out = np.full(len(f), TIERS[-1][0], dtype=object)
        for name, low in reversed(TIERS[:-1]):
            out[f >= low] = name
        return out


class Plan:
    """The newest allocation plan (latest ``created_at``): its id, members and delivery windows."""

    def __init__(self, wh: Warehouse) -> None:
        self.plan_id: str | None = None
        self.members: dict[str, np.ndarray] = {}
        self.window: dict[str, tuple[int, int]] = {}
        if not all(wh.has(t) for t in (PROGRAMS, PLAN, QUOTAS)):  # once `guanghe allocate` wrote a plan
            return
        progs, plan, q = (wh.table(t) for t in (PROGRAMS, PLAN, QUOTAS))
        newest = progs.order_by([ibis.desc("created_at"), "plan_id"]).limit(1).select("plan_id").to_pyarrow()
        if not newest.num_rows:
            return
        self.plan_id = newest.column(0)[0].as_py()
        self._quotas = q
        rows = plan.filter(plan.plan_id == self.plan_id).select("program", "creator_id").to_pyarrow()
        prog, cr = rows.column("program").to_pylist(), _np(rows, "creator_id")
        prog = np.array(prog, dtype=object)
        for p in set(prog.tolist()):
            self.members[p] = np.unique(cr[prog == p])
        q = q.filter(q.plan_id == self.plan_id)
        spans = q.group_by("program").aggregate(first=q.date.min(), last=q.date.max()).to_pyarrow()
        for p, f, last in zip(
            *(spans.column(c).to_pylist() for c in ("program", "first", "last")), strict=True
        ):
            self.window[p] = (day_number(f), day_number(last))

    def cash_weeks(self, through: date) -> pa.Table:
        """The plan's cash quotas summed per (creator, program, ISO week): columns creator_id, program,
        monday (a date), amount_fen; weeks whose Monday is after ``through`` left out."""
        if self.plan_id is None:
            return pa.table({"creator_id": pa.array([], pa.int64()), "program": pa.array([], pa.string()),
                             "monday": pa.array([], pa.date32()), "amount_fen": pa.array([], pa.int64())})  # fmt: skip
        q = self._quotas
        q = q.filter((q.plan_id == self.plan_id) & (q.cash_fen > 0))
        q = q.mutate(monday=q.date - q.date.day_of_week.index().cast("int32").as_interval("D"))
        q = q.filter(q.monday <= through)
        weeks = q.group_by(["creator_id", "program", "monday"]).aggregate(amount_fen=q.cash_fen.sum())
        return weeks.order_by(["program", "monday", "creator_id"]).to_pyarrow()


class Membership:
    """Program membership on a day (see the module's docstring)."""

    def __init__(self, wh: Warehouse, programs: set[str], plan: Plan) -> None:
        self.plan = plan
        self.boosted: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        if not programs:
            return
        b, w = wh.table("work_boost"), wh.table("works")
        b = b.filter(b.program.isin(sorted(programs)))  # the whole month, whatever --through is
        j = (
            b.join(w, b.work_id == w.work_id)
            .select(b.program, w.creator_id, month=_months(b.date))
            .distinct()
        )
        rows = j.to_pyarrow()
        prog = np.array(rows.column("program").to_pylist(), dtype=object)
        cr, mo = _np(rows, "creator_id"), _np(rows, "month").astype(np.int64)
        for p in programs:
            m = prog == p
            self.boosted[p] = (cr[m], mo[m])

    def member(self, program: str, creators: np.ndarray, days: np.ndarray) -> np.ndarray:
        """Whether each creator counts as ``program``'s on each day."""
        bc, bm = self.boosted.get(program, (np.zeros(0, np.int64), np.zeros(0, np.int64)))
        out = pairs_in(creators, month_of(days).astype(np.int64), bc, bm)
        if program in self.plan.window and program in self.plan.members:
            first, last = self.plan.window[program]
            out |= np.isin(creators, self.plan.members[program]) & (days >= first) & (days <= last)
        return out


class Posted:
    """Which creators published a work in which ISO week (platform days)."""

    def __init__(self, wh: Warehouse, creators: np.ndarray, first: int, last: int, zone: ZoneInfo) -> None:
        self.creator, self.monday = np.zeros(0, np.int64), np.zeros(0, np.int64)
        if not len(creators):
            return
        w = wh.table("works")
        ids = ibis.memtable(pa.table({"cid": pa.array(np.unique(creators), pa.int64())}))
        lo, hi = utc_end(as_date(first - 1), zone), utc_end(as_date(last + 6), zone)
        w = w.filter((w.published_at >= lo) & (w.published_at < hi))
        rows = w.join(ids, w.creator_id == ids.cid).select(w.creator_id, w.published_at).to_pyarrow()
        days = local_days(rows.column("published_at"), zone)
        pairs = np.unique(np.stack([_np(rows, "creator_id"), monday(days).astype(np.int64)], 1), axis=0)
        self.creator, self.monday = pairs[:, 0], pairs[:, 1]

    def posted(self, creators: np.ndarray, mondays: np.ndarray) -> np.ndarray:
        return pairs_in(creators, mondays.astype(np.int64), self.creator, self.monday)


def read(wh: Warehouse, name: str, columns: list[str], expr) -> pa.Table:
    """Rows of a warehouse table matching ``expr(table)``, ordered by the table's key (deterministic)."""
    t = wh.table(name)
    return t.filter(expr(t)).select(*columns).order_by(list(TABLES[name].primary_key)).to_pyarrow()


__all__ = ["Membership", "Plan", "Posted", "Tiers", "dates_to_days", "pairs_in", "read"]
