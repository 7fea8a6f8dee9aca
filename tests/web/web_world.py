"""The web tests' world: an application database with the demo cast, the app, signed-in clients (a module of
its own, not conftest, so test modules import it by a name no other folder uses)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import pytest
from web_helpers import WebClient, sign_in
from web_platform import PASSWORD, PlatformFiles

from guanghe.web.app import assemble
from guanghe.web.demo import DemoAccount, demo_accounts, ensure_database
from guanghe.web.settings import WebSettings
from guanghe.web.state import WebState, build_state


@dataclass
class World:
    state: WebState
    accounts: dict[str, DemoAccount]
    app: object = None
    extra: dict = field(default_factory=dict)

    def as_(self, role: str) -> WebClient:
        return sign_in(self.app, self.accounts[role].principal).client  # type: ignore[arg-type]

    def anonymous(self) -> WebClient:
        return WebClient(self.app)  # type: ignore[arg-type]


def fresh_world(platform: PlatformFiles, folder: Path) -> World:
    """A world on its own database and ledger copy (tests that write build one; most share ``web_world``)."""
    ledger = folder / "ledger.sqlite3"
    shutil.copy(platform.ledger_file, ledger)
    settings = WebSettings(platform.warehouse, f"sqlite:///{folder / 'app.sqlite3'}", f"sqlite:///{ledger}")
    ensure_database(settings.db)
    state = build_state(settings)
    accounts = {a.role: a for a in demo_accounts(state, PASSWORD)}
    world = World(state, accounts)
    world.app = assemble(state)
    return world


SRC = Path(__file__).parents[2] / "src"


@dataclass
class Server:
    url: str
    accounts: dict[str, dict]
    process: subprocess.Popen
    folder: Path
    log: IO[str] | None = None
    programs: Path | None = None  # the --programs copy, when the server was given one
    warehouse: str | None = None

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        if self.log is not None:
            self.log.close()


def start_web(folder: Path, args: list[str]) -> Server:
    """``guanghe web ARGS`` (the real command) on a free port as a subprocess, once it listens; its stderr in
    ``folder/server.log``. ``args``: the stores and options (``--port``, ``--demo-password`` and ``--json``
    are added)."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": f"{SRC}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    cmd = [sys.executable, "-m", "guanghe", "web", "--port", str(port), *args, "--demo-password", PASSWORD,
           "--json"]  # fmt: skip
    log = open(folder / "server.log", "w+")  # noqa: SIM115 - closed by Server.stop
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
    accounts = {a["role"]: a for a in info["accounts"]}
    return Server(f"http://127.0.0.1:{port}", accounts, proc, folder, log)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
