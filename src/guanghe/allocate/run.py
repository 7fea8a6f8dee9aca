"""The allocation use case: the warehouse's creators and history, the program files → a stored plan."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from guanghe.allocate.plan import Plan, make_plan
from guanghe.allocate.quotas import weekday_counts
from guanghe.allocate.store import write_plan
from guanghe.data.warehouse.base import Warehouse, WarehouseError
from guanghe.programs import Program, load_programs
from guanghe.programs.features import last_activity_day
from guanghe.programs.ibis_util import UTC_ZONE


@dataclass
class Allocation:
    plan: Plan
    programs: list[Program]
    as_of: date
    creators: int  # creators joined by as_of: the platform the budgets are scaled to
    rows: dict[str, int]  # rows written per plan table
    seconds: float


def allocate_and_store(
    wh: Warehouse, directory: Path, as_of: date | None = None, plan_id: str | None = None, tol: float = 1e-4,
    scale: float | None = None, zone: ZoneInfo = UTC_ZONE,
) -> Allocation:  # fmt: skip
    """Load the program files (budgets scaled to the platform's creators unless ``scale``), plan every budget as
    of ``as_of`` (default: the platform day of the newest work) and store the plan (``plan-AS_OF`` unless
    ``plan_id``). Raises ProgramError, InfeasibleProgram/InfeasibleProblem or WarehouseError; writes nothing then."""
    tables = wh.tables()
    day = as_of or last_activity_day(tables, zone)
    if day is None:
        raise WarehouseError("the warehouse has no works; give --as-of")
    creators = tables["creators"]
    n = int(creators.filter(creators.joined_on <= day).count().execute())
    programs = load_programs(directory, scale, platform_creators=None if scale is not None else n)
    started = time.perf_counter()
    plan = make_plan(tables, programs, day, plan_id or f"plan-{day}", tol, zone)
    rows = write_plan(wh, plan, weekday_counts(tables, plan.platform.creator_id, day, zone))
    return Allocation(plan, programs, day, n, rows, time.perf_counter() - started)
