"""What an operator asks first, read from the newest allocation plan in the warehouse.

Per program and budget kind: budget, allocated, delivered and shadow price (``allocation_programs``); pacing
attainment = boosted impressions delivered (``work_boost``) / impressions planned (``allocation_quotas``), both
over the plan's delivery days up to the last day with data; and the plan's allocation by creator tier.
The plan tables are ``guanghe allocate``'s, imported from ``guanghe.allocate.store`` (declared once there).
Cash paid out is kept in the ledger, not the warehouse, so cash has no "delivered" here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import ibis
from ibis import _

from guanghe.allocate.store import PLAN, PROGRAMS, QUOTAS
from guanghe.data.tiers import TIERS
from guanghe.data.warehouse.base import Warehouse
from guanghe.metrics.catalog import Tables
from guanghe.metrics.followers import followers_on
from guanghe.metrics.report.breakdown import tier_expr

NO_PLAN = "no allocation plan in this warehouse: run `guanghe allocate`"
KINDS = ("impressions", "cash_fen")


@dataclass(frozen=True)
class ProgramLine:
    """One program's budget of one kind, and how far its delivery has come."""

    program: str
    kind: str  # impressions or cash_fen
    budget: int
    allocated: int
    creators: int
    shadow_price: float  # outcome per extra unit of budget
    binding: str  # "budget", "tail floor", ... ("" when nothing binds)
    first_day: date | None  # the plan's first and last delivery day (quota days) for this program
    last_day: date | None
    planned_to_date: int | None = None  # impressions planned on delivery days up to the data's last day
    delivered_to_date: int | None = None  # impressions delivered (work_boost) on those days

    @property
    def attainment(self) -> float | None:
        """Delivered / planned up to the last day with data (None before delivery starts, or for cash)."""
        if not self.planned_to_date or self.delivered_to_date is None:
            return None
        return self.delivered_to_date / self.planned_to_date


@dataclass
class PlanReport:
    plan_id: str
    created_at: datetime
    as_of: date
    data_end: date
    lines: list[ProgramLine] = field(default_factory=list)
    tiers: dict[str, dict[str, int]] = field(default_factory=dict)  # kind -> tier -> allocated

    def kind(self, kind: str) -> list[ProgramLine]:
        return [x for x in self.lines if x.kind == kind]


def plan_tables(wh: Warehouse) -> dict[str, ibis.Table] | None:
    """The plan tables of ``wh`` when ``guanghe allocate`` wrote them, else None."""
    if not all(wh.has(t) for t in (PROGRAMS, PLAN, QUOTAS)):
        return None
    return {t.name: wh.table(t) for t in (PROGRAMS, PLAN, QUOTAS)}


def plan_report(tables: Tables, plan: dict[str, ibis.Table], data_end: date) -> PlanReport | None:
    """The newest plan (latest ``created_at``) against what was delivered up to ``data_end``; None if no plan."""
    progs = plan[PROGRAMS.name]
    newest = progs.order_by(ibis.desc("created_at")).limit(1).select("plan_id").to_pyarrow().to_pylist()
    if not newest:
        return None
    plan_id = newest[0]["plan_id"]
    rows = progs.filter(progs.plan_id == plan_id).to_pyarrow().to_pylist()
    q = plan[QUOTAS.name]
    q = q.filter(q.plan_id == plan_id)
    window = {
        r["program"]: r
        for r in q.group_by("program")
        .aggregate(
            first=q.date.min(),
            last=q.date.max(),
            planned=q.impressions.sum(where=q.date <= ibis.literal(data_end, type="date")),
        )
        .to_pyarrow()
        .to_pylist()
    }
    delivered = _delivered(tables["work_boost"], window, data_end)
    lines = []
    for r in sorted(rows, key=lambda r: (KINDS.index(r["kind"]), r["program"])):
        w = window.get(r["program"], {})
        imp = r["kind"] == "impressions"
        lines.append(
            ProgramLine(
                program=r["program"],
                kind=r["kind"],
                budget=int(r["budget"]),
                allocated=int(r["allocated"]),
                creators=int(r["creators"]),
                shadow_price=float(r["shadow_price"]),
                binding=", ".join(
                    [
                        *(["budget"] if r["budget_binding"] else []),
                        *(f"{t} floor" for t in (r["floors_binding"] or "").split(",") if t),
                    ]
                ),
                first_day=w.get("first"),
                last_day=w.get("last"),
                planned_to_date=int(w.get("planned") or 0) if imp and w else None,
                delivered_to_date=delivered.get(r["program"], 0) if imp and w else None,
            )
        )
    first = rows[0]
    return PlanReport(
        plan_id,
        first["created_at"],
        first["as_of"],
        data_end,
        lines,
        _by_tier(tables, plan, plan_id, first["as_of"]),
    )


def _delivered(boost: ibis.Table, window: dict[str, dict], data_end: date) -> dict[str, int]:
    """Boosted impressions per program on its delivery days up to ``data_end`` (one query)."""
    if not window:
        return {}
    conds = [
        (boost.program == p) & (boost.date >= ibis.literal(w["first"], type="date"))
        & (boost.date <= ibis.literal(min(w["last"], data_end), type="date"))
        for p, w in window.items()
    ]  # fmt: skip
    cond = conds[0]
    for c in conds[1:]:
        cond = cond | c
    q = boost.filter(cond).group_by("program").aggregate(n=_.impressions.sum())
    return {r["program"]: int(r["n"]) for r in q.to_pyarrow().to_pylist()}


def _by_tier(
    tables: Tables, plan: dict[str, ibis.Table], plan_id: str, as_of: date
) -> dict[str, dict[str, int]]:
    """The plan's allocation (impressions, cash) by creator tier, tiers from followers on the plan's as-of day."""
    p = plan[PLAN.name]
    p = p.filter(p.plan_id == plan_id)
    per = p.group_by("creator_id").aggregate(impressions=_.impressions.sum(), cash_fen=_.cash_fen.sum())
    f = followers_on(tables["creator_daily"], per, {"followers": as_of})
    agg = f.group_by(tier=tier_expr(f.followers)).aggregate(
        impressions=_.impressions.sum(), cash_fen=_.cash_fen.sum()
    )
    got = {r["tier"]: r for r in agg.to_pyarrow().to_pylist()}
    return {k: {t: int(got.get(t, {}).get(k) or 0) for t, _low in TIERS} for k in KINDS}
