"""The plan in the warehouse: four tables keyed by plan id, replaced atomically in one transaction.

allocation_plan (who gets what), allocation_programs (budgets, shadow prices, certificate),
allocation_quotas (daily quotas), allocation_curves (each creator's fitted curve and marginal value).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import numpy as np
import pyarrow as pa

from guanghe.allocate import quotas
from guanghe.allocate.plan import Plan
from guanghe.allocate.problem import TIER_NAMES
from guanghe.data.schema import Column, Table
from guanghe.data.warehouse import Warehouse

log = logging.getLogger(__name__)
I64, F64, STR, BOOL = pa.int64(), pa.float64(), pa.string(), pa.bool_()
_ID = Column("plan_id", STR, "Plan id (a rerun with the same id replaces the plan).")
_CR = Column("creator_id", I64, "Creator.", references="creators.creator_id")
_PR = Column("program", STR, "Program name.")
PLAN = Table("allocation_plan", "One row per (creator, program) with an allocation.", (
    _ID, _CR, _PR,
    Column("impressions", I64, "Boosted impressions over the delivery window.", minimum=0),
    Column("cash_fen", I64, "Cash in fen.", minimum=0),
    Column("marginal_value", F64, "Value of one extra impression of this program at the creator's allocation: "
           "r f'(X) (follows; with outcome weights, follows of an average creator's worth; r = 1 without)."),
    Column("marginal_value_cash", F64, "The same per extra fen of cash (0 without cash)."),
    Column("at_cap", BOOL, "The program's per-creator cap binds (either kind)."),
), ("plan_id", "creator_id", "program"))  # fmt: skip
PROGRAMS = Table("allocation_programs", "One row per (program, budget kind): budget use, prices, certificate.", (
    _ID, _PR,
    Column("kind", STR, "impressions or cash_fen."),
    Column("as_of", pa.date32(), "Day of the creator features."),
    Column("created_at", pa.timestamp("us"), "When the plan was written (UTC); the only column that differs "
           "between two runs on the same data."),
    Column("budget", I64, "Budget (scaled to the platform)."),
    Column("allocated", I64, "Allocated (whole units)."),
    Column("creators", I64, "Creators with an allocation."),
    Column("shadow_price", F64, "Outcome per extra unit of budget: lambda - sum_t floor_t mu_t."),
    Column("budget_price", F64, "The budget's multiplier lambda."),
    *(Column(f"price_{t}", F64, f"Effective price for {t} creators: lambda - mu_{t}.") for t in TIER_NAMES),
    Column("budget_binding", BOOL, "The budget is spent to the last unit and worth more."),
    Column("floors_binding", STR, "Tiers whose floor binds, comma-separated."),
    Column("primal", F64, "Value of the kind's stored (whole-unit) plan (follows, fitted curves)."),
    Column("dual_bound", F64, "Upper bound on the optimum."),
    Column("gap", F64, "(dual_bound - primal) / primal: the stored plan's certified gap."),
), ("plan_id", "program", "kind"))  # fmt: skip
QUOTAS = Table("allocation_quotas", "Daily quotas; per (creator, program) they sum exactly to the plan.", (
    _ID, _CR, _PR, Column("date", pa.date32(), "Delivery day."),
    Column("impressions", I64, "Impressions to deliver that day.", minimum=0),
    Column("cash_fen", I64, "Cash released that day.", minimum=0),
), ("plan_id", "creator_id", "program", "date"))  # fmt: skip
CURVES = Table("allocation_curves", "Each creator's fitted response curve and its plan totals.", (
    _ID, _CR, Column("segment", STR, "tier/category."),
    Column("theta", F64, "Follows per boosted impression at 0 (per work-day curve)."),
    Column("s", F64, "Saturation scale (impressions per work-day)."),
    Column("seg_theta", F64, "Prior (segment) theta."), Column("seg_s", F64, "Segment's typical s."),
    Column("weight", F64, "Weight of the creator's own data in theta."),
    Column("boosted_days", I64, "Boosted work-days in the history."),
    Column("work_days", F64, "Expected boosted work-days over the window (D)."),
    Column("impressions", I64, "Total impressions planned (all programs)."),
    Column("marginal_value", F64, "f'(X) at the plan (per unit the curve reads; see allocation_plan)."),
), ("plan_id", "creator_id"))  # fmt: skip
TABLES = {t.name: t for t in (PLAN, PROGRAMS, QUOTAS, CURVES)}


def _table(t: Table, cols: dict) -> pa.Table:
    return pa.Table.from_pydict({c: cols[c] for c in t.names}, schema=t.arrow_schema())


def _amounts(plan: Plan) -> dict[str, np.ndarray]:
    """Per kind, the (n, P) whole amounts over all programs (0 where the program lacks the kind)."""
    out = {}
    for kind in ("impressions", "cash_fen"):
        full = np.zeros((plan.platform.n, len(plan.programs)), np.int64)
        if kind in plan.kinds:
            full[:, plan.kinds[kind].columns] = plan.kinds[kind].amounts
        out[kind] = full
    return out


def _marginal(plan: Plan, kind: str) -> tuple[np.ndarray, np.ndarray]:
    """(n,) f'(X) of the kind's curve at the stored plan, and (n, P) each program's rate (1 without outcome
    weights): one more unit of program k is worth rate[i, k] f'(X_i)."""
    rate = np.ones((plan.platform.n, len(plan.programs)))
    if kind not in plan.kinds:
        return np.zeros(plan.platform.n), rate
    kp = plan.kinds[kind]
    if kp.problem.rate is not None:
        rate[:, kp.columns] = kp.problem.rate
    a, s = plan.curve(kind)
    return a / (s + kp.problem.totals(kp.amounts.astype(float))), rate


def plan_tables(plan: Plan, counts: np.ndarray) -> dict[str, pa.Table]:
    """The four tables' rows; ``counts`` (n, 7) are the creators' works per weekday (quotas)."""
    amt = _amounts(plan)
    imp, cash = amt["impressions"], amt["cash_fen"]
    (m_imp, r_imp), (m_cash, r_cash) = _marginal(plan, "impressions"), _marginal(plan, "cash_fen")
    at_cap = np.zeros_like(imp, bool)
    for kp in plan.kinds.values():
        caps = kp.problem.effective_caps()
        at_cap[:, kp.columns] |= (kp.amounts > 0) & (kp.amounts >= np.floor(caps + 1e-9))
    i, k = np.nonzero((imp > 0) | (cash > 0))
    ids, names = plan.platform.creator_id, np.array([p.name for p in plan.programs], dtype=object)
    pid = plan.plan_id
    rows = {"plan_id": [pid] * i.size, "creator_id": ids[i], "program": names[k], "impressions": imp[i, k],
            "cash_fen": cash[i, k], "marginal_value": m_imp[i] * r_imp[i, k],
            "marginal_value_cash": m_cash[i] * r_cash[i, k],
            "at_cap": at_cap[i, k]}  # fmt: skip
    out = {PLAN.name: _table(PLAN, rows), PROGRAMS.name: _programs(plan, amt)}
    shares = quotas.weekday_shares(counts)
    parts = []
    for j, p in enumerate(plan.programs):
        r = np.flatnonzero((imp[:, j] > 0) | (cash[:, j] > 0))
        if not r.size:
            continue
        days, qi = quotas.daily(imp[r, j], shares[r], p.delivery.start, p.delivery.end)
        _, qc = quotas.daily(cash[r, j], shares[r], p.delivery.start, p.delivery.end)
        keep = (qi > 0) | (qc > 0)
        ri, di = np.nonzero(keep)
        parts.append(pa.Table.from_pydict({
            "plan_id": pa.array([pid] * ri.size, STR), "creator_id": ids[r][ri], "program": [p.name] * ri.size,
            "date": pa.array(np.array(days, dtype="datetime64[D]")[di]), "impressions": qi[keep],
            "cash_fen": qc[keep]}, schema=QUOTAS.arrow_schema()))  # fmt: skip
    out[QUOTAS.name] = pa.concat_tables(parts) if parts else QUOTAS.arrow_schema().empty_table()
    c = plan.curves
    out[CURVES.name] = _table(CURVES, {
        "plan_id": [pid] * c.n, "creator_id": c.creator_id, "segment": c.segment, "theta": c.theta, "s": c.s,
        "seg_theta": c.seg_theta, "seg_s": c.seg_s, "weight": c.weight, "boosted_days": c.boosted_days,
        "work_days": plan.work_days, "impressions": imp.sum(1), "marginal_value": m_imp})  # fmt: skip
    return out


def _programs(plan: Plan, amt: dict[str, np.ndarray]) -> pa.Table:
    now = datetime.now(UTC).replace(tzinfo=None)
    rows: dict[str, list] = {c: [] for c in PROGRAMS.names}
    for kind, kp in plan.kinds.items():
        r = kp.result
        for j, col in enumerate(kp.columns):
            lam, mu = float(r.budget_multipliers[j]), r.floor_multipliers[j]
            vals = {"plan_id": plan.plan_id, "program": plan.programs[col].name, "kind": kind, "as_of": plan.as_of,
                    "created_at": now, "budget": int(kp.problem.budgets[j]), "allocated": int(kp.amounts[:, j].sum()),
                    "creators": int((kp.amounts[:, j] > 0).sum()), "shadow_price": float(r.shadow_prices[j]),
                    "budget_price": lam, "budget_binding": bool(r.budget_binding[j]),
                    "floors_binding": ",".join(t for t, b in zip(TIER_NAMES, r.floor_binding[j], strict=True) if b),
                    "primal": kp.primal, "dual_bound": kp.dual_bound, "gap": kp.gap,
                    **{f"price_{t}": lam - float(mu[ti]) for ti, t in enumerate(TIER_NAMES)}}  # fmt: skip
            for c in PROGRAMS.names:
                rows[c].append(vals[c])
    return _table(PROGRAMS, rows)


def write_plan(wh: Warehouse, plan: Plan, counts: np.ndarray) -> dict[str, int]:
    """Replace the plan id's rows in every plan table in one transaction; return rows written per table."""
    for kp in plan.kinds.values():  # nothing that breaks a floor, cap or budget is ever stored
        kp.check()
    data = plan_tables(plan, counts)
    with wh.writer() as w:  # (a read-only engine refuses here, before anything is written)
        for name, t in TABLES.items():
            w.ensure(t)
            w.delete(t, plan_id=plan.plan_id)
            w.insert(t, data[name])
    rows = {name: data[name].num_rows for name in TABLES}
    creators = len(np.unique(data[PLAN.name].column("creator_id").to_numpy()))
    gaps = ", ".join(f"{kind} {kp.gap:.2e}" for kind, kp in plan.kinds.items()) or "none"
    log.info("plan %s written: %d programs, %d creators, gap %s, %d plan rows, %d quota rows", plan.plan_id,
             len(plan.programs), creators, gaps, rows[PLAN.name], rows[QUOTAS.name])  # fmt: skip
    return rows
