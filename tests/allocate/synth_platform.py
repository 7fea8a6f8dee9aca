"""A small synthetic platform (4,000 creators x 24 months) ingested into DuckDB, its money accrued (the income
export the programs' outcome weights read), planned and stored once per
test session (module-level cache: several test modules share it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from guanghe.allocate.plan import Plan, make_plan
from guanghe.allocate.quotas import weekday_counts
from guanghe.allocate.store import write_plan
from guanghe.data.ingest.load import ingest
from guanghe.data.warehouse.duckdb import DuckDBWarehouse
from guanghe.programs import PROGRAMS_DIR, Program, load_programs
from guanghe.synth import SynthConfig, generate
from ledger_income import accrue_income

AS_OF = date(2023, 6, 30)
CREATORS = 4_000
PLAN_ID = "test-plan"


@dataclass
class SmallPlatform:
    root: Path
    url: str
    truth: Path
    programs: list[Program]
    plan: Plan
    rows: dict[str, int]

    def open(self) -> DuckDBWarehouse:
        return DuckDBWarehouse(str(self.root / "wh.duckdb"))


_CACHE: dict[str, SmallPlatform] = {}


def small_platform(factory: pytest.TempPathFactory) -> SmallPlatform:
    if "p" not in _CACHE:
        root = factory.mktemp("alloc_platform")
        generate(SynthConfig(creators=CREATORS, months=24, seed=7), root / "synth")
        wh = DuckDBWarehouse(str(root / "wh.duckdb"))
        try:
            ingest([root / "synth" / "data"], wh)
            accrue_income(wh, root / "ledger.sqlite3", AS_OF)
            tables = wh.tables()
            progs = load_programs(PROGRAMS_DIR, platform_creators=CREATORS)
            plan = make_plan(tables, progs, AS_OF, PLAN_ID)
            rows = write_plan(wh, plan, weekday_counts(tables, plan.platform.creator_id, AS_OF))
        finally:
            wh.close()
        _CACHE["p"] = SmallPlatform(root, f"duckdb:///{root / 'wh.duckdb'}", root / "synth" / "truth", progs,
                                    plan, rows)  # fmt: skip
    return _CACHE["p"]


def plan_rows(db: Path, plan_id: str) -> int:
    """Rows of ``allocation_plan`` stored under ``plan_id`` in the DuckDB file ``db`` (0: nothing written)."""
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT count(*) FROM allocation_plan WHERE plan_id = ?", [plan_id]).fetchone()[0]
    finally:
        con.close()
