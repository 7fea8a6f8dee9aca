"""A small generated platform shared by the synth tests."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from guanghe.synth import SynthConfig, generate
from guanghe.synth.writer import OUTPUT_TABLES

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
    c = duckdb.connect()
    for name in OUTPUT_TABLES:
        c.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{out}/data/{name}/*.parquet')")
    return c
