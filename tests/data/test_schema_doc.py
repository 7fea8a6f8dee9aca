"""docs/data-model.md documents every column of every table."""

from pathlib import Path

import pytest

from guanghe.data.schema import SYSTEM_TABLES, TABLES

DOC = (Path(__file__).parents[2] / "docs" / "data-model.md").read_text()


@pytest.mark.parametrize("table", [*TABLES.values(), *SYSTEM_TABLES.values()], ids=lambda t: t.name)
def test_every_column_documented(table):
    """Each column's row (type, required, rule with its plausible range, meaning) is exactly
    ``Table.doc_rows()``: paste those rows into docs/data-model.md when the schema changes."""
    section = DOC.split(f"## `{table.name}`", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    expected = table.doc_rows(ingested=table.name in TABLES)
    assert rows == expected, f"docs/data-model.md: the {table.name} rows differ from schema.py"


def test_plausible_ranges_are_documented():
    assert "| `published_at` | timestamp[us] | yes | from 2000-01-01 to now + 1 day |" in DOC
    assert "| `joined_on` | date32[day] | yes | from 1970-01-01 to now + 1 day |" in DOC


def test_tier_bounds_match_doc():
    from guanghe.data.tiers import tier_of

    assert [tier_of(f) for f in (9_999, 10_000, 999_999, 1_000_000)] == ["tail", "waist", "waist", "head"]
