"""The shared small platform copied with the growth steps run on the copy (levels + badges, tasks paid on a
ledger copy, the originality scan), and a world (database, app) over it: for the growth pages' tests and the
snapshot's."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

from web_platform import UTC, PlatformFiles
from web_world import World, fresh_world

from guanghe.data.warehouse import open_warehouse
from guanghe.growth.cycle import run_growth
from guanghe.growth.originality.platform import run as scan_originality
from guanghe.growth.tasks import TASKS_DIR, load_tasks
from guanghe.growth.tasks.run import run_tasks
from guanghe.ledger import open_ledger
from guanghe.market.api.state import last_day
from guanghe.money.rules import CHANNELS_DIR
from guanghe.money.rules_load import load_rules
from guanghe.programs import PROGRAMS_DIR, load_programs


def build_growth_world(web_platform: PlatformFiles, folder: Path) -> World:
    db, ledger = folder / "wh.duckdb", folder / "ledger.sqlite3"
    shutil.copy(web_platform.warehouse.removeprefix("duckdb:///"), db)
    shutil.copy(web_platform.ledger_file, ledger)
    platform = replace(web_platform, warehouse=f"duckdb:///{db}", ledger_file=ledger)
    with open_warehouse(platform.warehouse) as wh:
        day = last_day(wh)
        run_growth(wh, day, UTC)
        progs = load_programs(PROGRAMS_DIR)
        tasks = load_tasks(TASKS_DIR, [p.name for p in progs])
        rules, _ = load_rules(CHANNELS_DIR, PROGRAMS_DIR)
        with open_ledger(f"sqlite:///{ledger}") as store:
            assert run_tasks(wh, store, tasks, rules, progs, day, UTC).ok
        assert scan_originality(wh, day, {}, UTC).flagged >= 2
    (folder / "world").mkdir()
    return fresh_world(platform, folder / "world")
