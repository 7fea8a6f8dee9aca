"""The plan's summary as data: what ``guanghe allocate`` prints as a table, and as JSON with ``--json``.

Every figure is of the stored plan (whole units): budget, allocated, creators, each tier floor in whole units
with the amount its tier got and whether it holds, the shadow price, and each kind's certificate (value of the
stored plan, the dual bound, the gap).
"""

from __future__ import annotations

from guanghe.allocate.plan import Plan
from guanghe.allocate.problem import TIER_NAMES


def summary(plan: Plan, rows: dict[str, int]) -> dict:
    """plan id, as-of day, rows written per table, the certificate per kind, and one entry per (program, kind)."""
    certificate, programs = {}, []
    for kind, kp in plan.kinds.items():
        r = kp.result
        certificate[kind] = {"primal": kp.primal, "dual_bound": kp.dual_bound, "gap": kp.gap,
                             "seconds": float(r.stats.get("seconds", 0.0)),
                             # with program outcome weights the value is in follows of an average creator
                             "unit": "follows" if kp.problem.rate is None else "follows (outcome-weighted)"}  # fmt: skip
        floor_units, got = kp.problem.floor_units(), kp.floor_totals()
        for j, col in enumerate(kp.columns):
            floors = [
                {
                    "tier": tier,
                    "share": float(kp.problem.floors[j, t]),
                    "floor": int(floor_units[j, t]),
                    "allocated": int(got[j, t]),
                    "holds": bool(got[j, t] >= floor_units[j, t]),
                    "binding": bool(r.floor_binding[j, t]),
                }
                for t, tier in enumerate(TIER_NAMES)
                if kp.problem.floors[j, t] > 0
            ]
            programs.append({
                "program": plan.programs[col].name, "kind": kind, "budget": int(kp.problem.budgets[j]),
                "allocated": int(kp.amounts[:, j].sum()), "creators": int((kp.amounts[:, j] > 0).sum()),
                "shadow_price": float(r.shadow_prices[j]), "budget_binding": bool(r.budget_binding[j]),
                "floors": floors, "floors_hold": all(f["holds"] for f in floors),
            })  # fmt: skip
    return {"plan_id": plan.plan_id, "as_of": plan.as_of.isoformat(), "creators": plan.platform.n,
            "rows": dict(rows), "certificate": certificate, "programs": programs}  # fmt: skip
