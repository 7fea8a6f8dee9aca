"""Why a creator got what it got: eligibility, its curve against its segment's, binding constraints, and its
marginal value against each program's price, read back from a stored plan."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo

from guanghe.allocate.store import CURVES, PLAN, PROGRAMS, QUOTAS
from guanghe.allocate.store import TABLES as PLAN_TABLES
from guanghe.data.warehouse.base import Warehouse, WarehouseError
from guanghe.programs import Program, creator_features, why_not
from guanghe.programs.ibis_util import UTC_ZONE

UNITS = {"impressions": "impression", "cash_fen": "fen"}


@dataclass
class Explanation:
    creator_id: int
    plan_id: str
    as_of: date
    lines: list[str] = field(default_factory=list)
    binding: list[str] = field(default_factory=list)  # every binding constraint touching the creator
    doc: dict = field(default_factory=dict)  # the same, as data (for --json)

    def text(self) -> str:
        return "\n".join(self.lines)


def _rows(wh: Warehouse, name: str, plan_id: str, creator_id: int | None = None) -> list[dict]:
    decl = PLAN_TABLES[name]
    if not wh.has(decl):
        raise WarehouseError(f"no stored plan in {wh.url} (table {name} is missing); run `guanghe allocate`")
    t = wh.table(decl)
    t = t.filter(t.plan_id == plan_id)
    if creator_id is not None:
        t = t.filter(t.creator_id == creator_id)
    return t.to_pyarrow().to_pylist()


def latest_plan_id(wh: Warehouse) -> str:
    rows = _rows_all(wh)
    if not rows:
        raise WarehouseError(f"no stored plan in {wh.url}; run `guanghe allocate` first")
    return max(rows, key=lambda r: r["created_at"])["plan_id"]


def _rows_all(wh: Warehouse) -> list[dict]:
    if not wh.has(PROGRAMS):
        raise WarehouseError(f"no stored plan in {wh.url}; run `guanghe allocate` first")
    t = wh.table(PROGRAMS)
    return t.select("plan_id", "created_at").to_pyarrow().to_pylist()


def _price_line(kind: str, amount: int, marginal: float, price: float, at_cap: bool, cap: int | None) -> str:
    unit = UNITS[kind]
    if at_cap:
        return (f"at its cap {cap:,}: marginal value {marginal:.4g} per {unit} >= price {price:.4g} "
                "(it would take more)")  # fmt: skip
    if amount > 0:
        rel = "=" if abs(marginal - price) <= 0.01 * abs(price) else (">" if marginal > price else "<")
        return f"interior: marginal value {marginal:.4g} per {unit} {rel} price {price:.4g}" + (
            "" if rel == "=" else " (equal at the exact optimum; the difference is within the solver's gap)"
        )
    return (f"none: marginal value {marginal:.4g} per {unit} is below the price {price:.4g} "
            "(the budget buys more elsewhere)")  # fmt: skip


def explain(
    wh: Warehouse,
    creator_id: int,
    programs: list[Program],
    plan_id: str | None = None,
    zone: ZoneInfo = UTC_ZONE,
) -> Explanation:
    """Read the plan, its programs' prices, the creator's curve and quotas; recompute its eligibility."""
    plan_id = plan_id or latest_plan_id(wh)
    progs = _rows(wh, PROGRAMS.name, plan_id)
    if not progs:
        raise WarehouseError(f"no plan {plan_id!r} in {wh.url}")
    as_of = progs[0]["as_of"]
    curve = _rows(wh, CURVES.name, plan_id, creator_id)
    if not curve:
        raise WarehouseError(
            f"creator {creator_id} is not in plan {plan_id!r} (unknown, or joined after {as_of})"
        )
    c = curve[0]
    alloc = {r["program"]: r for r in _rows(wh, PLAN.name, plan_id, creator_id)}
    quota = _quota_summary(wh, plan_id, creator_id)
    feats = creator_features(wh.tables(), as_of, zone)
    row = feats.filter(feats.creator_id == creator_id).to_pyarrow().to_pylist()[0]
    tier = row["tier"]
    ex = Explanation(creator_id, plan_id, as_of)
    out = ex.lines
    out.append(f"creator {creator_id} in plan {plan_id} (features as of {as_of}): {tier}, "
               f"{row['followers']:,} followers, segment {c['segment']}")  # fmt: skip
    out.append(
        f"curve (per boosted work-day): f(x) = {c['theta']:.4g} * {c['s']:,.0f} * ln(1 + x / {c['s']:,.0f}); "
        f"segment prior theta {c['seg_theta']:.4g}, s {c['seg_s']:,.0f}; own-data weight {c['weight']:.0%} "
        f"from {c['boosted_days']} boosted work-days"
    )
    out.append(f"window: {c['work_days']:.0f} expected boosted work-days; total {c['impressions']:,} impressions, "
               f"marginal value f'(X) = {c['marginal_value']:.4g} follows per impression")  # fmt: skip
    by_prog: dict[str, dict] = {}
    for r in progs:
        by_prog.setdefault(r["program"], {})[r["kind"]] = r
    doc_progs = []
    for p in programs:
        fails = why_not(row, p)
        entry: dict = {"program": p.name, "eligible": not fails, "why_not": [str(f) for f in fails]}
        if fails:
            out.append(f"{p.name} ({p.title}): not eligible — " + "; ".join(str(f) for f in fails))
            doc_progs.append(entry)
            continue
        a = alloc.get(p.name, {})
        out.append(f"{p.name} ({p.title}): eligible")
        for kind, pr in by_prog.get(p.name, {}).items():
            amount = int(a.get(kind, 0) or 0)
            marginal = float(a.get("marginal_value_cash" if kind == "cash_fen" else "marginal_value",
                                   c["marginal_value"] if kind == "impressions" else 0.0) or 0.0)  # fmt: skip
            price = float(pr[f"price_{tier}"])
            cap = p.caps.get(kind)
            at_cap = bool(a.get("at_cap")) and cap is not None and amount >= cap
            out.append(f"    {kind}: {amount:,} — " + _price_line(kind, amount, marginal, price, at_cap, cap))
            binds = []
            if at_cap:
                binds.append(f"{p.name} per-creator {kind} cap {cap:,} ({p.where('caps.' + kind)})")
            if pr["budget_binding"]:
                binds.append(
                    f"{p.name} {kind} budget {pr['budget']:,} (shadow price {pr['shadow_price']:.4g})"
                )
            if tier in (pr["floors_binding"] or "").split(","):
                binds.append(f"{p.name} {tier} floor {p.floors.get(tier, 0):.0%} of the {kind} budget "
                             f"(lowers the {tier} price to {price:.4g} from {pr['budget_price']:.4g})")  # fmt: skip
            for b in binds:
                out.append(f"      binding: {b}")
            ex.binding += binds
            if p.name in quota and amount > 0:
                q = quota[p.name]
                span = f"{q['days']} days {q['first']}..{q['last']}"
                daily = f", {q['min']:,}..{q['max']:,} impressions a day" if kind == "impressions" else ""
                out.append(f"      quotas: {kind} over {span}{daily}")
            entry[kind] = {"amount": amount, "marginal_value": marginal, "price": price, "binding": binds}
        doc_progs.append(entry)
    if not ex.binding:
        out.append("binding constraints: none touch this creator directly (only the budgets' prices)")
    ex.doc = {"creator_id": creator_id, "plan_id": plan_id, "as_of": as_of.isoformat(), "tier": tier,
              "curve": {k: c[k] for k in ("theta", "s", "seg_theta", "seg_s", "weight", "boosted_days",
                                          "work_days", "impressions", "marginal_value")},
              "programs": doc_progs, "binding": ex.binding, "quotas": quota}  # fmt: skip
    return ex


def _quota_summary(wh: Warehouse, plan_id: str, creator_id: int) -> dict[str, dict]:
    t = wh.table(QUOTAS)
    t = t.filter((t.plan_id == plan_id) & (t.creator_id == creator_id))
    agg = t.group_by("program").aggregate(
        days=t.count(),
        first=t.date.min(),
        last=t.date.max(),
        min=t.impressions.min(),
        max=t.impressions.max(),
        impressions=t.impressions.sum(),
        cash_fen=t.cash_fen.sum(),
    )
    return {r.pop("program"): {k: (v.isoformat() if isinstance(v, date) else v) for k, v in r.items()}
            for r in agg.to_pyarrow().to_pylist()}  # fmt: skip


__all__ = ["Explanation", "explain", "latest_plan_id"]
