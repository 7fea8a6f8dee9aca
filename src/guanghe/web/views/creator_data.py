"""What the creator center shows, read from the warehouse for ONE creator (the signed-in one: the pages pass
``principal.external_id``, never an id from the request): daily plays and followers, support traffic by
program and day, next week's planned support, income by channel and month, statements and payouts."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pyarrow as pa

from guanghe.allocate.store import PROGRAMS as PLAN_PROGRAMS
from guanghe.allocate.store import QUOTAS
from guanghe.data.warehouse import Warehouse
from guanghe.web.by_creator import ByCreator

DAYS = 90


def _series(rows: list[dict], key: str, days: list[date]) -> list[int]:
    by_day = {r["date"]: r[key] for r in rows}
    return [int(by_day.get(d, 0) or 0) for d in days]


@dataclass(frozen=True)
class OverviewRows:
    """The overview's warehouse rows for a set of creators (one creator, or all of them at once: the web's
    snapshot), each table keyed by creator: daily plays, daily followers, support impressions by day and
    program over the ``DAYS`` days to ``as_of``, and next week's planned support by program."""

    as_of: date
    plays: ByCreator  # creator_id, date, plays
    followers: ByCreator  # creator_id, date, followers
    support: ByCreator  # creator_id, date, program, impressions
    planned: ByCreator  # creator_id, program, impressions, cash_fen, days


def overview_rows(wh: Warehouse, as_of: date, creators: list[int] | None = None) -> OverviewRows:
    """The overview's rows of ``creators`` (None: every creator), four queries whatever their number."""
    start = as_of - timedelta(days=DAYS - 1)
    w = wh.table("works")
    cd = wh.table("creator_daily")
    cd = cd.filter((cd.date >= start) & (cd.date <= as_of))
    if creators is not None:
        w, cd = w.filter(w.creator_id.isin(creators)), cd.filter(cd.creator_id.isin(creators))
    owners = w.select("work_id", "creator_id")
    wd = wh.table("work_daily")
    wd = wd.filter((wd.date >= start) & (wd.date <= as_of)).join(owners, "work_id")
    plays = wd.group_by(["creator_id", "date"]).aggregate(plays=wd.plays.sum())
    wb = wh.table("work_boost")
    wb = wb.filter((wb.date >= start) & (wb.date <= as_of)).join(owners, "work_id")
    support = wb.group_by(["creator_id", "date", "program"]).aggregate(impressions=wb.impressions.sum())
    return OverviewRows(
        as_of,
        ByCreator(wh.fetch(plays)),
        ByCreator(wh.fetch(cd.select("creator_id", "date", "followers"))),
        ByCreator(wh.fetch(support)),
        ByCreator(planned_rows(wh, as_of, creators)),
    )


def overview_of(rows: OverviewRows, creator_id: int) -> dict[str, Any]:
    """One creator's overview from ``rows``: plays and followers per day over the last ``DAYS`` days, support
    impressions by program and day, the 30-day totals, and next week's planned support by program."""
    as_of = rows.as_of
    start = as_of - timedelta(days=DAYS - 1)
    days = [start + timedelta(days=i) for i in range(DAYS)]
    by_program: dict[str, dict[date, int]] = defaultdict(dict)
    for r in rows.support.rows(creator_id):
        by_program[r["program"]][r["date"]] = int(r["impressions"])
    plays_rows, fol_rows = rows.plays.rows(creator_id), rows.followers.rows(creator_id)
    followers = _series(fol_rows, "followers", days)
    last = max((r["date"] for r in fol_rows), default=None)
    plays_series = _series(plays_rows, "plays", days)
    planned = [{k: v for k, v in r.items() if k != "creator_id"} for r in rows.planned.rows(creator_id)]
    return {
        "days": [d.isoformat() for d in days],
        "plays": plays_series,
        "followers": followers,
        "followers_now": next((r["followers"] for r in fol_rows if r["date"] == last), None),
        "plays_30d": sum(plays_series[-30:]),
        "support_30d": sum(v for p in by_program.values() for d, v in p.items() if d > as_of - timedelta(30)),
        "support": {p: [v.get(d, 0) for d in days] for p, v in sorted(by_program.items())},
        "planned": sorted(planned, key=lambda r: r["program"]),
    }


def overview(wh: Warehouse, creator_id: int, as_of: date) -> dict[str, Any]:
    """One creator's overview (``overview_of``), read for that creator alone."""
    return overview_of(overview_rows(wh, as_of, [creator_id]), creator_id)


def planned_rows(wh: Warehouse, as_of: date, creators: list[int] | None = None) -> pa.Table:
    """Next week's planned support impressions and cash by creator and program (the latest plan's daily quotas
    for the 7 days after ``as_of``); no rows without a plan."""
    empty = pa.table({"creator_id": pa.array([], pa.int64())})
    if not (wh.has(QUOTAS) and wh.has(PLAN_PROGRAMS)):
        return empty
    p = wh.table(PLAN_PROGRAMS)
    latest = (
        wh.fetch(p.order_by(p.created_at.desc()).select("plan_id").limit(1)).column("plan_id").to_pylist()
    )
    if not latest:
        return empty
    q = wh.table(QUOTAS)
    q = q.filter((q.plan_id == latest[0]) & (q.date > as_of) & (q.date <= as_of + timedelta(days=7)))
    if creators is not None:
        q = q.filter(q.creator_id.isin(creators))
    return wh.fetch(q.group_by(["creator_id", "program"]).aggregate(
        impressions=q.impressions.sum(), cash_fen=q.cash_fen.sum(), days=q.date.nunique()))  # fmt: skip


def first_month(as_of: date, months: int) -> date:
    """The first day of the month ``months - 1`` months before ``as_of``'s."""
    y, m = as_of.year, as_of.month - (months - 1)
    while m <= 0:
        y, m = y - 1, m + 12
    return date(y, m, 1)


def income_rows(wh: Warehouse, as_of: date, creators: list[int] | None = None, months: int = 12) -> ByCreator:
    """Income (the ledger's export) summed by creator, month and channel over the last ``months`` months, of
    ``creators`` (None: every creator, one query)."""
    if not wh.has("income"):
        return ByCreator(pa.table({"creator_id": pa.array([], pa.int64())}))
    t = wh.table("income")
    t = t.filter(t.occurred_at >= first_month(as_of, months))
    if creators is not None:
        t = t.filter(t.creator_id.isin(creators))
    return ByCreator(wh.fetch(t.group_by(["creator_id", t.occurred_at.strftime("%Y-%m").name("month"), "channel"])
                              .aggregate(fen=t.amount_fen.sum())))  # fmt: skip


def income_of(rows: ByCreator, creator_id: int) -> dict[str, Any]:
    """One creator's income by month and channel, and totals, from ``income_rows``."""
    found = rows.rows(creator_id)
    month_names = sorted({r["month"] for r in found})
    channels: dict[str, dict[str, int]] = defaultdict(dict)
    for r in found:
        channels[r["channel"]][r["month"]] = int(r["fen"])
    totals = {c: sum(v.values()) for c, v in channels.items()}
    return {
        "months": month_names,
        "channels": {c: [v.get(m, 0) for m in month_names] for c, v in sorted(channels.items())},
        "totals": dict(sorted(totals.items(), key=lambda kv: -kv[1])),
        "total": sum(totals.values()),
    }


def income(wh: Warehouse, creator_id: int, as_of: date, months: int = 12) -> dict[str, Any]:
    """One creator's income (``income_of``), read for that creator alone."""
    return income_of(income_rows(wh, as_of, [creator_id], months), creator_id)


def income_totals(wh: Warehouse, creator_ids: list[int], as_of: date, months: int = 12) -> dict[int, int]:
    """Each creator's income total over the last ``months`` months (``income(...)["total"]``), in one query
    (creators without income: 0)."""
    if not creator_ids:
        return {}
    return totals_of(income_rows(wh, as_of, creator_ids, months), creator_ids)


def totals_of(rows: ByCreator, creator_ids: list[int] | tuple[int, ...]) -> dict[int, int]:
    return {c: sum(int(r["fen"]) for r in rows.rows(c)) for c in creator_ids}


def statement_rows(wh: Warehouse, kind: str, payees: list[int] | None = None) -> ByCreator:
    """Monthly statements of payees of ``kind`` (None: all of them) with their payouts' latest status,
    keyed by ``payee_id``."""
    cols = ("payee_id", "month", "net_income_fen", "mcn_share_fen", "withholding_fen", "available_fen",
            "payout_fen", "payout_id", "carried_to_next_fen")  # fmt: skip
    if not wh.has("money_statements"):
        return ByCreator(pa.table({"payee_id": pa.array([], pa.int64())}), key="payee_id")
    s = wh.table("money_statements")
    s = s.filter(s.payee_kind == kind)
    if payees is not None:
        s = s.filter(s.payee_id.isin(payees))
    rows = wh.fetch(s.select(*cols))
    status: dict[str, str] = {}
    if wh.has("payouts"):
        p = wh.table("payouts")
        p = p.filter(p.payee_kind == kind)
        if payees is not None:
            p = p.filter(p.payee_id.isin(payees))
        newest: dict[
            str, tuple
        ] = {}  # payout id -> (updated_at, status): the latest row (the last one on a tie)
        for r in wh.fetch(p.select("payout_id", "status", "updated_at")).to_pylist():
            if r["payout_id"] not in newest or r["updated_at"] >= newest[r["payout_id"]][0]:
                newest[r["payout_id"]] = (r["updated_at"], r["status"])
        status = {k: v[1] for k, v in newest.items()}
    ids = rows.column("payout_id").to_pylist()
    rows = rows.append_column(
        "payout_status", pa.array([status.get(i) if i else None for i in ids], pa.string())
    )
    return ByCreator(rows, key="payee_id")


def statements_of(rows: ByCreator, payee_id: int) -> list[dict[str, Any]]:
    """One payee's statements, newest first, from ``statement_rows``."""
    found = sorted(rows.rows(payee_id), key=lambda r: r["month"], reverse=True)
    return [{k: v for k, v in r.items() if k != "payee_id"} for r in found]


def statements(wh: Warehouse, kind: str, payee_id: int) -> list[dict[str, Any]]:
    """The payee's monthly statements (newest first) with their payouts' latest status."""
    return statements_of(statement_rows(wh, kind, [payee_id]), payee_id)


def recent_works(wh: Warehouse, creator_id: int, limit: int = 20) -> list[dict[str, Any]]:
    """The creator's latest works (what a delivery may name)."""
    w = wh.table("works")
    return wh.fetch(w.filter(w.creator_id == creator_id).order_by(w.published_at.desc()).limit(limit)
                    .select("work_id", "title", "published_at", "kind")).to_pylist()  # fmt: skip
