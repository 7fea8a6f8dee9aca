"""A small generated platform shared by the synth tests."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from synth_views import views

from guanghe.synth import SynthConfig, generate

# 14 months ending 2023-06: the window holds the ad-share launch (2023-03) and the local-life ramp (2023-01)
SMALL = SynthConfig(creators=3_000, months=14, seed=11)


@pytest.fixture(scope="session")
def small_cfg() -> SynthConfig:
    return SMALL


@pytest.fixture(scope="session")
def small_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("synth-small")
    return out, generate(SMALL, out)


@pytest.fixture(scope="session")
def con(small_run: tuple[Path, dict]) -> duckdb.DuckDBPyConnection:
    out, _ = small_run
    return views(duckdb.connect(), out)
