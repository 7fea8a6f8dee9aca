"""Search: each filter excludes exactly the creators it should; sort by reach per fen, ties, pages, errors."""

from __future__ import annotations

import json

import pyarrow as pa
import pytest
from test_media_kit import AS_OF, SHANGHAI, hand_platform

from guanghe.market.discovery import SearchFilters, catalog, search
from guanghe.market.pricing import LIVE_MENTION_FACTOR

# id: category, region, tier, followers, engagement, completion, programs, expected reach, suggested price
# (reach per fen: reach / price)
ROWS = [
    (1, "food", "east", "waist", 50_000, 0.05, 0.20, ["guanghe"], 10_000.0, 100_000),  # 0.1
    (2, "food", "south", "tail", 5_000, 0.02, 0.30, [], 2_000.0, 10_000),  # 0.2
    (
        3,
        "beauty",
        "east",
        "head",
        2_000_000,
        0.08,
        0.10,
        ["brand_star", "juguang"],
        400_000.0,
        2_000_000,
    ),  # 0.2
    (4, "gaming", "north", "waist", 10_000, None, None, [], 0.0, 1),  # no plays: reach 0
    (5, "food", "east", "waist", 999_999, 0.10, 0.25, ["juguang"], 50_000.0, 1_000_000),  # 0.05
]


def kits() -> pa.Table:
    cols = ("creator_id", "category", "region", "tier", "followers", "engagement_rate", "completion_rate",
            "programs_90d", "expected_reach", "suggested_fen")  # fmt: skip
    data = {c: [r[i] for r in ROWS] for i, c in enumerate(cols)}
    data["live_mention_fen"] = [max(1, round(p * LIVE_MENTION_FACTOR)) for p in data["suggested_fen"]]
    t = pa.table(data)
    programs = ["brand_star", "guanghe", "juguang", "xiaomai"]
    return t.replace_schema_metadata({b"guanghe.programs": json.dumps(programs).encode()})


def ids(filters: SearchFilters, rates=None, **kw) -> list[int]:
    return search(None, kits(), filters, rates, **kw).rows.column("creator_id").to_pylist()  # type: ignore[arg-type]


def test_sort_and_ties() -> None:
    # reach per fen 0.2 (2 and 3: tie, by id), 0.1, 0.05, 0 (creator 4, reach 0)
    page = search(None, kits(), SearchFilters())  # type: ignore[arg-type]
    assert page.rows.column("creator_id").to_pylist() == [2, 3, 1, 5, 4] and page.total == 5
    assert page.rows.column("reach_per_fen").to_pylist() == pytest.approx([0.2, 0.2, 0.1, 0.05, 0.0])
    assert set(page.rows.column("price_source").to_pylist()) == {"suggested"}


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (SearchFilters(categories=("food",)), [2, 1, 5]),
        (SearchFilters(categories=("food", "beauty")), [2, 3, 1, 5]),
        (SearchFilters(tiers=("waist",)), [1, 5, 4]),
        (SearchFilters(regions=("east",)), [3, 1, 5]),
        (SearchFilters(min_followers=10_000), [3, 1, 5, 4]),  # inclusive: 4 has exactly 10,000
        (SearchFilters(max_followers=999_999), [2, 1, 5, 4]),  # inclusive: 5 has 999,999
        (SearchFilters(min_followers=10_000, max_followers=50_000), [1, 4]),
        (SearchFilters(min_engagement_rate=0.05), [3, 1, 5]),  # 4 has none: excluded
        (SearchFilters(min_completion_rate=0.2), [2, 1, 5]),
        (SearchFilters(max_price_fen=100_000), [2, 1, 4]),
        (SearchFilters(programs=("juguang",)), [3, 5]),
        (SearchFilters(programs=("juguang", "guanghe")), [3, 1, 5]),
        (SearchFilters(programs=("xiaomai",)), []),
        (SearchFilters(categories=("food",), regions=("east",), min_completion_rate=0.22), [5]),
    ],
)
def test_each_filter(filters: SearchFilters, expected: list[int]) -> None:
    assert ids(filters) == expected


def test_rate_cards() -> None:
    # 1 asks 10,000 (reach per fen 1.0: first); 5 asks 2,000,000 (0.025); the others keep suggested prices
    page = search(None, kits(), SearchFilters(), {1: 10_000, 5: 2_000_000})  # type: ignore[arg-type]
    assert page.rows.column("creator_id").to_pylist() == [1, 2, 3, 5, 4]
    assert page.rows.column("price_source").to_pylist() == ["rate_card", "suggested", "suggested", "rate_card",
                                                            "suggested"]  # fmt: skip
    # max price compares the rate card price: 5 (2,000,000) and 3 (suggested 2,000,000) now both exceed 1,000,000
    assert ids(SearchFilters(max_price_fen=1_000_000), {1: 10_000, 5: 2_000_000}) == [1, 2, 4]
    with pytest.raises(ValueError, match="creator 2 must be at least 1 fen"):
        ids(SearchFilters(), {2: 0})


def test_live_mention() -> None:
    page = search(None, kits(), SearchFilters(deliverable="live_mention", max_price_fen=50_000))  # type: ignore[arg-type]
    # mention prices: 50,000, 5,000, 1,000,000, 1 (0.5 rounds to 1), 500,000
    assert page.rows.column("creator_id").to_pylist() == [2, 1, 4]
    assert page.rows.column("price_fen").to_pylist() == [5_000, 50_000, 1]
    assert page.rows.column("reach").to_pylist() == [1_000.0, 5_000.0, 0.0]


def test_pages() -> None:
    first = search(None, kits(), SearchFilters(), limit=2)  # type: ignore[arg-type]
    second = search(None, kits(), SearchFilters(), limit=2, offset=2)  # type: ignore[arg-type]
    last = search(None, kits(), SearchFilters(), limit=2, offset=4)  # type: ignore[arg-type]
    beyond = search(None, kits(), SearchFilters(), limit=2, offset=10)  # type: ignore[arg-type]
    assert [p.rows.column("creator_id").to_pylist() for p in (first, second, last, beyond)] == [
        [2, 3], [1, 5], [4], []]  # fmt: skip
    assert {p.total for p in (first, second, last, beyond)} == {5}
    assert (second.limit, second.offset) == (2, 2)


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"categories": ("cooking",)}, r"category: unknown value 'cooking'; allowed: comedy, food, rural"),
        ({"tiers": "giant"}, r"tier: unknown value 'giant'; allowed: head, waist, tail"),
        ({"regions": ("mars",)}, r"region: unknown value 'mars'; allowed: north, northeast, east"),
        (
            {"deliverable": "banner"},
            r"deliverable: unknown value 'banner'; allowed: short_video, live_mention",
        ),
        ({"min_followers": -1}, r"min_followers: expected an integer >= 0"),
        ({"min_followers": 10, "max_followers": 5}, r"min_followers 10 is above max_followers 5"),
        ({"min_engagement_rate": 1.5}, r"min_engagement_rate: expected a number from 0 to 1.0"),
        ({"min_completion_rate": float("nan")}, r"min_completion_rate: expected a number >= 0"),
        ({"max_price_fen": 1.5}, r"max_price_fen: expected an integer >= 0"),
    ],
)
def test_validation(kw: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        SearchFilters(**kw)


def test_validation_of_search_arguments() -> None:
    with pytest.raises(ValueError, match="program: unknown value 'nope'; allowed: brand_star, guanghe"):
        ids(SearchFilters(programs=("nope",)))
    with pytest.raises(ValueError, match="sort: unknown value 'price'; allowed: reach_per_fen"):
        ids(SearchFilters(), sort="price")
    with pytest.raises(ValueError, match="limit and offset"):
        ids(SearchFilters(), limit=-1)


def test_catalog_on_the_hand_platform() -> None:
    wh = hand_platform().warehouse()
    try:
        cat, _ = catalog(wh, AS_OF, SHANGHAI)
        page = search(wh, cat, SearchFilters(programs=("juguang",)))
    finally:
        wh.close()
    # only creator 1 had juguang support in the 90 days; the program list is the warehouse's
    assert page.rows.column("creator_id").to_pylist() == [1] and page.total == 1
    assert json.loads(cat.schema.metadata[b"guanghe.programs"]) == ["guanghe", "juguang", "xiaomai"]
    # creator 1: reach 225, suggested 30,000 (test_pricing): reach per fen 0.0075
    assert page.rows.column("reach_per_fen").to_pylist() == pytest.approx([225 / 30_000])
