"""An operator's world for the console's tests: the shared synthetic platform's warehouse, ledger and the
shipped program files COPIED into a folder of the test's own (the console writes program files and reruns
the allocation into the warehouse), an application database with the demo cast, and the app over them."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import World
from web_platform import PASSWORD, PlatformFiles

from guanghe.programs import PROGRAMS_DIR
from guanghe.web.app import assemble
from guanghe.web.demo import demo_accounts, ensure_database
from guanghe.web.settings import WebSettings
from guanghe.web.state import build_state


def operator_world(platform: PlatformFiles, folder: Path) -> World:
    wh = folder / "wh.duckdb"
    shutil.copy(platform.warehouse.removeprefix("duckdb:///"), wh)
    ledger = folder / "ledger.sqlite3"
    shutil.copy(platform.ledger_file, ledger)
    programs = folder / "programs"
    shutil.copytree(PROGRAMS_DIR, programs)
    settings = WebSettings(f"duckdb:///{wh}", f"sqlite:///{folder / 'app.sqlite3'}", f"sqlite:///{ledger}",
                           timezone="UTC", programs=str(programs))  # fmt: skip
    ensure_database(settings.db)
    state = build_state(settings)
    accounts = {a.role: a for a in demo_accounts(state, PASSWORD)}
    world = World(state, accounts)
    world.app = assemble(state)
    world.extra.update(programs=programs, warehouse=settings.warehouse, ledger=settings.ledger)
    return world
