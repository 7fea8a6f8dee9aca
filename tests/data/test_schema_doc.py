"""docs/data-model.md documents every column of every table."""

from pathlib import Path

import pytest

from guanghe.data.schema import SYSTEM_TABLES, TABLES

DOC = (Path(__file__).parents[2] / "docs" / "data-model.md").read_text()


@pytest.mark.parametrize("table", [*TABLES.values(), *SYSTEM_TABLES.values()], ids=lambda t: t.name)
def test_every_column_documented(table):
    section = DOC.split(f"## `{table.name}`", 1)[1].split("\n## ", 1)[0]
    missing = [c.name for c in table.columns if f"| `{c.name}` |" not in section]
    assert not missing, f"docs/data-model.md lacks {table.name} columns {missing}"


def test_tier_bounds_match_doc():
    from guanghe.data.tiers import tier_of

    assert [tier_of(f) for f in (9_999, 10_000, 999_999, 1_000_000)] == ["tail", "waist", "waist", "head"]
