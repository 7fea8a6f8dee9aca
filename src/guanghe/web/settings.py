"""The web app's settings: one URL per engine, as elsewhere; passed to worker processes as JSON."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass

from guanghe.config import DEFAULT_DB, DEFAULT_LEDGER, DEFAULT_TIMEZONE, DEFAULT_WAREHOUSE
from guanghe.money.rules import CHANNELS_DIR
from guanghe.programs import PROGRAMS_DIR

ENV = "GUANGHE_WEB_SETTINGS"


class WebError(Exception):
    """The app cannot start: no data in the warehouse, a bad setting, a route without roles."""


@dataclass
class WebSettings:
    warehouse: str = DEFAULT_WAREHOUSE  # read only: the catalog at startup, the pages' figures per request
    db: str = DEFAULT_DB  # the application database (principals, logins, sessions, the marketplace)
    ledger: str = DEFAULT_LEDGER  # the orders' escrow (opened, never created)
    timezone: str = DEFAULT_TIMEZONE
    as_of: str | None = None  # the catalog's day (ISO); default: the warehouse's last day
    channels: str = str(CHANNELS_DIR)
    programs: str = str(PROGRAMS_DIR)
    time_limit_s: float = 10.0  # a matched creator set's solver time limit
    secure_cookies: bool = False  # mark the session cookie Secure (serve behind HTTPS)

    def to_env(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_env(cls) -> WebSettings:
        return cls(**json.loads(os.environ.get(ENV, "{}")))


DEMO_DIR = "guanghe-demo"  # guanghe demo's folder (its --out default)
DEMO_FILES = {"warehouse": "guanghe.duckdb", "ledger": "ledger.sqlite3", "db": "guanghe-app.sqlite3"}
ENV_OF = {"warehouse": "GUANGHE_WAREHOUSE", "ledger": "GUANGHE_LEDGER", "db": "GUANGHE_DB"}


def store_defaults(env: dict[str, str], cwd: os.PathLike[str] | str = ".") -> dict[str, str]:
    """The stores ``guanghe web`` uses when not given: the environment's settings; where none is set and the
    embedded default warehouse is missing but ``guanghe demo``'s folder has one, the demo's files (its
    warehouse, its ledger and an application database beside them)."""
    from pathlib import Path

    from guanghe.config import Settings, parse_url

    base = Settings.from_env(env)
    found = {"warehouse": base.warehouse, "ledger": base.ledger, "db": base.db}
    demo = Path(cwd) / DEMO_DIR
    plain = Path(cwd) / parse_url(DEFAULT_WAREHOUSE).file()
    if (
        not any(v in env for v in ENV_OF.values())
        and not plain.exists()
        and (demo / DEMO_FILES["warehouse"]).exists()
    ):
        found = {
            k: ("duckdb" if k == "warehouse" else "sqlite") + f":///{DEMO_DIR}/{f}"
            for k, f in DEMO_FILES.items()
        }
    return found
