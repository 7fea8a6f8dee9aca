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


def serve(platform: PlatformFiles, folder: Path, port: int):
    """``guanghe web --programs COPY`` on copies, as a subprocess (conftest ``operator_server``)."""
    import json
    import os
    import socket
    import subprocess
    import sys
    import time

    import pytest
    from web_world import SRC, Server

    wh, ledger, programs = copies(platform, folder)
    env = {**os.environ, "PYTHONPATH": f"{SRC}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    cmd = [sys.executable, "-m", "guanghe", "web", "--port", str(port), "--warehouse", f"duckdb:///{wh}",
           "--db", f"sqlite:///{folder / 'app.sqlite3'}", "--ledger", f"sqlite:///{ledger}", "--programs",
           str(programs), "--timezone", "UTC", "--demo-password", PASSWORD, "--json"]  # fmt: skip
    log = open(folder / "server.log", "w+")  # noqa: SIM115 - kept open while the server runs
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=log, text=True, env=env, cwd=folder)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line:
        proc.wait(10)
        log.seek(0)
        pytest.fail(f"guanghe web did not start: {log.read()}")
    info = json.loads(line)
    deadline = time.monotonic() + 60
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                pytest.fail(f"guanghe web is not listening: {log.read()}")
            time.sleep(0.1)
    server = Server(f"http://127.0.0.1:{port}", {a["role"]: a for a in info["accounts"]}, proc, folder)
    server.programs = programs  # type: ignore[attr-defined]
    server.warehouse = f"duckdb:///{wh}"  # type: ignore[attr-defined]
    return server
