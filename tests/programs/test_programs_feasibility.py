"""Infeasible rule sets are rejected before solving, every conflicting constraint named."""

from __future__ import annotations

import dataclasses

import pytest
from programs_platform import VALID

from guanghe.programs import InfeasibleProgram, assert_feasible, check_programs, conflicts, parse_program

BASE = parse_program(
    VALID, "demo.toml"
)  # budget 1,000,000 impressions + 500,000 fen; cap 400,000 impressions


def with_(**changes):
    return dataclasses.replace(BASE, **changes)


def constraints(prog, eligible) -> list[tuple[str, ...]]:
    return [c.constraints for c in conflicts(prog, eligible)]


def test_feasible():
    assert conflicts(BASE, {"head": 0, "waist": 1, "tail": 1}) == []


def test_floors_above_the_budget():
    prog = with_(floors={"tail": 0.7, "waist": 0.5})
    found = conflicts(prog, {"head": 0, "waist": 9, "tail": 9})
    assert [c.constraints for c in found] == [("floors.tail", "floors.waist")]
    assert "tier floors sum to 1.2 of the budget (tail 0.7 + waist 0.5)" in found[0].message


def test_floor_without_eligible_creator():
    found = conflicts(BASE, {"head": 3, "waist": 5, "tail": 0})
    assert [c.constraints for c in found] == [("floors.tail", "eligibility")]
    assert "a floor of 0.4 of the budget for tail creators but none is eligible" in found[0].message


def test_caps_cannot_absorb_a_floor():
    found = conflicts(BASE, {"head": 0, "waist": 5, "tail": 1})  # tail floor 400,000 = 1 x cap: fits exactly
    assert found == []
    prog = with_(floors={"tail": 0.5})
    found = conflicts(prog, {"head": 0, "waist": 5, "tail": 1})
    assert [c.constraints for c in found] == [("floors.tail", "caps.impressions")]
    assert (
        "needs 500,000 impressions but its 1 eligible creators x cap 400,000 absorb only 400,000"
        in found[0].message
    )


def test_budget_with_no_eligible_creator():
    found = conflicts(BASE, {"head": 0, "waist": 0, "tail": 0})
    assert [c.constraints for c in found] == [
        ("budget.impressions", "eligibility[1]", "eligibility[2]"),
        ("budget.cash_fen", "eligibility[1]", "eligibility[2]"),
    ]


def test_check_on_fixture_and_all_conflicts_listed(features):
    ok = BASE  # works_90d >= 1 and tier in (waist, tail): creators 1 (waist) and 2 (tail)
    head_only = dataclasses.replace(BASE.eligibility[1], value=("head",))
    nobody = dataclasses.replace(BASE, name="nobody", eligibility=(BASE.eligibility[0], head_only))
    tight = dataclasses.replace(BASE, name="tight", floors={"tail": 0.5, "waist": 0.5})
    checks = check_programs(features, [ok, nobody, tight])
    assert [c.eligible for c in checks] == [
        {"head": 0, "waist": 1, "tail": 1},
        {"head": 0, "waist": 0, "tail": 0},
        {"head": 0, "waist": 1, "tail": 1},
    ]
    assert [c.feasible for c in checks] == [True, False, False]
    assert checks[0].warnings == [
        "impressions: 2 eligible creators x cap 400,000 = 800,000 < budget 1,000,000 (not all spendable)"
    ]
    with pytest.raises(InfeasibleProgram) as e:
        assert_feasible(checks)
    err = e.value
    assert [c.program for c in err.conflicts] == ["nobody", "nobody", "tight", "tight"]
    assert {c.constraints for c in err.conflicts if c.program == "tight"} == {
        ("floors.tail", "caps.impressions"), ("floors.waist", "caps.impressions"),
    }  # fmt: skip
    assert "4 infeasible constraint sets" in str(err)
    assert (
        "nobody: budget.impressions vs eligibility[1] vs eligibility[2]: budget impressions = 1,000,000 but no creator"
        in str(err)
    )
    assert checks[2].to_dict()["floors"]["tail"] == {
        "share": 0.5,
        "impressions": 500_000,
        "cash_fen": 250_000,
    }
    assert_feasible(checks[:1])  # no conflict: no error
