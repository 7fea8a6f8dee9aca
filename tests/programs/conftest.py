"""Fixtures: the hand-made platform in a DuckDB file, its features, and a program-file writer."""

from __future__ import annotations

from pathlib import Path

import pytest
from programs_platform import AS_OF, build_platform

from guanghe.data.warehouse.duckdb import DuckDBWarehouse


@pytest.fixture(scope="session")
def platform(tmp_path_factory: pytest.TempPathFactory) -> DuckDBWarehouse:
    return build_platform(tmp_path_factory.mktemp("programs") / "platform.duckdb")


@pytest.fixture(scope="session")
def features(platform: DuckDBWarehouse):
    from guanghe.programs import creator_features

    return creator_features(platform.tables(), AS_OF)


@pytest.fixture(scope="session")
def feature_rows(features) -> dict[int, dict]:
    return {r["creator_id"]: r for r in features.to_pyarrow().to_pylist()}


@pytest.fixture
def write(tmp_path: Path):
    """write(text, name="demo.toml") -> path of a program file in a fresh directory."""

    def _write(text: str, name: str = "demo.toml", directory: str = "progs") -> Path:
        d = tmp_path / directory
        d.mkdir(exist_ok=True)
        p = d / name
        p.write_text(text, encoding="utf-8")
        return p

    return _write
