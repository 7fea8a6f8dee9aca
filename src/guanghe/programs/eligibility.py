"""Eligibility: a program's rules as one Ibis boolean expression, and why a creator fails them."""

from __future__ import annotations

import operator
from collections.abc import Mapping
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir

from guanghe.programs.model import Program, Rule, show

# Comparison operators shared by the Ibis expression and the one-creator check, so the two cannot drift.
COMPARISONS = {
    "==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
}  # fmt: skip


def rule_expr(features: ibis.Table, rule: Rule) -> ir.BooleanColumn:
    """One rule over the features table; a null feature value fails the rule."""
    col = features[rule.feature]
    if rule.op in COMPARISONS:
        expr = COMPARISONS[rule.op](col, rule.value)
    else:
        expr = col.isin(list(rule.value)) if rule.op == "in" else col.notin(list(rule.value))
    return expr.fill_null(False)


def eligibility(features: ibis.Table, program: Program) -> ir.BooleanValue:
    """True for the creators meeting every eligibility rule of the program."""
    expr: ir.BooleanValue = ibis.literal(True)
    for rule in program.eligibility:
        expr = expr & rule_expr(features, rule)
    return expr


def rule_holds(rule: Rule, value: object) -> bool:
    """The same rule, in Python, for one creator's value (mirrors ``rule_expr``)."""
    if value is None:
        return False
    if rule.op in COMPARISONS:
        return bool(COMPARISONS[rule.op](value, rule.value))
    return (value in rule.value) == (rule.op == "in")


@dataclass(frozen=True)
class Failure:
    """A rule a creator fails, with the creator's value."""

    rule: Rule
    value: object

    def __str__(self) -> str:
        return f"{self.rule} fails: {self.rule.feature} is {show(self.value)}"

    def to_dict(self) -> dict:
        v = self.rule.value
        return {
            "feature": self.rule.feature,
            "op": self.rule.op,
            "expected": list(v) if isinstance(v, tuple) else v,
            "value": self.value,
            "line": self.rule.line,
        }


def why_not(row: Mapping[str, object], program: Program) -> list[Failure]:
    """Every rule of the program the creator (a features row) fails; empty when eligible."""
    return [
        Failure(r, row.get(r.feature)) for r in program.eligibility if not rule_holds(r, row.get(r.feature))
    ]
