"""The room's rules: it imports nothing of ours but ``guanghe.config``, its ids match the warehouse's, and
its migrations ship with the package."""

from __future__ import annotations

import ast
import tomllib
from fnmatch import fnmatch
from pathlib import Path

import guanghe.appdb
from guanghe.appdb import EXTERNAL_ID_MAX
from guanghe.config import DEFAULT_DB, Settings
from guanghe.data.tables import PARTY_ID_MAX

ROOM = Path(guanghe.appdb.__file__).parent
ROOT = Path(__file__).resolve().parents[2]


def test_appdb_imports_only_config_of_ours() -> None:
    for file in ROOM.rglob("*.py"):
        for node in ast.walk(ast.parse(file.read_text())):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            for name in names:
                if name.startswith("guanghe"):
                    assert name.startswith(("guanghe.config", "guanghe.appdb")), f"{file}: imports {name}"


def test_external_ids_are_the_warehouse_party_ids() -> None:
    assert EXTERNAL_ID_MAX == PARTY_ID_MAX


def test_setting_default_and_env() -> None:
    assert Settings.from_env({}).db == DEFAULT_DB == "sqlite:///guanghe-app.sqlite3"
    assert Settings.from_env({"GUANGHE_DB": "postgresql://h/db"}).db == "postgresql://h/db"


def test_migrations_ship_with_the_package() -> None:
    migrations = ROOM / "migrations"
    assert (migrations / "__init__.py").is_file() and (migrations / "versions" / "__init__.py").is_file()
    globs = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"][
        "guanghe"
    ]
    mako = (migrations / "script.py.mako").relative_to(ROOM.parent).as_posix()
    assert any(fnmatch(mako, g) for g in globs)
