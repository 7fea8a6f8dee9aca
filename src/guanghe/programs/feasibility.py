"""Reject infeasible programs before solving: floors over the budget, floors without eligible creators,
caps that cannot absorb a floor, budgets nobody is eligible for. Every conflict is named."""

from __future__ import annotations

from dataclasses import dataclass, field

import ibis

from guanghe.programs.catalog import TIER_NAMES
from guanghe.programs.eligibility import eligibility
from guanghe.programs.errors import Conflict, InfeasibleProgram
from guanghe.programs.model import Program


def eligible_by_tier(features: ibis.Table, programs: list[Program]) -> dict[str, dict[str, int]]:
    """program -> tier -> eligible creators, in one aggregation over the features."""
    if not programs:
        return {}
    cols = {f"p{i}": eligibility(features, p).cast("int64").sum() for i, p in enumerate(programs)}
    df = features.group_by("tier").aggregate(**cols).to_pyarrow().to_pylist()
    out = {p.name: dict.fromkeys(TIER_NAMES, 0) for p in programs}
    for row in df:
        for i, p in enumerate(programs):
            out[p.name][row["tier"]] = int(row[f"p{i}"] or 0)
    return out


def conflicts(program: Program, eligible: dict[str, int]) -> list[Conflict]:
    """Every set of constraints of ``program`` that cannot hold, given eligible creators per tier."""
    out: list[Conflict] = []
    name = program.name
    total = sum(program.floors.values())
    if total > 1 + 1e-9:
        parts = " + ".join(f"{t} {s:g}" for t, s in program.floors.items())
        fl = tuple(f"floors.{t}" for t, s in program.floors.items() if s > 0)
        out.append(
            Conflict(name, fl, f"tier floors sum to {total:g} of the budget ({parts}); at most 1 can hold")
        )
    n_all = sum(eligible.values())
    for kind, amount in program.budget.items():
        if amount > 0 and n_all == 0:
            rules = tuple(f"eligibility[{i + 1}]" for i in range(len(program.eligibility)))
            out.append(
                Conflict(
                    name,
                    (f"budget.{kind}", *rules),
                    f"budget {kind} = {amount:,} but no creator is eligible",
                )
            )
    for tier, share in program.floors.items():
        if share <= 0:
            continue
        n = eligible.get(tier, 0)
        if n == 0:
            if n_all:
                msg = f"a floor of {share:g} of the budget for {tier} creators but none is eligible"
                out.append(Conflict(name, (f"floors.{tier}", "eligibility"), msg))
            continue
        for kind in program.budget:
            cap, need = program.caps.get(kind), program.floor_amount(tier, kind)
            if cap is not None and n * cap < need:
                out.append(Conflict(name, (f"floors.{tier}", f"caps.{kind}"),
                    f"the {tier} floor needs {need:,} {kind} but its {n:,} eligible creators x cap {cap:,} "
                    f"absorb only {n * cap:,}"))  # fmt: skip
    return out


@dataclass
class ProgramCheck:
    """One program on the platform at hand: eligible creators by tier, budgets, floors, conflicts."""

    program: Program
    eligible: dict[str, int]
    conflicts: list[Conflict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def feasible(self) -> bool:
        return not self.conflicts

    def to_dict(self) -> dict:
        p = self.program
        return {
            "program": p.name,
            "title": p.title,
            "file": p.source,
            "period": [p.period_start.isoformat(), p.period_end.isoformat()],
            "scale_factor": p.scale_factor,
            "budget": dict(p.budget),
            "caps": dict(p.caps),
            "floors": {
                t: {"share": s, **{k: p.floor_amount(t, k) for k in p.budget}} for t, s in p.floors.items()
            },
            "eligible": dict(self.eligible),
            "eligible_total": sum(self.eligible.values()),
            "feasible": self.feasible,
            "conflicts": [{"constraints": list(c.constraints), "message": c.message} for c in self.conflicts],
            "warnings": list(self.warnings),
        }


def _warnings(program: Program, eligible: dict[str, int]) -> list[str]:
    n = sum(eligible.values())
    out = []
    for kind, amount in program.budget.items():
        cap = program.caps.get(kind)
        if cap is not None and n and n * cap < amount:
            out.append(
                f"{kind}: {n:,} eligible creators x cap {cap:,} = {n * cap:,} < budget {amount:,} "
                "(not all spendable)"
            )
    return out


def check_programs(features: ibis.Table, programs: list[Program]) -> list[ProgramCheck]:
    """Eligible counts, conflicts and warnings of every program (nothing raised)."""
    return checks_of(programs, eligible_by_tier(features, programs))


def checks_of(programs: list[Program], counts: dict[str, dict[str, int]]) -> list[ProgramCheck]:
    """Conflicts and warnings of every program from its eligible creators per tier (``eligible_by_tier``'s
    shape), for a caller that has already counted them."""
    return [
        ProgramCheck(p, counts[p.name], conflicts(p, counts[p.name]), _warnings(p, counts[p.name]))
        for p in programs
    ]


def assert_feasible(checks: list[ProgramCheck]) -> None:
    """Raise InfeasibleProgram listing every conflict of every program, if there is any."""
    found = [c for ch in checks for c in ch.conflicts]
    if found:
        raise InfeasibleProgram(found, {ch.program.name: ch.program.source for ch in checks})
