"""The operator console's ECharts options (drawn by ``static/app.js`` from JSON blocks, like ``charts``):
trends, distributions, the plan's budgets and change, pacing. Money series are fen (``"fen": true``)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from guanghe.data.tiers import TIERS
from guanghe.web.charts import PALETTE, _base, _t, bars, daily, stacked_months


def dashboard(d, trends, request: Request) -> dict[str, Any]:
    """Monthly trends (counts; income in fen), income by channel per month, and the period's spread."""
    t = _t(request)
    out: dict[str, Any] = {}
    if trends is not None:
        counts = {k: [int(v) for v in trends.series[k]] for k in ("works_published", "active_creators",
                                                                   "active_creators_10k")}  # fmt: skip
        out["activity"] = daily(trends.months, counts, request)
        out["income"] = stacked_months(
            trends.months, {c: v for c, v in trends.channels.items() if any(v)}, request
        )
        support = [int(v) for v in trends.series["support_impressions"]]
        out["support"] = daily(trends.months, {"support_impressions": support}, request)
    tiers = {str(r["tier"]): r for r in d.tiers}
    names = [name for name, _ in TIERS]
    option = _base([t(f"tier_{n}") for n in names])
    option["series"] = [{"name": t(f"op_{k}"), "type": "bar", "data": [int(tiers[n][k]) if n in tiers else 0
                                                                      for n in names]}
                        for k in ("creators", "active", "supported")]  # fmt: skip
    out["tiers"] = option
    out["channels"] = bars([t(f"channel_{c}") for c, _ in d.channels], [v for _, v in d.channels],
                           t("op_income"), money=True)  # fmt: skip
    return out


def eligible(checks, request: Request) -> dict:
    """Eligible creators per program, stacked by tier."""
    t = _t(request)
    option = _base([c.program.name for c in checks])
    option["series"] = [{"name": t(f"tier_{n}"), "type": "bar", "stack": "all",
                         "data": [c.eligible.get(n, 0) for c in checks]} for n, _ in TIERS]  # fmt: skip
    return option


def plan_budgets(rows: list[dict], request: Request) -> dict | None:
    """Impressions per program: budget and allocated."""
    t = _t(request)
    imp = [r for r in rows if r["kind"] == "impressions"]
    if not imp:
        return None
    option = _base([r["program"] for r in imp])
    option["series"] = [
        {"name": t("op_budget"), "type": "bar", "data": [int(r["budget"]) for r in imp]},
        {"name": t("op_allocated"), "type": "bar", "data": [int(r["allocated"]) for r in imp]},
    ]
    return option


def plan_change(pv, request: Request) -> dict | None:
    """Allocated impressions per program: the stored plan and the edited one."""
    t = _t(request)
    imp = [r for r in pv.rows if r["kind"] == "impressions"]
    if not imp:
        return None
    option = _base([r["program"] for r in imp])
    option["series"] = [
        {"name": t(label), "type": "bar", "data": [r[f"allocated_{when}"] or 0 for r in imp]}
        for label, when in (("op_stored_plan", "before"), ("op_edited_plan", "after"))
    ]
    return option


def pacing(p, request: Request) -> dict | None:
    """Cumulative delivered (bars) against the cumulative target (lines), all programs, by hour."""
    if not p.served:
        return None
    t = _t(request)
    hours = [f"{h:02d}" for h in range(24)]
    option = _base(hours)
    delivered = [sum(x.hourly[h] for x in p.programs) for h in range(24)]
    cum, acc = [], 0
    for v in delivered:
        acc += v
        cum.append(acc)
    target = [sum(x.target[h] for x in p.programs) for h in range(24)]
    quota = sum(x.quota for x in p.programs)
    option["series"] = [
        {
            "name": t("op_delivered_cum"),
            "type": "bar",
            "data": cum[: p.hours_done] if p.hours_done < 24 else cum,
        },
        {"name": t("op_target_cum"), "type": "line", "showSymbol": False, "data": target},
        {
            "name": t("op_quota"),
            "type": "line",
            "showSymbol": False,
            "lineStyle": {"type": "dashed"},
            "data": [quota] * 24,
        },
    ]
    option["color"] = [PALETTE[0], PALETTE[1], PALETTE[3]]
    return option


def money(acc, report, request: Request) -> dict[str, Any]:
    t = _t(request)
    out: dict[str, Any] = {}
    if acc is not None:
        out["accrual"] = stacked_months(acc.months, acc.channels, request)
    if report is not None:
        months = [m["month"] for m in report.months]
        option = _base(months, money=True)
        option["series"] = [{"name": t("net_income"), "type": "bar", "data": [m["net_income_fen"] for m in report.months]},
                            {"name": t("payout"), "type": "bar", "data": [m["payout_fen"] for m in report.months]}]  # fmt: skip
        out["settled"] = option
    return out


def quarantine(q, request: Request) -> dict | None:
    t = _t(request)
    if not q.by_table:
        return None
    return bars(list(q.by_table), list(q.by_table.values()), t("op_quarantined_rows"))
