"""Settings, each one URL-style value read from the environment (defaults are the embedded engines).

>>> Settings.from_env({}).warehouse
'duckdb:///guanghe.duckdb'
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

DEFAULT_WAREHOUSE = "duckdb:///guanghe.duckdb"
DEFAULT_LEDGER = "sqlite:///guanghe-ledger.sqlite3"


@dataclass(frozen=True)
class Settings:
    warehouse: str = DEFAULT_WAREHOUSE
    ledger: str = DEFAULT_LEDGER

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        return cls(
            warehouse=env.get("GUANGHE_WAREHOUSE", DEFAULT_WAREHOUSE),
            ledger=env.get("GUANGHE_LEDGER", DEFAULT_LEDGER),
        )
