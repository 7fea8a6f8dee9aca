"""Engine-independent numeric core of the allocator: problem, certified dual solver, exact LP bracket."""

from guanghe.allocate.problem import TIER_NAMES, AllocationProblem, AllocationResult, InfeasibleProblem
from guanghe.allocate.solver import solve

__all__ = ["TIER_NAMES", "AllocationProblem", "AllocationResult", "InfeasibleProblem", "solve"]
