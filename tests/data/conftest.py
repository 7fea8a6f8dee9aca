"""Shared helpers for the data-room tests: a DuckDB warehouse in tmp_path and the fixture files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from guanghe.data.warehouse.duckdb import DuckDBWarehouse

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def wh(tmp_path):
    w = DuckDBWarehouse(str(tmp_path / "wh.duckdb"))
    yield w
    w.close()


@pytest.fixture
def fixture_copy(tmp_path):
    """Copy fixture files into a fresh folder (keeping their names) and return the folder."""

    def copy(*names: str, folder: str = "in") -> Path:
        out = tmp_path / folder
        out.mkdir(parents=True, exist_ok=True)
        for name in names:
            shutil.copy(FIXTURES / name, out / Path(name).name)
        return out

    return copy


def quarantine_rows(wh) -> list[tuple[str, int, str, str]]:
    """(file name, row number, field, reason) of every quarantine record, in file and row order."""
    rows = wh.raw.sql(
        "SELECT file, row_number, field, reason FROM quarantine ORDER BY file, row_number, field"
    )
    return [(Path(f).name, r, fld, reason) for f, r, fld, reason in rows.fetchall()]


def table_counts(wh) -> dict[str, int]:
    names = (
        "creators",
        "works",
        "work_daily",
        "work_boost",
        "creator_daily",
        "income",
        "quarantine",
        "loads",
    )
    return {n: wh.raw.sql(f'SELECT count(*) FROM "{n}"').fetchall()[0][0] for n in names}


@pytest.fixture
def quarantine():
    return quarantine_rows


@pytest.fixture
def counts():
    return table_counts
