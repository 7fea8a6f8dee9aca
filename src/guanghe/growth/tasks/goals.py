"""Goals as small classes registered by kind: each turns the warehouse into qualifying events
(creator_id, at, key, amount) as one Ibis expression; a completion is ``count`` events whose amounts sum to at
least ``amount`` (``detect.levels``). Works flagged as unoriginal never count (``countable_works``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import date, timedelta
from typing import ClassVar
from zoneinfo import ZoneInfo

import ibis

from guanghe.data.growth_schema import WORK_ORIGINALITY
from guanghe.data.schema import CATEGORIES, WORK_KINDS
from guanghe.data.warehouse import Warehouse
from guanghe.programs.ibis_util import day, midnight, ts_in
from guanghe.programs.reader import Reader

EVENT_COLUMNS = ("creator_id", "at", "key", "amount")


def countable_works(wh: Warehouse) -> ibis.Table:
    """The works a goal may count: every work, less those the ``work_originality`` table flags as unoriginal
    (``flagged = true``) when the warehouse has that table."""
    works = wh.table("works")
    if wh.has(WORK_ORIGINALITY.name):
        flags = wh.table(WORK_ORIGINALITY)
        works = works.anti_join(flags.filter(flags.flagged).select("work_id"), "work_id")
    return works


@dataclass(frozen=True)
class Scope:
    """What a goal reads: the warehouse, the window's first day and the last day a run looks at, the zone."""

    wh: Warehouse
    start: date
    last: date
    zone: ZoneInfo


class Goal(ABC):
    """One kind of goal. ``count`` events with amounts summing to ``amount`` make one completion."""

    kind: ClassVar[str]
    params: ClassVar[tuple[str, ...]]  # keys of [goal] besides kind
    day_grain: ClassVar[bool] = (
        False  # events' ``at`` is a platform day's (naive) midnight, not a UTC instant
    )
    count: int = 1
    amount: int = 0

    @classmethod
    @abstractmethod
    def parse(cls, r: Reader, d: dict) -> Goal | None:
        """The goal from its [goal] table; problems go to ``r`` (None when any)."""

    @abstractmethod
    def events(self, s: Scope) -> ibis.Table:
        """creator_id, at, key (tie-break), amount: the qualifying events of the window through ``s.last``."""

    @abstractmethod
    def describe(self) -> str: ...

    def unit(self) -> str:
        return "events"

    def progress(self, s: Scope, creator_id: int) -> tuple[int, int]:
        """(have, need) of one creator towards the next completion, counted over the whole window so far."""
        e = self.events(s)
        e = e.filter(e.creator_id == creator_id)
        row = s.wh.fetch(e.aggregate(n=e.count(), a=e.amount.sum())).to_pylist()[0]
        if self.amount:
            return int(row["a"] or 0), self.amount
        return int(row["n"] or 0), self.count


GOALS: dict[str, type[Goal]] = {}


def goal(cls: type[Goal]) -> type[Goal]:
    """Register a goal class under its ``kind``."""
    GOALS[cls.kind] = cls
    return cls


def _int(r: Reader, d: dict, key: str, what: str, minimum: int, default: int | None = None) -> int | None:
    if key not in d:
        if default is None:
            r.err(("goal", key), f"missing; expected {what} (an integer >= {minimum})")
        return default
    return r.integer(d, ("goal", key), what, minimum)


def _enum(r: Reader, d: dict, key: str, allowed: tuple[str, ...]) -> str | None:
    v = d.get(key)
    if v is None:
        return None
    if v not in allowed:
        r.err(("goal", key), f"expected one of {', '.join(allowed)}, got {v!r}")
        return None
    return v


@goal
@dataclass(frozen=True)
class PublishCount(Goal):
    """Publish at least ``count`` works in the window (of a category, with a keyword in the title, of a kind)."""

    kind: ClassVar[str] = "publish_count"
    params: ClassVar[tuple[str, ...]] = ("count", "category", "keyword", "work_kind")
    count: int = 1
    category: str | None = None
    keyword: str | None = None
    work_kind: str | None = None

    @classmethod
    def parse(cls, r: Reader, d: dict) -> Goal | None:
        n = len(r.issues)
        count = _int(r, d, "count", "the number of works", 1)
        category, work_kind = _enum(r, d, "category", CATEGORIES), _enum(r, d, "work_kind", WORK_KINDS)
        keyword = r.string(d, ("goal", "keyword")) if "keyword" in d else None
        return None if len(r.issues) > n or count is None else cls(count, category, keyword, work_kind)

    def events(self, s: Scope) -> ibis.Table:
        w = countable_works(s.wh)
        keep = ts_in(w.published_at, s.start, s.last, s.zone)
        if self.category:
            keep &= w.category == self.category
        if self.work_kind:
            keep &= w.kind == self.work_kind
        if self.keyword:
            keep &= w.title.fill_null("").contains(self.keyword)
        w = w.filter(keep)
        return w.select("creator_id", at=w.published_at, key=w.work_id, amount=ibis.literal(0, "int64"))

    def describe(self) -> str:
        what = " ".join(x for x in (self.category, self.work_kind) if x)
        kw = f" titled with {self.keyword!r}" if self.keyword else ""
        return f"publish >= {self.count} {what + ' ' if what else ''}works{kw}"

    def unit(self) -> str:
        return "works"


@goal
@dataclass(frozen=True)
class WorkPlays(Goal):
    """One work published in the window reaches ``plays`` plays (work_daily, days of the window)."""

    kind: ClassVar[str] = "work_plays"
    params: ClassVar[tuple[str, ...]] = ("plays", "category")
    day_grain: ClassVar[bool] = True
    plays: int = 1
    category: str | None = None

    @classmethod
    def parse(cls, r: Reader, d: dict) -> Goal | None:
        n = len(r.issues)
        plays = _int(r, d, "plays", "the plays one work must reach", 1)
        category = _enum(r, d, "category", CATEGORIES)
        return None if len(r.issues) > n or plays is None else cls(plays, category)

    def _daily(self, s: Scope) -> ibis.Table:
        w = countable_works(s.wh)
        keep = ts_in(w.published_at, s.start, s.last, s.zone)
        if self.category:
            keep &= w.category == self.category
        w = w.filter(keep).select("work_id", "creator_id")
        wd = s.wh.table("work_daily")
        wd = wd.filter((wd.date >= day(s.start)) & (wd.date <= day(s.last)))
        return wd.join(w, "work_id").select("work_id", "creator_id", "date", "plays")

    def events(self, s: Scope) -> ibis.Table:
        d = self._daily(s)
        d = d.mutate(total=d.plays.sum().over(ibis.cumulative_window(group_by="work_id", order_by="date")))
        hit = (
            d.filter(d.total >= self.plays).group_by(["creator_id", "work_id"]).aggregate(first=d.date.min())
        )
        return hit.select("creator_id", at=hit.first.cast("timestamp"), key=hit.work_id,
                          amount=ibis.literal(0, "int64"))  # fmt: skip

    def progress(self, s: Scope, creator_id: int) -> tuple[int, int]:
        d = self._daily(s)
        d = d.filter(d.creator_id == creator_id)
        per = d.group_by("work_id").aggregate(p=d.plays.sum())
        best = s.wh.fetch(per.aggregate(best=per.p.max())).to_pylist()[0]["best"]
        return int(best or 0), self.plays

    def describe(self) -> str:
        what = f"{self.category} " if self.category else ""
        return f"one {what}work published in the window reaches {self.plays:,} plays"

    def unit(self) -> str:
        return "plays (best work)"


@goal
@dataclass(frozen=True)
class FirstLive(Goal):
    """The creator's first live stream ever (works of kind ``live``) falls in the window."""

    kind: ClassVar[str] = "first_live"
    params: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def parse(cls, r: Reader, d: dict) -> Goal | None:
        return cls()

    def events(self, s: Scope) -> ibis.Table:
        w = countable_works(s.wh)
        w = w.filter((w.kind == "live") & (w.published_at < midnight(s.last + timedelta(days=1), s.zone)))
        first = w.group_by("creator_id").aggregate(
            at=w.published_at.min(), key=w.work_id.argmin(w.published_at)
        )
        first = first.filter(first.at >= midnight(s.start, s.zone))
        return first.select("creator_id", "at", "key", amount=ibis.literal(0, "int64"))

    def describe(self) -> str:
        return "first live stream ever"

    def unit(self) -> str:
        return "live streams"


@goal
@dataclass(frozen=True)
class StorefrontSales(Goal):
    """At least ``orders`` paid orders (and ``gmv_fen`` net of refunds) through the creator's storefront (橱窗)."""

    kind: ClassVar[str] = "storefront_sales"
    params: ClassVar[tuple[str, ...]] = ("orders", "gmv_fen")
    count: int = 1
    amount: int = 0

    @classmethod
    def parse(cls, r: Reader, d: dict) -> Goal | None:
        n = len(r.issues)
        orders = _int(r, d, "orders", "the number of paid orders", 1, default=1)
        gmv = _int(r, d, "gmv_fen", "the GMV in fen", 0, default=0)
        return None if len(r.issues) > n or orders is None or gmv is None else cls(orders, gmv)

    def events(self, s: Scope) -> ibis.Table:
        o = s.wh.table("ecommerce_orders")
        end = midnight(s.last + timedelta(days=1), s.zone)
        o = o.filter((o.touchpoint == "storefront") & ts_in(o.paid_at, s.start, s.last, s.zone))
        refunded = o.refunded_at.notnull() & (o.refunded_at < end)  # as of the run's last day
        net = o.amount_fen - ibis.ifelse(refunded, o.refund_fen, 0)
        o = o.mutate(net=net).filter(lambda t: t.net > 0)
        return o.select("creator_id", at=o.paid_at, key=o.order_id, amount=o.net.cast("int64"))

    def describe(self) -> str:
        gmv = f" with GMV >= {self.amount / 100:,.2f} CNY" if self.amount else ""
        return f">= {self.count} paid storefront orders{gmv}"

    def unit(self) -> str:
        return "fen of GMV" if self.amount else "orders"
