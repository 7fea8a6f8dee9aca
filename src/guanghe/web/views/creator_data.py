"""What the creator center shows, read from the warehouse for ONE creator (the signed-in one: the pages pass
``principal.external_id``, never an id from the request): daily plays and followers, support traffic by
program and day, next week's planned support, income by channel and month, statements and payouts."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from guanghe.allocate.store import PROGRAMS as PLAN_PROGRAMS
from guanghe.allocate.store import QUOTAS
from guanghe.data.warehouse import Warehouse

DAYS = 90


def _series(rows: list[dict], key: str, days: list[date]) -> list[int]:
    by_day = {r["date"]: r[key] for r in rows}
    return [int(by_day.get(d, 0) or 0) for d in days]


def overview(wh: Warehouse, creator_id: int, as_of: date) -> dict[str, Any]:
    """Plays and followers per day over the last ``DAYS`` days, support impressions by program and day, the
    30-day totals, and next week's planned support by program."""
    start = as_of - timedelta(days=DAYS - 1)
    days = [start + timedelta(days=i) for i in range(DAYS)]
    w = wh.table("works")
    works = w.filter(w.creator_id == creator_id).select("work_id")
    wd = wh.table("work_daily")
    wd = wd.filter((wd.date >= start) & (wd.date <= as_of)).semi_join(works, "work_id")
    plays = wh.fetch(
        wd.group_by("date").aggregate(plays=wd.plays.sum(), boosted=wd.boosted_impressions.sum())
    )
    cd = wh.table("creator_daily")
    fol = wh.fetch(cd.filter((cd.creator_id == creator_id) & (cd.date >= start) & (cd.date <= as_of))
                   .select("date", "followers"))  # fmt: skip
    wb = wh.table("work_boost")
    wb = wb.filter((wb.date >= start) & (wb.date <= as_of)).semi_join(works, "work_id")
    boost = wh.fetch(wb.group_by(["date", "program"]).aggregate(impressions=wb.impressions.sum())).to_pylist()
    by_program: dict[str, dict[date, int]] = defaultdict(dict)
    for r in boost:
        by_program[r["program"]][r["date"]] = int(r["impressions"])
    plays_rows, fol_rows = plays.to_pylist(), fol.to_pylist()
    followers = _series(fol_rows, "followers", days)
    last = max((r["date"] for r in fol_rows), default=None)
    plays_series = _series(plays_rows, "plays", days)
    return {
        "days": [d.isoformat() for d in days],
        "plays": plays_series,
        "followers": followers,
        "followers_now": next((r["followers"] for r in fol_rows if r["date"] == last), None),
        "plays_30d": sum(plays_series[-30:]),
        "support_30d": sum(v for p in by_program.values() for d, v in p.items() if d > as_of - timedelta(30)),
        "support": {p: [v.get(d, 0) for d in days] for p, v in sorted(by_program.items())},
        "planned": planned_support(wh, creator_id, as_of),
    }


def planned_support(wh: Warehouse, creator_id: int, as_of: date) -> list[dict[str, Any]]:
    """Next week's planned support impressions and cash by program (the latest plan's daily quotas for the
    7 days after ``as_of``); empty without a plan."""
    if not (wh.has(QUOTAS) and wh.has(PLAN_PROGRAMS)):
        return []
    p = wh.table(PLAN_PROGRAMS)
    latest = (
        wh.fetch(p.order_by(p.created_at.desc()).select("plan_id").limit(1)).column("plan_id").to_pylist()
    )
    if not latest:
        return []
    q = wh.table(QUOTAS)
    q = q.filter((q.plan_id == latest[0]) & (q.creator_id == creator_id) & (q.date > as_of)
                 & (q.date <= as_of + timedelta(days=7)))  # fmt: skip
    rows = wh.fetch(q.group_by("program").aggregate(impressions=q.impressions.sum(), cash_fen=q.cash_fen.sum(),
                                                     days=q.date.nunique()).order_by("program"))  # fmt: skip
    return rows.to_pylist()


def first_month(as_of: date, months: int) -> date:
    """The first day of the month ``months - 1`` months before ``as_of``'s."""
    y, m = as_of.year, as_of.month - (months - 1)
    while m <= 0:
        y, m = y - 1, m + 12
    return date(y, m, 1)


def income_totals(wh: Warehouse, creator_ids: list[int], as_of: date, months: int = 12) -> dict[int, int]:
    """Each creator's income total over the last ``months`` months (``income(...)["total"]``), in one query
    (creators without income: 0)."""
    if not creator_ids or not wh.has("income"):
        return dict.fromkeys(creator_ids, 0)
    t = wh.table("income")
    t = t.filter(t.creator_id.isin(creator_ids) & (t.occurred_at >= first_month(as_of, months)))
    rows = wh.fetch(t.group_by("creator_id").aggregate(fen=t.amount_fen.sum())).to_pylist()
    found = {r["creator_id"]: int(r["fen"]) for r in rows}
    return {c: found.get(c, 0) for c in creator_ids}


def income(wh: Warehouse, creator_id: int, as_of: date, months: int = 12) -> dict[str, Any]:
    """Income (the ledger's export) by month and channel over the last ``months`` months, and totals."""
    if not wh.has("income"):
        return {"months": [], "channels": {}, "totals": {}, "total": 0}
    first = first_month(as_of, months)
    t = wh.table("income")
    t = t.filter((t.creator_id == creator_id) & (t.occurred_at >= first))
    rows = wh.fetch(t.group_by([t.occurred_at.strftime("%Y-%m").name("month"), "channel"])
                    .aggregate(fen=t.amount_fen.sum())).to_pylist()  # fmt: skip
    month_names = sorted({r["month"] for r in rows})
    channels: dict[str, dict[str, int]] = defaultdict(dict)
    for r in rows:
        channels[r["channel"]][r["month"]] = int(r["fen"])
    totals = {c: sum(v.values()) for c, v in channels.items()}
    return {
        "months": month_names,
        "channels": {c: [v.get(m, 0) for m in month_names] for c, v in sorted(channels.items())},
        "totals": dict(sorted(totals.items(), key=lambda kv: -kv[1])),
        "total": sum(totals.values()),
    }


def statements(wh: Warehouse, kind: str, payee_id: int) -> list[dict[str, Any]]:
    """The payee's monthly statements (newest first) with their payouts' latest status."""
    if not wh.has("money_statements"):
        return []
    s = wh.table("money_statements")
    rows = wh.fetch(s.filter((s.payee_kind == kind) & (s.payee_id == payee_id)).order_by(s.month.desc())
                    .select("month", "net_income_fen", "mcn_share_fen", "withholding_fen", "available_fen",
                            "payout_fen", "payout_id", "carried_to_next_fen")).to_pylist()  # fmt: skip
    status = payout_status(wh, kind, payee_id)
    for r in rows:
        r["payout_status"] = status.get(r["payout_id"]) if r["payout_id"] else None
    return rows


def payout_status(wh: Warehouse, kind: str, payee_id: int) -> dict[str, str]:
    """payout id → its latest status (in_payout, paid, failed)."""
    if not wh.has("payouts"):
        return {}
    p = wh.table("payouts")
    rows = wh.fetch(p.filter((p.payee_kind == kind) & (p.payee_id == payee_id))
                    .select("payout_id", "status", "updated_at")).to_pylist()  # fmt: skip
    latest: dict[str, tuple] = {}
    for r in rows:
        if r["payout_id"] not in latest or r["updated_at"] >= latest[r["payout_id"]][0]:
            latest[r["payout_id"]] = (r["updated_at"], r["status"])
    return {k: v[1] for k, v in latest.items()}


def recent_works(wh: Warehouse, creator_id: int, limit: int = 20) -> list[dict[str, Any]]:
    """The creator's latest works (what a delivery may name)."""
    w = wh.table("works")
    return wh.fetch(w.filter(w.creator_id == creator_id).order_by(w.published_at.desc()).limit(limit)
                    .select("work_id", "title", "published_at", "kind")).to_pylist()  # fmt: skip
