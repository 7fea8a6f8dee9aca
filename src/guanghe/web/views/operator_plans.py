"""Allocation runs as the warehouse keeps them (``allocate.store``): one run per plan id in
``allocation_programs`` (budgets, shadow prices, the certificate per budget kind), ``explain`` for a creator,
and a rerun (``allocate.run.allocate_and_store``) — the console's one write to the warehouse."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from guanghe.allocate.explain import Explanation, explain
from guanghe.allocate.run import Allocation, allocate_and_store
from guanghe.allocate.store import PROGRAMS
from guanghe.data.warehouse import Warehouse, open_warehouse
from guanghe.programs import load_programs


@dataclass(frozen=True)
class Run:
    plan_id: str
    as_of: object
    created_at: datetime
    programs: int
    gaps: dict[str, float]  # kind -> the stored plan's certified gap


def runs(wh: Warehouse) -> list[Run]:
    """Every stored plan, newest first."""
    if not wh.has(PROGRAMS):
        return []
    t = wh.table(PROGRAMS)
    rows = wh.fetch(t.select("plan_id", "as_of", "created_at", "program", "kind", "gap")).to_pylist()
    by: dict[str, list[dict]] = {}
    for r in rows:
        by.setdefault(r["plan_id"], []).append(r)
    out = [Run(pid, rs[0]["as_of"], max(r["created_at"] for r in rs), len({r["program"] for r in rs}),
               {r["kind"]: float(r["gap"]) for r in rs}) for pid, rs in by.items()]  # fmt: skip
    return sorted(out, key=lambda r: (r.created_at, r.plan_id), reverse=True)


def latest_plan(wh: Warehouse) -> str | None:
    found = runs(wh)
    return found[0].plan_id if found else None


def plan_programs(wh: Warehouse, plan_id: str) -> list[dict]:
    """The plan's rows of ``allocation_programs`` (program, kind, budget, allocated, prices, certificate)."""
    if not wh.has(PROGRAMS):
        return []
    t = wh.table(PROGRAMS)
    return wh.fetch(t.filter(t.plan_id == plan_id).order_by(["kind", "program"])).to_pylist()


def certificate(rows: list[dict]) -> dict[str, dict]:
    """Per budget kind: value of the stored plan (primal), the dual bound and the gap (same on each row)."""
    return {r["kind"]: {"primal": r["primal"], "dual_bound": r["dual_bound"], "gap": r["gap"]} for r in rows}


def new_plan_id(as_of: object, now: datetime | None = None) -> str:
    """A rerun's plan id: ``plan-AS_OF-web-YYYYMMDDTHHMMSS`` (UTC), so the runs list keeps the previous one."""
    now = now or datetime.now(UTC)
    return f"plan-{as_of}-web-{now:%Y%m%dT%H%M%S}"


def rerun(url: str, directory: Path, zone: ZoneInfo) -> Allocation:
    """Plan every program of ``directory`` and store it under a new plan id. Opens the warehouse WRITABLE for
    the run only (DuckDB admits one writing process: ``guanghe allocate``, ``ingest`` or a flushing
    ``guanghe serve`` must not write at the same moment; pages reading meanwhile may answer 503)."""
    with open_warehouse(url) as wh:
        from guanghe.programs.features import last_activity_day

        day = last_activity_day(wh.tables(), zone)
        return allocate_and_store(wh, Path(directory), day, new_plan_id(day), zone=zone)


def explain_creator(wh: Warehouse, creator_id: int, directory: Path, plan_id: str | None,
                    zone: ZoneInfo) -> Explanation:  # fmt: skip
    """``guanghe explain`` for one creator: the programs of the folder, as the CLI loads them."""
    return explain(wh, creator_id, load_programs(directory), plan_id, zone)
