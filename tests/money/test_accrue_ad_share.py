"""磁力万合 ad share by hand: tiers at the start of the month, floor rounding, 光合 bonus for members only,
the platform's part per day, unknown works skipped."""

from __future__ import annotations

from money_checks import at, check_conservation, day, income, run
from money_platform import Platform

from guanghe.money.chart import Kind, account_id, channel_index


def platform(tmp_path) -> str:
    p = Platform()
    for c in (1, 2, 3):
        p.creator(c)
    p.work(11, 1, at("2023-04-01T10:00")).work(21, 2, at("2023-04-01T10:00")).work(
        31, 3, at("2023-04-01T10:00")
    )
    p.work(12, 1, at("2023-04-02T10:00"))
    daily = [(1, "2023-04-20", 20_000), (1, "2023-05-10", 2_000_000), (3, "2023-05-01", 50_000)]
    for c, d, followers in daily:  # 1: waist from May, head from June; 3: tail in May, waist in June
        p.add("creator_daily", creator_id=c, date=day(d), followers=followers)
    boosts = [(12, "2023-05-28", "guanghe", 100), (21, "2023-04-28", "guanghe", 100), (31, "2023-05-03", "guanghe", 0),
              (31, "2023-05-04", "juguang", 10)]  # fmt: skip
    for work, d, program, impressions in boosts:  # 1: member in May; 2: in April only; 3: a row is a row
        p.add("work_boost", work_id=work, date=day(d), program=program, impressions=impressions)
    ads = [(11, "2023-05-03", 12_345), (11, "2023-06-02", 10_001), (21, "2023-05-03", 999), (31, "2023-05-20", 30),
           (31, "2023-06-20", 7), (12, "2023-06-25", 0), (99, "2023-05-03", 50)]  # fmt: skip
    for work, d, gross in ads:
        p.add("ad_revenue", work_id=work, date=day(d), ad_impressions=10, gross_fen=gross)
    return p.write(tmp_path / "wh.duckdb")


def test_ad_share_by_hand(tmp_path, make_ledger):
    wh, ledger = platform(tmp_path), make_ledger()
    report = run(wh, ledger, day("2023-06-30"))
    ad = report.channels["ad_share"]
    assert (ad.events, ad.skipped) == (6, 1)  # gross 0 is no event; work 99 is unknown
    assert ad.reasons == ["ad_revenue/99: the work is not in `works`"] and not report.ok
    assert income(wh) == sorted([
        (1, "ad_share", 6_789, day("2023-05-03"), "earning", None, "ad_revenue/11"),  # waist 55 %: 6789.75
        (1, "ad_share", 1_234, day("2023-05-03"), "earning", "guanghe", "ad_revenue/11"),  # +10 %: 1234.5
        (1, "ad_share", 6_000, day("2023-06-02"), "earning", None, "ad_revenue/11"),  # head 60 %: 6000.6
        (2, "ad_share", 499, day("2023-05-03"), "earning", None, "ad_revenue/21"),  # tail 50 %, no bonus in May
        (3, "ad_share", 15, day("2023-05-20"), "earning", None, "ad_revenue/31"),  # tail: followers came May 1
        (3, "ad_share", 3, day("2023-05-20"), "earning", "guanghe", "ad_revenue/31"),  # 10 % of 30
        (3, "ad_share", 3, day("2023-06-20"), "earning", None, "ad_revenue/31"),  # waist 55 % of 7 = 3.85
    ], key=lambda x: tuple("" if v is None else str(v) for v in x))  # fmt: skip
    platform_revenue = ledger.lookup_accounts(
        [account_id(Kind.PLATFORM_REVENUE, 0, channel_index("ad_share"))]
    )
    assert (
        platform_revenue[0].credits_posted == (12_345 - 6_789 - 1_234) + 999 - 499 + 12 + (10_001 - 6_000) + 4
    )
    pool = ledger.lookup_accounts([account_id(Kind.AD_POOL)])[0]
    assert pool.debits_posted == 12_345 + 10_001 + 999 + 30 + 7  # every fen of gross left the pool
    assert (ad.new, ad.present, ad.refused) == (7 + 4, 0, 0)  # shares, bonuses, one platform part per day
    check_conservation(ledger, wh)
