"""Brand marketplace: match campaigns to creators (exact MIP, DP reference, greedy baseline)."""

from guanghe.market.matching import Campaign, InfeasibleCampaign, Match, Pool, match_exact
from guanghe.market.reference import match_dp, match_greedy

__all__ = ["Campaign", "InfeasibleCampaign", "Match", "Pool", "match_dp", "match_exact", "match_greedy"]
