"""The rules of docs/architecture.md about the warehouse, checked on the source: only ``data/`` opens DuckDB,
nobody outside it reaches for the raw connection or writes SQL against the warehouse's tables."""

from __future__ import annotations

import re
from pathlib import Path

import guanghe

SRC = Path(guanghe.__file__).parent
DATA = SRC / "data"


def outside_data() -> list[tuple[str, int, str]]:
    out = []
    for f in sorted(SRC.rglob("*.py")):
        if DATA in f.parents:
            continue
        for n, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1):
            out.append((str(f.relative_to(SRC)), n, line))
    return out


def test_no_module_outside_data_imports_duckdb_or_uses_the_raw_connection() -> None:
    imports = re.compile(r"^\s*(import duckdb|from duckdb)|ibis\.duckdb\.|duckdb\.connect")
    raw = re.compile(
        r'(?<!self)\.raw\b|getattr\(\w+, "raw"'
    )  # (config's StoreURL keeps its own self.raw text)
    found = [
        f"{f}:{n}: {line.strip()}"
        for f, n, line in outside_data()
        if imports.search(line) or raw.search(line)
    ]
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
