"""Request and response shapes (pydantic): they are the OpenAPI document and the input validation."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from guanghe.data.schema import CATEGORIES, REGIONS
from guanghe.market.discovery import TIER_NAMES
from guanghe.market.pricing import DELIVERABLES

Category = Literal[CATEGORIES]  # type: ignore[valid-type]
Tier = Literal[TIER_NAMES]  # type: ignore[valid-type]
Region = Literal[REGIONS]  # type: ignore[valid-type]
Deliverable = Literal[DELIVERABLES]  # type: ignore[valid-type]
BIG = 2**53  # counts and fen: beyond any real value, inside exact float range
MAX_LIMIT = 200
MAX_IDS = 1000


class Me(BaseModel):
    id: int
    role: str
    name: str
    external_id: int | None


class Filters(BaseModel):
    """Which creators: every field optional, combined with AND (the search's query parameters alike)."""

    model_config = ConfigDict(extra="forbid")
    categories: list[Category] = Field(default_factory=list, max_length=len(CATEGORIES))
    tiers: list[Tier] = Field(default_factory=list, max_length=len(TIER_NAMES))
    regions: list[Region] = Field(default_factory=list, max_length=len(REGIONS))
    min_followers: int | None = Field(None, ge=0, le=BIG)
    max_followers: int | None = Field(None, ge=0, le=BIG)
    min_engagement_rate: float | None = Field(None, ge=0, le=1)
    min_completion_rate: float | None = Field(None, ge=0, le=1)
    max_price_fen: int | None = Field(None, ge=0, le=BIG)
    programs: list[str] = Field(default_factory=list, max_length=50)
    deliverable: Deliverable = "short_video"


class Kit(BaseModel):
    """A creator's media kit as of the catalog's day, with its expected reach and price guidance."""

    creator_id: int
    category: str
    region: str
    mcn_id: int | None
    tier: str
    followers: int
    followers_30d_ago: int
    followers_90d_ago: int
    trend_30d: float | None
    trend_90d: float | None
    works_90d: int
    recent_works: int
    median_plays: float | None
    completion_rate: float | None
    engagement_rate: float | None
    programs_90d: list[str]
    deals_12m: int
    deal_median_fen: float | None
    expected_reach: float
    cpm_fen: float | None
    suggested_fen: int
    band_low_fen: int
    band_high_fen: int
    live_mention_fen: int


class MediaKit(Kit):
    as_of: date


class SearchItem(Kit):
    price_fen: int
    price_source: Literal["rate_card", "suggested"]
    reach: float
    reach_per_fen: float


class SearchPage(BaseModel):
    items: list[SearchItem]
    total: int
    limit: int
    offset: int
    as_of: date


class MatchRequest(BaseModel):
    """A campaign's constraints: who may enter the pool (``filters``, ``must_include``, ``exclude``) and the
    caps. ``value`` is expected reach, or expected engagements (reach × engagement rate)."""

    model_config = ConfigDict(extra="forbid")
    budget_fen: int = Field(gt=0, le=BIG)
    max_creators: int | None = Field(None, ge=1, le=10_000)
    max_per_mcn: int | None = Field(None, ge=1, le=10_000)
    objective: Literal["reach", "engagement"] = "reach"
    filters: Filters = Field(default_factory=Filters)
    must_include: list[int] = Field(default_factory=list, max_length=MAX_IDS)
    exclude: list[int] = Field(default_factory=list, max_length=MAX_IDS)


class Chosen(BaseModel):
    creator_id: int
    mcn_id: int | None
    category: str
    tier: str
    followers: int
    price_fen: int
    price_source: Literal["rate_card", "suggested"]
    value: float


class Baseline(BaseModel):
    creators: int
    price_fen: int
    value: float


class MatchResult(BaseModel):
    as_of: date
    objective: str
    pool: int  # creators in the pool (the filters' matches, must-includes added)
    chosen: list[Chosen]
    creators: int
    price_fen: int
    value: float
    status: str
    bound: float | None
    gap: float | None
    seconds: float
    greedy: Baseline
