"""The creator features a program's eligibility rules may use, and the rule operators (pure data).

>>> FEATURES["tier"].enum
('head', 'waist', 'tail')
"""

from __future__ import annotations

from dataclasses import dataclass

from guanghe.data.schema import CATEGORIES, REGIONS
from guanghe.data.tiers import TIERS

TIER_NAMES: tuple[str, ...] = tuple(name for name, _ in TIERS)
OPS: tuple[str, ...] = ("==", "!=", "<", "<=", ">", ">=", "in", "not_in")
ORDER_OPS = ("<", "<=", ">", ">=")
OUTCOMES: tuple[str, ...] = ("follower_growth", "retention", "income", "gmv")
BUDGET_KINDS: tuple[str, ...] = ("impressions", "cash_fen")
NEW_DAYS = 180  # is_new: joined within this many days of as_of
QUALITY_DAYS = 90  # window of the quality rates


@dataclass(frozen=True)
class Feature:
    kind: str  # "int", "float", "bool" or "str"
    description: str
    enum: tuple[str, ...] | None = None


FEATURES: dict[str, Feature] = {
    "followers": Feature(
        "int", "Followers as of the day: the latest creator_daily row on or before it (0 if none)."
    ),
    "tier": Feature("str", "head / waist / tail by followers (data/tiers.py).", TIER_NAMES),
    "tenure_days": Feature("int", "Days since the account was created (as_of - joined_on)."),
    "is_new": Feature("bool", f"Joined within {NEW_DAYS} days (tenure_days <= {NEW_DAYS})."),
    "works_30d": Feature("int", "Works published in the 30 days ending as_of."),
    "works_90d": Feature("int", "Works published in the 90 days ending as_of."),
    "active_months_12": Feature(
        "int", "Distinct calendar months with a work, of the 12 ending with as_of's month."
    ),
    "impressions_90d": Feature("int", "Organic + boosted impressions of the creator's works, last 90 days."),
    "plays_90d": Feature("int", "Plays of the creator's works, last 90 days."),
    "completion_rate": Feature("float", "completed_plays / plays, last 90 days (0 without plays)."),
    "engagement_rate": Feature(
        "float", "(likes + comments + shares) / plays, last 90 days (0 without plays)."
    ),
    "follow_rate": Feature(
        "float", "follows_gained per 1,000 impressions, last 90 days (0 without impressions)."
    ),
    "health": Feature(
        "float",
        "Content health in [0, 1]: the share of the creator's works of the last 90 days not flagged as "
        "re-uploads by the originality scan (`work_originality`); 1.0 without works or without a scan.",
    ),
    "is_mcn": Feature("bool", "Creator belongs to an MCN agency (mcn_id is not null)."),
    "is_ecommerce": Feature("bool", "Creator is an e-commerce seller."),
    "is_local_life": Feature("bool", "Creator is a local-life merchant partner."),
    "region": Feature("str", "Home region.", REGIONS),
    "category": Feature("str", "Primary content category.", CATEGORIES),
    "trusted_merchant": Feature(
        "bool",
        "Holds 信任购 (trusted purchase) on the latest badge day on or before as_of (false without one).",
    ),
    "price_badge_share": Feature(
        "float",
        "Share of the creator's products on sale holding 敢比价 (price-compare) on the latest badge day "
        "on or before as_of (0 without products or badge day).",
    ),
    "level": Feature("str", 'Growth-rights level name (`guanghe growth levels`); "" before any run.'),
    "level_rank": Feature("int", "Growth-rights level rank: 0 for the base level (and before any run)."),
    "traffic_coupon": Feature(
        "int", "The level's traffic coupon, percent: the allocator weighs impressions value by 1 + it / 100."
    ),
    "task_center": Feature("bool", "The level opens the task center (true before any levels run)."),
    "ad_share_access": Feature(
        "bool", "The level grants ad revenue share access (true before any levels run)."
    ),
    "fee_discount_bps": Feature(
        "int", "The level's marketplace fee discount, basis points (0 before any run)."
    ),
}


def value_fits(feature: Feature, value: object) -> bool:
    """Whether one rule value has the feature's type (and is in its enumeration)."""
    if feature.kind == "bool":
        return isinstance(value, bool)
    if isinstance(value, bool):
        return False
    if feature.kind == "int":
        return isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    if feature.kind == "float":
        return isinstance(value, int | float)
    return isinstance(value, str) and (feature.enum is None or value in feature.enum)


def expected(feature: Feature) -> str:
    """What a rule value for this feature must be, for error messages."""
    if feature.enum:
        return "one of " + ", ".join(repr(v) for v in feature.enum)
    return {"int": "an integer", "float": "a number", "bool": "true or false", "str": "a string"}[
        feature.kind
    ]
