"""Settings, each one value read from the environment (defaults are the embedded engines).

>>> Settings.from_env({}).warehouse
'duckdb:///guanghe.duckdb'
>>> Settings.from_env({"GUANGHE_TIMEZONE": "Asia/Shanghai"}).zone.key
'Asia/Shanghai'
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from guanghe.config.clock import platform_zone
from guanghe.config.urls import (
    SettingError,
    StoreMissing,
    StoreURL,
    creatable_file,
    existing_file,
    parse_url,
    spark_master,
)

DEFAULT_WAREHOUSE = "duckdb:///guanghe.duckdb"
DEFAULT_LEDGER = "sqlite:///guanghe-ledger.sqlite3"
DEFAULT_COUNTERS = "memory://"
DEFAULT_DB = "sqlite:///guanghe-app.sqlite3"
DEFAULT_TIMEZONE = "UTC"
DEFAULT_STUDIO_PROVIDER = ""  # the creator studio's generative provider: none (offline) unless configured


@dataclass(frozen=True)
class Settings:
    warehouse: str = DEFAULT_WAREHOUSE
    ledger: str = DEFAULT_LEDGER
    counters: str = DEFAULT_COUNTERS
    db: str = DEFAULT_DB  # the application database (principals, API keys): guanghe.appdb
    timezone: str = DEFAULT_TIMEZONE
    # the creator studio's OpenAI-compatible provider (guanghe.studio.provider): openai://host:port/v1?model=NAME
    studio_provider: str = DEFAULT_STUDIO_PROVIDER
    studio_api_key: str = ""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        return cls(
            warehouse=env.get("GUANGHE_WAREHOUSE", DEFAULT_WAREHOUSE),
            ledger=env.get("GUANGHE_LEDGER", DEFAULT_LEDGER),
            counters=env.get("GUANGHE_COUNTERS", DEFAULT_COUNTERS),
            db=env.get("GUANGHE_DB", DEFAULT_DB),
            timezone=env.get("GUANGHE_TIMEZONE", DEFAULT_TIMEZONE),
            studio_provider=env.get("GUANGHE_STUDIO_PROVIDER", DEFAULT_STUDIO_PROVIDER),
            studio_api_key=env.get("GUANGHE_STUDIO_API_KEY", ""),
        )

    @property
    def zone(self) -> ZoneInfo:
        """The platform's time zone: days are counted in it (metrics, quotas, pacing)."""
        return platform_zone(self.timezone)


__all__ = [
    "DEFAULT_COUNTERS",
    "DEFAULT_DB",
    "DEFAULT_LEDGER",
    "DEFAULT_STUDIO_PROVIDER",
    "DEFAULT_TIMEZONE",
    "DEFAULT_WAREHOUSE",
    "SettingError",
    "Settings",
    "StoreMissing",
    "StoreURL",
    "creatable_file",
    "existing_file",
    "parse_url",
    "platform_zone",
    "spark_master",
]
