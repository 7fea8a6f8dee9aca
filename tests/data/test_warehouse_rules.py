"""The rules of docs/architecture.md about the warehouse, checked on the source: only ``data/warehouse/`` opens
DuckDB or imports an engine module (everyone else opens a warehouse by URL); nobody outside ``data/`` reaches
for the raw connection or writes SQL against the warehouse's tables."""

from __future__ import annotations

import re
from pathlib import Path

import guanghe

SRC = Path(guanghe.__file__).parent
DATA = SRC / "data"
WAREHOUSE = DATA / "warehouse"


def outside(folder: Path) -> list[tuple[str, int, str]]:
    """(file, line number, line) of every module outside ``folder``."""
    out = []
    for f in sorted(SRC.rglob("*.py")):
        if folder in f.parents:
            continue
        for n, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1):
            out.append((str(f.relative_to(SRC)), n, line))
    return out


def outside_data() -> list[tuple[str, int, str]]:
    return outside(DATA)


def test_no_module_outside_the_warehouse_engines_opens_duckdb_or_imports_an_engine() -> None:
    imports = re.compile(
        r"^\s*(import duckdb|from duckdb)|ibis\.duckdb\.|duckdb\.connect|data\.warehouse\.(duckdb|spark)\b"
    )
    found = [f"{f}:{n}: {line.strip()}" for f, n, line in outside(WAREHOUSE) if imports.search(line)]
    assert found == []


def test_no_module_outside_data_uses_the_raw_connection() -> None:
    raw = re.compile(
        r'(?<!self)\.raw\b|getattr\(\w+, "raw"'
    )  # (config's StoreURL keeps its own self.raw text)
    found = [f"{f}:{n}: {line.strip()}" for f, n, line in outside_data() if raw.search(line)]
    assert found == []


def test_no_sql_text_against_the_warehouse_tables_outside_data() -> None:
    sql = re.compile(
        r"\b(SELECT|INSERT INTO|DELETE FROM|CREATE TABLE|UPDATE)\b[^\n]*\b(FROM|INTO|TABLE|SET)\b"
    )
    tables = (
        "allocation_",
        "serve_",
        "work_boost",
        "work_daily",
        "works",
        "creators",
        "income",
        "quarantine",
    )
    found = [
        f"{f}:{n}: {line.strip()}"
        for f, n, line in outside_data()
        if sql.search(line) and any(t in line for t in tables) and not f.startswith("synth/figures.py")
    ]
    assert found == []  # (synth.figures keeps its SQL over its own Parquet views, through data's accessor)
