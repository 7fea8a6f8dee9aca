"""Request and response shapes (pydantic): they are the OpenAPI document and the input validation."""

from __future__ import annotations

from dataclasses import fields
from datetime import date, datetime
from typing import Literal, get_type_hints

from pydantic import BaseModel, ConfigDict, Field, create_model

from guanghe.appdb.market_models import ORDER_STATES
from guanghe.data.schema import CATEGORIES, REGIONS
from guanghe.market.discovery import TIER_NAMES
from guanghe.market.media_kit import MediaKit as MediaKitFigures
from guanghe.market.order_types import Order
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


def model_of(
    cls: type, name: str, drop: tuple[str, ...] = (), base: type[BaseModel] = BaseModel
) -> type[BaseModel]:
    """A response model with the fields of a use case's dataclass (declared once there), less ``drop``."""
    hints = get_type_hints(cls)
    return create_model(
        name, __base__=base, **{f.name: (hints[f.name], ...) for f in fields(cls) if f.name not in drop}
    )


_KitFigures = model_of(MediaKitFigures, "_KitFigures", drop=("as_of",))


class Kit(_KitFigures):  # type: ignore[misc, valid-type]
    """A creator's media kit as of the catalog's day (``media_kit.MediaKit``), with its expected reach and price
    guidance."""

    expected_reach: float
    cpm_fen: float | None
    suggested_fen: int
    band_low_fen: int
    band_high_fen: int
    live_mention_fen: int
    fee_discount_bps: int = Field(0, description="The marketplace fee discount of the creator's growth level")


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


# -- campaigns, offers, orders ----------------------------------------------------------------------------------
OrderState = Literal[ORDER_STATES]  # type: ignore[valid-type]
Action = Literal["accept", "decline", "counter", "fund", "deliver", "request_revision", "dispute", "resolve",
                 "cancel", "shortlist"]  # fmt: skip
MONEY_ACTIONS = frozenset({"accept", "fund", "resolve", "cancel"})  # an Idempotency-Key is required
Text = Field(None, max_length=2000)


class CampaignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=1, max_length=200)
    brief: str = Field("", max_length=10_000)
    categories: list[Category] = Field(default_factory=list, max_length=len(CATEGORIES))
    budget_fen: int = Field(gt=0, le=BIG)
    deadline: date
    max_creators: int | None = Field(None, ge=1, le=10_000)
    max_per_mcn: int | None = Field(None, ge=1, le=10_000)


class CampaignOut(BaseModel):
    id: int
    brand_id: int
    title: str
    brief: str
    categories: list[str]
    budget_fen: int
    deadline: date
    max_creators: int | None
    max_per_mcn: int | None
    status: str
    created_at: datetime


class CampaignPage(BaseModel):
    items: list[CampaignOut]
    total: int
    limit: int
    offset: int


class ProposalIn(BaseModel):
    """An offer (the brand, to ``creator_id``) or an application (a creator for itself, an MCN for one of its
    creators: ``creator_id``)."""

    model_config = ConfigDict(extra="forbid")
    creator_id: int = Field(ge=1, le=BIG)
    price_fen: int = Field(gt=0, le=BIG)
    deliverable: Deliverable = "short_video"
    pitch: str | None = Text


class ActionIn(BaseModel):
    """An action's arguments: counter ``price_fen``; deliver ``work_id``; request_revision ``note``; dispute
    ``reason``; resolve ``creator_share_bps`` or ``creator_fen`` (and ``note``). ``version``: the order's
    version the caller saw (optimistic concurrency; the ``If-Match`` header alike)."""

    model_config = ConfigDict(extra="forbid")
    version: int | None = Field(None, ge=1, le=BIG)
    price_fen: int | None = Field(None, gt=0, le=BIG)
    work_id: int | None = Field(None, ge=0, le=BIG)
    note: str | None = Text
    reason: str | None = Text
    creator_share_bps: int | None = Field(None, ge=0, le=10_000)
    creator_fen: int | None = Field(None, ge=0, le=BIG)


OrderOut = model_of(Order, "OrderOut")  # ``order_types.Order``


class EventOut(BaseModel):
    id: int
    at: datetime
    actor_principal_id: int | None
    action: str
    from_state: str | None
    to_state: str
    detail: dict


class OrderDetail(OrderOut):  # type: ignore[misc, valid-type]
    events: list[EventOut]


class OrderPage(BaseModel):
    items: list[OrderOut]
    total: int
    limit: int
    offset: int


class StepOut(BaseModel):
    """What an action did; ``replayed``: an earlier request with the same Idempotency-Key did it (its answer;
    ``order`` is the order now)."""

    order: OrderOut
    action: str
    from_state: str
    to_state: str
    version: int
    transfers: list[str]
    replayed: bool


class RateCardIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    deliverable: Deliverable = "short_video"
    price_fen: int = Field(gt=0, le=BIG)


class RateCardOut(BaseModel):
    creator_id: int
    deliverable: str
    price_fen: int
    set_by_principal_id: int
    updated_at: datetime
