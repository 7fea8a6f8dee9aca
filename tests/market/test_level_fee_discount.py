"""The growth level's marketplace fee discount (level_rights.fee_discount_bps) on an order's fee: by hand in
``fee_terms`` and through the HTTP API, whose catalog reads each creator's level as of its day."""

from __future__ import annotations

import shutil

import pyarrow as pa
import pytest
from api_helpers import Client, build, make_keys

from guanghe.data.growth_schema import CREATOR_LEVELS, LEVEL_RIGHTS
from guanghe.data.warehouse import open_warehouse
from guanghe.ledger import open_ledger
from guanghe.market.api.state import last_day
from guanghe.market.escrow import fee_terms
from guanghe.money.rules import BrandDealRule, FeeDiscount

RULE = BrandDealRule("brand_deal", "磁力聚星", fee_bps=500, fee_discount=(FeeDiscount("xiaomai", 200),))


@pytest.mark.parametrize(
    ("programs", "discount", "want"),
    [((), 0, (5_000, 500, None)), ((), 500, (4_750, 475, None)), ((), 1_500, (4_250, 425, None)),
     (("xiaomai",), 1_500, (1_700, 170, "xiaomai")), ((), 10_000, (0, 0, None)),
     ((), 333, (4_840, 484, None))],  # 500 x 333 / 10^4 = 16.65: 16 off, 484 bps, 4,840 fen of 100,000
)  # fmt: skip
def test_fee_terms_take_the_level_discount_off_the_rate(programs, discount, want):
    """xiaomai: its 200 bps less 15 % = 170 bps."""
    assert fee_terms(RULE, 100_000, programs, discount) == want


def test_fee_terms_refuse_a_discount_out_of_range():
    with pytest.raises(ValueError, match=r"level_discount_bps: expected 0\.\.10000"):
        fee_terms(RULE, 100_000, (), 10_001)


def test_an_offer_to_a_quality_creator_charges_the_discounted_fee(market_warehouse, members, tmp_path):
    wh_url = f"duckdb:///{tmp_path / 'wh.duckdb'}"
    shutil.copy(market_warehouse.removeprefix("duckdb:///"), tmp_path / "wh.duckdb")
    _, quality, newcomer = members
    with open_warehouse(wh_url) as wh:
        run = last_day(wh)
        rights = pa.table({"as_of": [run, run], "rank": [0, 1], "level": ["newcomer", "quality"],
                           "ad_share": [False, True], "fee_discount_bps": [0, 500], "task_center": [False, True],
                           "traffic_coupon": [0, 10], "creators": [1, 1], "rules_sha256": ["x", "x"]})  # fmt: skip
        change = pa.table({"creator_id": [quality], "as_of": [run], "level": ["quality"], "rank": [1],
                           "previous_level": ["newcomer"], "previous_rank": [0], "reason": ["test"]})  # fmt: skip
        with wh.writer() as w:
            w.merge(LEVEL_RIGHTS.name, rights.cast(LEVEL_RIGHTS.arrow_schema()))
            w.merge(CREATOR_LEVELS.name, change.cast(CREATOR_LEVELS.arrow_schema()))
    db, ledger = f"sqlite:///{tmp_path / 'app.sqlite3'}", f"sqlite:///{tmp_path / 'ledger.sqlite3'}"
    keys = make_keys(db, members)
    open_ledger(ledger, create=True).close()
    app = build(wh_url, db, ledger=ledger)
    try:
        c = Client(app).as_(keys.brand)
        body = {
            "title": "Summer",
            "brief": "b",
            "categories": [],
            "budget_fen": 10_000_000,
            "deadline": "2031-06-30",
        }
        cid = c.post("/v1/market/campaigns", json=body).json()["id"]
        fees = {}
        for creator in (quality, newcomer):
            r = c.post(f"/v1/market/campaigns/{cid}/offers",
                       json={"creator_id": creator, "deliverable": "short_video", "price_fen": 100_000})  # fmt: skip
            assert r.status_code == 201, r.text
            fees[creator] = (r.json()["fee_fen"], r.json()["fee_bps"])
        assert fees == {quality: (4_750, 475), newcomer: (5_000, 500)}
    finally:
        app.state.market.close()
        app.state.market.db.close()
