"""Creator discovery: filter the media kits, sort by expected reach per fen of price, page through.

``catalog(wh, as_of, zone)`` builds the searchable table once (media kits + expected reach and suggested
prices); ``search`` filters, sorts and pages it in memory (numpy over Arrow columns), so a brand's searches do
not touch the warehouse. The price a search compares and divides by is the creator's rate card price for the
deliverable when ``rates`` has one, else the suggested price (``market.pricing``). A live-stream mention's
expected reach is ``LIVE_MENTION_FACTOR`` of a short video's (its suggested price is scaled the same way).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from guanghe.data.schema import CATEGORIES, REGIONS
from guanghe.data.tiers import TIERS
from guanghe.data.warehouse import Warehouse
from guanghe.market.media_kit import media_kits
from guanghe.market.pricing import DELIVERABLES, LIVE_MENTION_FACTOR, Guidance, price_guidance
from guanghe.money.days import day_number
from guanghe.money.levels import LevelRights

TIER_NAMES = tuple(name for name, _ in TIERS)
SORTS = ("reach_per_fen",)
_PROGRAMS_KEY = b"guanghe.programs"  # catalog metadata: the support programs the warehouse knows
_SUGGESTED = {"short_video": "suggested_fen", "live_mention": "live_mention_fen"}
_REACH_FACTOR = {"short_video": 1.0, "live_mention": LIVE_MENTION_FACTOR}


def _names(field: str, value: str | Iterable[str] | None, allowed: tuple[str, ...] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    values = (value,) if isinstance(value, str) else tuple(value)
    for v in values:
        if not isinstance(v, str) or (allowed is not None and v not in allowed):
            raise ValueError(
                f"{field}: unknown value {v!r}; allowed: {', '.join(allowed or ())}"
                if allowed is not None
                else f"{field}: expected names, got {v!r}"
            )
    return tuple(sorted(set(values)))


def _at_least_zero(field: str, value: float | None, at_most: float | None = None) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int | float) or not np.isfinite(value) or value < 0:
        raise ValueError(f"{field}: expected a number >= 0, got {value!r}")
    if at_most is not None and value > at_most:
        raise ValueError(f"{field}: expected a number from 0 to {at_most}, got {value!r}")


@dataclass(frozen=True)
class SearchFilters:
    """What a brand searches for; every field is optional (an empty tuple or None: no condition).

    ``categories``, ``tiers``, ``regions``: any of (``data.schema.CATEGORIES``, ``data.tiers``,
    ``data.schema.REGIONS``); followers in ``min_followers`` .. ``max_followers`` (inclusive); rates at least
    the given ones; price (rate card, else suggested) at most ``max_price_fen``; ``programs``: supported by
    any of them in the last 90 days; ``deliverable``: which price and reach (``DELIVERABLES``)."""

    categories: tuple[str, ...] = ()
    tiers: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    min_followers: int | None = None
    max_followers: int | None = None
    min_engagement_rate: float | None = None
    min_completion_rate: float | None = None
    max_price_fen: int | None = None
    programs: tuple[str, ...] = ()
    deliverable: str = "short_video"

    def __post_init__(self) -> None:
        fix = object.__setattr__
        fix(self, "categories", _names("category", self.categories, CATEGORIES))
        fix(self, "tiers", _names("tier", self.tiers, TIER_NAMES))
        fix(self, "regions", _names("region", self.regions, REGIONS))
        fix(self, "programs", _names("program", self.programs, None))
        if self.deliverable not in DELIVERABLES:
            raise ValueError(
                f"deliverable: unknown value {self.deliverable!r}; allowed: {', '.join(DELIVERABLES)}"
            )
        for name in ("min_followers", "max_followers", "max_price_fen"):
            v = getattr(self, name)
            if v is not None and (isinstance(v, bool) or not isinstance(v, int) or v < 0):
                raise ValueError(f"{name}: expected an integer >= 0, got {v!r}")
        _at_least_zero("min_engagement_rate", self.min_engagement_rate, 1.0)
        _at_least_zero("min_completion_rate", self.min_completion_rate, 1.0)
        low, high = self.min_followers, self.max_followers
        if low is not None and high is not None and low > high:
            raise ValueError(f"min_followers {low} is above max_followers {high}")


@dataclass(frozen=True)
class SearchPage:
    """One page of results (``rows``: the catalog's columns plus ``price_fen``, ``price_source``
    (``rate_card`` or ``suggested``), ``reach`` and ``reach_per_fen``) and how many creators matched."""

    rows: pa.Table
    total: int
    limit: int
    offset: int


def catalog(wh: Warehouse, as_of: date, zone: ZoneInfo = ZoneInfo("UTC")) -> tuple[pa.Table, Guidance]:
    """Every creator's media kit with its expected reach and suggested prices, as of ``as_of``, and
    ``fee_discount_bps``: the marketplace fee discount its growth level grants that day (``money.levels``)."""
    kits = media_kits(wh, None, as_of, zone)
    guidance, models = price_guidance(wh, kits, as_of, zone)
    out = kits
    for name in guidance.column_names[1:]:
        out = out.append_column(name, guidance.column(name))
    ids = kits.column("creator_id").to_numpy()
    rights = LevelRights(wh).at(ids, np.full(len(ids), day_number(as_of), np.int64))
    out = out.append_column("fee_discount_bps", pa.array(rights.fee_discount_bps, pa.int64()))
    programs = sorted(str(p) for p in wh.keys("work_boost", "program").to_pylist())
    return out.replace_schema_metadata({_PROGRAMS_KEY: json.dumps(programs).encode()}), models


def _known_programs(wh: Warehouse, kits: pa.Table) -> tuple[str, ...]:
    meta = kits.schema.metadata or {}
    if _PROGRAMS_KEY in meta:
        return tuple(json.loads(meta[_PROGRAMS_KEY]))
    return tuple(sorted(str(p) for p in wh.keys("work_boost", "program").to_pylist()))


def _in(col: pa.ChunkedArray, values: tuple[str, ...]) -> np.ndarray:
    return pc.fill_null(pc.is_in(col, pa.array(values, pa.string())), False).to_numpy(zero_copy_only=False)


def _at_least(col: pa.ChunkedArray, low: float) -> np.ndarray:
    return pc.fill_null(pc.greater_equal(col, low), False).to_numpy(zero_copy_only=False)


def search(
    wh: Warehouse,
    kits: pa.Table,
    filters: SearchFilters,
    rates: Mapping[int, int] | None = None,
    sort: str = "reach_per_fen",
    limit: int = 20,
    offset: int = 0,
) -> SearchPage:
    """The creators of ``kits`` (a :func:`catalog`) matching ``filters``, by expected reach per fen of price
    (descending; ties by creator id), ``limit`` from ``offset``. ``rates``: the rate card prices (fen) of the
    filters' deliverable by creator id. A null rate (no plays yet) fails a minimum rate condition."""
    if sort not in SORTS:
        raise ValueError(f"sort: unknown value {sort!r}; allowed: {', '.join(SORTS)}")
    if limit < 0 or offset < 0:
        raise ValueError(f"limit and offset must be >= 0, got {limit} and {offset}")
    if filters.programs:
        known = _known_programs(wh, kits)
        _names("program", filters.programs, known)
    n = kits.num_rows
    ids = kits.column("creator_id").to_numpy()
    keep = np.ones(n, bool)
    if filters.categories:
        keep &= _in(kits.column("category"), filters.categories)
    if filters.tiers:
        keep &= _in(kits.column("tier"), filters.tiers)
    if filters.regions:
        keep &= _in(kits.column("region"), filters.regions)
    followers = kits.column("followers").to_numpy()
    if filters.min_followers is not None:
        keep &= followers >= filters.min_followers
    if filters.max_followers is not None:
        keep &= followers <= filters.max_followers
    if filters.min_engagement_rate is not None:
        keep &= _at_least(kits.column("engagement_rate"), filters.min_engagement_rate)
    if filters.min_completion_rate is not None:
        keep &= _at_least(kits.column("completion_rate"), filters.min_completion_rate)
    if filters.programs:
        lists = kits.column("programs_90d").combine_chunks()
        flat = pc.list_flatten(lists)
        parent = pc.list_parent_indices(lists).to_numpy()
        hit = pc.is_in(flat, pa.array(filters.programs, pa.string())).to_numpy(zero_copy_only=False)
        member = np.zeros(n, bool)
        member[parent[hit]] = True
        keep &= member

    price = kits.column(_SUGGESTED[filters.deliverable]).to_numpy().astype(np.int64)
    source = np.zeros(n, bool)  # True: rate card
    if rates:
        card_ids = np.fromiter(rates.keys(), np.int64, len(rates))
        card = np.fromiter(rates.values(), np.int64, len(rates))
        if (card < 1).any():
            bad = int(card_ids[np.argmax(card < 1)])
            raise ValueError(f"rates: the price of creator {bad} must be at least 1 fen, got {rates[bad]}")
        order = np.argsort(card_ids)
        card_ids, card = card_ids[order], card[order]
        pos = np.clip(np.searchsorted(card_ids, ids), 0, max(0, len(card_ids) - 1))
        source = card_ids[pos] == ids if len(card_ids) else source
        price = np.where(source, card[pos], price)
    if filters.max_price_fen is not None:
        keep &= price <= filters.max_price_fen

    reach = kits.column("expected_reach").to_numpy() * _REACH_FACTOR[filters.deliverable]
    rpf = reach / price
    idx = np.flatnonzero(keep)
    idx = idx[np.lexsort((ids[idx], -rpf[idx]))]
    page = idx[offset : offset + limit]
    take = pa.array(page, pa.int64())
    rows = kits.take(take)
    rows = rows.append_column("price_fen", pa.array(price[page]))
    rows = rows.append_column(
        "price_source", pa.array(np.where(source[page], "rate_card", "suggested").tolist(), pa.string())
    )
    rows = rows.append_column("reach", pa.array(reach[page]))
    rows = rows.append_column("reach_per_fen", pa.array(rpf[page]))
    return SearchPage(rows, len(idx), limit, offset)
