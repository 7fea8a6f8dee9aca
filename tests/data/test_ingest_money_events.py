"""Money events are ingested like every other table: bad events go to quarantine with the reason."""

from __future__ import annotations

from pathlib import Path

from guanghe.data.ingest import ingest

FIXTURES = Path(__file__).parent / "fixtures"


def test_bad_money_events_are_quarantined_with_the_reason(wh, quarantine):
    report = ingest([FIXTURES / "valid" / "creators.csv", *sorted((FIXTURES / "money").glob("*.csv"))], wh)
    got = [(f, row, field, reason) for f, row, field, reason in quarantine(wh)]
    expected = [
        ("ecommerce_orders.csv", 3, "refund_fen", "refund_fen '6000' is not at most amount_fen '5000'"),
        ("ecommerce_orders.csv", 4, "creator_id", "present in this load or the warehouse, got '999'"),
        ("ecommerce_orders.csv", 5, "amount_fen", "expected an integer >= 1, got '-5'"),
        ("ecommerce_orders.csv", 6, "commission_bps", "expected an integer <= 10000, got '12000'"),
        ("ecommerce_orders.csv", 7, "delivered_at", "delivery cannot come before payment"),
        ("ecommerce_orders.csv", 8, "touchpoint", "expected one of live, short_video, storefront; got 'shop'"),
        ("local_life_orders.csv", 3, "redeemed_at", "a voucher cannot be redeemed before it is bought"),
        ("local_life_orders.csv", 4, "refund_fen", "a refund cannot exceed the order"),
        ("mcn_contracts.csv", 3, "end_date", "a contract cannot end before it starts: end_date '2022-12-31'"),
    ]  # fmt: skip
    assert [g[:3] for g in got] == [e[:3] for e in expected]
    for (_, _, _, reason), (_, _, _, fragment) in zip(got, expected, strict=True):
        assert fragment in reason, reason
    loaded = {f.path.split("/")[-1]: f.loaded for f in report.files}
    assert loaded == {"creators.csv": loaded["creators.csv"], "ecommerce_orders.csv": 1, "local_life_orders.csv": 1,
                      "mcn_contracts.csv": 1}  # fmt: skip
    assert wh.raw.sql("SELECT order_id, refund_fen FROM ecommerce_orders").fetchall() == [(1, 0)]
