"""An operator's world for the console's tests: the shared synthetic platform's warehouse, ledger and the
shipped program files COPIED into a folder of the test's own (the console writes program files and reruns
the allocation into the warehouse), an application database with the demo cast, and the app over them."""

from __future__ import annotations

import shutil
from pathlib import Path

from web_platform import PASSWORD, PlatformFiles
from web_world import World

from guanghe.programs import PROGRAMS_DIR
from guanghe.web.app import assemble
from guanghe.web.demo import demo_accounts, ensure_database
from guanghe.web.settings import WebSettings
from guanghe.web.state import build_state


def operator_world(platform: PlatformFiles, folder: Path) -> World:
    wh, ledger, programs = copies(platform, folder)
    settings = WebSettings(f"duckdb:///{wh}", f"sqlite:///{folder / 'app.sqlite3'}", f"sqlite:///{ledger}",
                           timezone="UTC", programs=str(programs))  # fmt: skip
    ensure_database(settings.db)
    state = build_state(settings)
    accounts = {a.role: a for a in demo_accounts(state, PASSWORD)}
    world = World(state, accounts)
    world.app = assemble(state)
    world.extra.update(programs=programs, warehouse=settings.warehouse, ledger=settings.ledger)
    return world


def copies(platform: PlatformFiles, folder: Path) -> tuple[Path, Path, Path]:
    """The warehouse, ledger and program files copied into ``folder``."""
    wh, ledger, programs = folder / "wh.duckdb", folder / "ledger.sqlite3", folder / "programs"
    shutil.copy(platform.warehouse.removeprefix("duckdb:///"), wh)
    shutil.copy(platform.ledger_file, ledger)
    shutil.copytree(PROGRAMS_DIR, programs)
    return wh, ledger, programs


def serve(platform: PlatformFiles, folder: Path):
    """``guanghe web --programs COPY`` on copies, as a subprocess (conftest ``operator_server``)."""
    from web_world import start_web

    wh, ledger, programs = copies(platform, folder)
    server = start_web(folder, ["--warehouse", f"duckdb:///{wh}", "--db", f"sqlite:///{folder / 'app.sqlite3'}",
                                "--ledger", f"sqlite:///{ledger}", "--programs", str(programs), "--timezone", "UTC"])  # fmt: skip
    server.programs, server.warehouse = programs, f"duckdb:///{wh}"
    return server
