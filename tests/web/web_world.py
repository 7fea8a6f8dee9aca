"""The web tests' world: an application database with the demo cast, the app, signed-in clients (a module of
its own, not conftest, so test modules import it by a name no other folder uses)."""

from __future__ import annotations

import shutil
import socket
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
