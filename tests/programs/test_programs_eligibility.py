"""Eligibility as an Ibis expression, ``why_not`` explanations, and the TOML line locator."""

from __future__ import annotations

import pytest
from programs_platform import VALID

from guanghe.programs import eligibility, parse_program, why_not
from guanghe.programs.locate import Locator


def program(*rules: str):
    text = VALID.split("[[eligibility]]")[0] + "".join(f"[[eligibility]]\n{r}\n" for r in rules)
    return parse_program(text, "p.toml")


def eligible_ids(features, prog) -> list[int]:
    return sorted(features.filter(eligibility(features, prog)).creator_id.to_pyarrow().to_pylist())


@pytest.mark.parametrize(
    ("rules", "expected"),
    [
        ((), [1, 2, 3, 5]),
        (('feature = "tier"\nop = "=="\nvalue = "tail"',), [2, 5]),
        (('feature = "tier"\nop = "!="\nvalue = "tail"',), [1, 3]),
        (('feature = "followers"\nop = "<"\nvalue = 12000',), [2, 5]),
        (('feature = "followers"\nop = "<="\nvalue = 12000',), [1, 2, 5]),
        (('feature = "followers"\nop = ">"\nvalue = 12000',), [3]),
        (('feature = "followers"\nop = ">="\nvalue = 12000',), [1, 3]),
        (('feature = "region"\nop = "in"\nvalue = ["east", "north"]',), [1, 3]),
        (('feature = "region"\nop = "not_in"\nvalue = ["east", "north"]',), [2, 5]),
        (('feature = "is_new"\nop = "=="\nvalue = true',), [2, 3]),
        (('feature = "is_new"\nop = "=="\nvalue = true', 'feature = "works_90d"\nop = ">="\nvalue = 1'), [2]),
        (
            (
                'feature = "completion_rate"\nop = ">="\nvalue = 0.25',
                'feature = "is_mcn"\nop = "=="\nvalue = false',
            ),
            [1],
        ),
        (('feature = "follow_rate"\nop = ">="\nvalue = 2.5',), [1, 2]),
    ],
)
def test_eligibility_on_fixture(features, feature_rows, rules, expected):
    prog = program(*rules)
    assert eligible_ids(features, prog) == expected
    # the Python explanation agrees with the Ibis expression for every creator
    assert sorted(cid for cid, row in feature_rows.items() if not why_not(row, prog)) == expected


def test_why_not_names_rule_value_and_line(feature_rows):
    prog = program(
        'feature = "is_new"\nop = "=="\nvalue = true',
        'feature = "works_90d"\nop = ">="\nvalue = 2',
        'feature = "tier"\nop = "in"\nvalue = ["waist", "tail"]',
    )
    fails = why_not(feature_rows[3], prog)  # new, head, no works
    assert [str(f) for f in fails] == [
        "works_90d >= 2 fails: works_90d is 0",
        'tier in ["waist", "tail"] fails: tier is "head"',
    ]
    assert fails[0].rule.line == prog.eligibility[1].line > prog.eligibility[0].line
    assert fails[1].to_dict() == {
        "feature": "tier", "op": "in", "expected": ["waist", "tail"], "value": "head", "line": prog.eligibility[2].line,
    }  # fmt: skip
    assert why_not(feature_rows[2], prog) == [fails[0].__class__(prog.eligibility[1], 1)]


def test_locator_tables_arrays_dotted_and_inline():
    text = """# comment = 1
name = "x"
budget.impressions = 5
floors = { tail = 0.4 }

[period]
start = 2023-07-01   # trailing comment
description = '''
fake = 3
'''

[[eligibility]]
feature = "a"

[[eligibility]]
  "op" = ">="
"""
    loc = Locator(text)
    assert loc.line(("name",)) == 2
    assert loc.line(("budget", "impressions")) == 3
    assert loc.line(("floors", "tail")) == 4  # inline table: the line of its key
    assert loc.line(("period", "start")) == 7
    assert (
        loc.line(("period", "fake")) == 6
    )  # inside a multi-line string: not a key, falls back to the header
    assert loc.line(("eligibility", 0, "feature")) == 13
    assert loc.line(("eligibility", 1, "op")) == 16
    assert loc.line(("eligibility", 1, "value")) == 15  # missing key: the table header
    assert loc.line(("nothing",)) == 0
