"""Support programs as declarative files, creator features, eligibility and pre-solve feasibility.

>>> from guanghe.programs import PROGRAMS_DIR, load_programs
>>> [p.name for p in load_programs(PROGRAMS_DIR)][:3]
['brand_star', 'ecom_tail', 'feiniao']
"""

from __future__ import annotations

from pathlib import Path

from guanghe.programs.catalog import FEATURES, OPS, OUTCOMES, TIER_NAMES
from guanghe.programs.eligibility import Failure, eligibility, rule_expr, why_not
from guanghe.programs.errors import Conflict, InfeasibleProgram, Issue, ProgramError
from guanghe.programs.feasibility import (
    ProgramCheck,
    assert_feasible,
    check_programs,
    checks_of,
    conflicts,
    eligible_by_tier,
)
from guanghe.programs.features import creator_features
from guanghe.programs.load import load_program, load_programs, parse_program
from guanghe.programs.model import Delivery, Program, Rule

# The shipped programs: examples/programs/ of a source checkout.
PROGRAMS_DIR = Path(__file__).resolve().parents[3] / "examples" / "programs"

__all__ = [
    "FEATURES",
    "OPS",
    "OUTCOMES",
    "PROGRAMS_DIR",
    "TIER_NAMES",
    "Conflict",
    "Delivery",
    "Failure",
    "InfeasibleProgram",
    "Issue",
    "Program",
    "ProgramCheck",
    "ProgramError",
    "Rule",
    "assert_feasible",
    "check_programs",
    "checks_of",
    "conflicts",
    "creator_features",
    "eligibility",
    "eligible_by_tier",
    "load_program",
    "load_programs",
    "parse_program",
    "rule_expr",
    "why_not",
]
