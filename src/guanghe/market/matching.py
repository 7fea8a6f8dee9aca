"""Campaign matching: the candidate pool, the campaign's constraints, the result and the exact entry point.

Choose x_i in {0, 1} to maximise sum_i v_i x_i subject to sum_i p_i x_i <= budget, sum_i x_i <= N and, for
each MCN m, sum_{i in m} x_i <= M; must-include creators have x_i = 1, excluded ones x_i = 0.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from guanghe.market import mip
from guanghe.market.dominance import undominated


class InfeasibleCampaign(ValueError):
    """The must-include creators alone break the budget or a cap; `reasons` names each broken constraint."""

    def __init__(self, reasons: list[str]) -> None:
        self.reasons = reasons
        super().__init__("must-include creators break the campaign's constraints: " + "; ".join(reasons))


@dataclass(frozen=True)
class Pool:
    """Candidate creators as columns; `value` is expected reach or engagement, whichever the caller ranks by."""

    creator_id: np.ndarray  # (n,) int64, unique
    mcn_id: np.ndarray  # (n,) int64, 0 = no MCN
    price_fen: np.ndarray  # (n,) int64 > 0
    value: np.ndarray  # (n,) float >= 0
    must: np.ndarray | None = None  # (n,) bool: must be chosen
    exclude: np.ndarray | None = None  # (n,) bool: may not be chosen

    def __post_init__(self) -> None:
        cols = {
            "creator_id": np.ascontiguousarray(self.creator_id, dtype=np.int64),
            "mcn_id": np.ascontiguousarray(self.mcn_id, dtype=np.int64),
            "price_fen": np.ascontiguousarray(self.price_fen, dtype=np.int64),
            "value": np.ascontiguousarray(self.value, dtype=np.float64),
        }
        n = cols["creator_id"].size
        for name in ("must", "exclude"):
            mask = getattr(self, name)
            cols[name] = np.zeros(n, bool) if mask is None else np.ascontiguousarray(mask, dtype=bool)
        for name, col in cols.items():
            if col.shape != (n,):
                raise ValueError(f"pool column {name} has shape {col.shape}, expected ({n},)")
            object.__setattr__(self, name, col)
        if np.unique(self.creator_id).size != n:
            raise ValueError("creator ids must be unique")
        if np.any(self.mcn_id < 0) or np.any(self.price_fen <= 0):
            raise ValueError("mcn ids must be >= 0 and prices > 0")
        if not np.all(np.isfinite(self.value) & (self.value >= 0)):
            raise ValueError("values must be finite and >= 0")
        if np.any(self.must & self.exclude):
            raise ValueError("a creator is both must-include and excluded")

    @property
    def n(self) -> int:
        return self.creator_id.size


@dataclass(frozen=True)
class Campaign:
    """The campaign's hard constraints (brief, categories and deadline decide who is in the pool)."""

    budget_fen: int
    max_creators: int | None = None  # N
    max_per_mcn: int | None = None  # M; creators without an MCN are not limited by it

    def __post_init__(self) -> None:
        if self.budget_fen < 0 or min(self.max_creators or 0, self.max_per_mcn or 0) < 0:
            raise ValueError("budget and caps must be >= 0")


@dataclass
class Match:
    """Chosen creators; `bound` is a proven upper bound on the optimum (None for the greedy baseline)."""

    index: np.ndarray  # positions in the pool, ascending
    creator_id: np.ndarray
    value: float
    price_fen: int
    status: str  # "optimal" (proven), "time_limit", "repaired" (a solver tolerance slip undone), "greedy"
    bound: float | None
    gap: float | None  # (bound - value) / bound, 0 when bound is 0
    seconds: float


def violations(pool: Pool, campaign: Campaign, index: np.ndarray) -> list[str]:
    """Each constraint the selection `index` breaks (exact integer arithmetic); empty when feasible."""
    index = np.asarray(index, dtype=np.int64)
    out = []
    if np.unique(index).size != index.size:
        out.append("a creator is chosen twice")
    if (spent := int(pool.price_fen[index].sum())) > campaign.budget_fen:
        out.append(f"price {spent} fen > budget {campaign.budget_fen} fen")
    if campaign.max_creators is not None and index.size > campaign.max_creators:
        out.append(f"{index.size} creators > N = {campaign.max_creators}")
    if campaign.max_per_mcn is not None:
        mcn, count = np.unique(pool.mcn_id[index], return_counts=True)
        out += [f"MCN {m}: {c} creators > M = {campaign.max_per_mcn}"
                for m, c in zip(mcn, count, strict=True) if m != 0 and c > campaign.max_per_mcn]  # fmt: skip
    if missing := np.setdiff1d(np.flatnonzero(pool.must), index).size:
        out.append(f"{missing} must-include creators left out")
    if np.any(pool.exclude[index]):
        out.append("an excluded creator is chosen")
    return out


def candidates(pool: Pool, campaign: Campaign) -> np.ndarray:
    """Positions that can help: not excluded, affordable, and valued > 0 (must-includes always stay)."""
    must = np.flatnonzero(pool.must)
    if reasons := violations(pool, campaign, must):
        raise InfeasibleCampaign(reasons)
    keep = ~pool.exclude & (pool.price_fen <= campaign.budget_fen) & (pool.value > 0)
    return np.flatnonzero(keep | pool.must)


def result(pool: Pool, index: np.ndarray, status: str, bound: float | None, started: float) -> Match:
    """The Match for positions `index`, its value summed from the pool."""
    index = np.sort(np.asarray(index, dtype=np.int64))
    value = float(pool.value[index].sum())
    gap = None
    if bound is not None:
        gap = np.inf if not np.isfinite(bound) else max(bound - value, 0.0) / bound if bound > 0 else 0.0
    return Match(index, pool.creator_id[index], value, int(pool.price_fen[index].sum()), status, bound, gap,
                 time.perf_counter() - started)  # fmt: skip


def match_exact(pool: Pool, campaign: Campaign, time_limit_s: float = 10.0, rel_gap: float = 0.0) -> Match:
    """Optimal selection by HiGHS branch-and-bound; status "optimal" only when proven within `rel_gap`."""
    started = time.perf_counter()
    idx = candidates(pool, campaign)
    cols = (pool.price_fen[idx], pool.value[idx], pool.mcn_id[idx], pool.must[idx])
    caps = (campaign.budget_fen, campaign.max_creators, campaign.max_per_mcn)
    idx = idx[undominated(*cols, *caps)]
    cols = (pool.price_fen[idx], pool.value[idx], pool.mcn_id[idx], pool.must[idx])
    chosen, status, bound = mip.solve(*cols, *caps, time_limit_s, rel_gap)
    index = idx[chosen]
    while violations(pool, campaign, index):  # a tolerance slip of the solver: drop the least valuable
        optional = np.flatnonzero(~pool.must[index])
        index, status = np.delete(index, optional[np.argmin(pool.value[index[optional]])]), "repaired"
    return result(pool, index, status, bound, started)
