"""Local life, brand deals, tasks and cash installments by hand (fees, discounts, fundings, bonuses)."""

from __future__ import annotations

from money_checks import at, balances, check_conservation, day, income, run
from money_platform import Platform

from guanghe.money.chart import Kind, program_code


def _sorted(rows):
    return sorted(rows, key=lambda x: tuple("" if v is None else str(v) for v in x))


def local_life_platform(tmp_path) -> str:
    p = Platform()
    for c in (1, 5):
        p.creator(c).work(c * 10, c, at("2023-04-01T10:00"))
    p.add("work_boost", work_id=50, date=day("2023-05-31"), program="feiniao", impressions=5)
    vouchers = [  # order, creator, amount, bps, redeemed, refunded, refund
        (1, 1, 5_000, 1_000, "05-04", None, 0),
        (2, 5, 5_000, 800, "05-06", "05-15", 2_000),  # 飞鸟 member, refund after redemption
        (3, 1, 1_000, 1_000, "05-03", "05-02", 500),  # refund before redemption: 500 kept
        (4, 1, 9_000, 1_000, None, None, 0),  # never redeemed: nothing
        (5, 5, 7_000, 1_000, "06-02", None, 0),  # redeemed after --through
        (6, 5, 4_000, 1_000, "05-07", "05-07", 4_000),  # refunded in full before redemption (08:00): nothing
        (7, 1, 3_333, 1_234, "05-08", "05-08T18:00", 1_111),  # refunded after redemption (18:00), the same day
    ]  # fmt: skip
    for o, c, amount, bps, redeemed, refunded, refund in vouchers:
        p.add("local_life_orders", order_id=o, creator_id=c, amount_fen=amount, commission_bps=bps,
              paid_at=at("2023-05-01T09:00"), redeemed_at=redeemed and at(f"2023-{redeemed}T12:00"),
              refunded_at=refunded and at(f"2023-{refunded}" + ("" if "T" in refunded else "T08:00")),
              refund_fen=refund)  # fmt: skip
    return p.write(tmp_path / "wh.duckdb")


def test_local_life_by_hand(tmp_path, make_ledger):
    wh, ledger = local_life_platform(tmp_path), make_ledger()
    report = run(wh, ledger, day("2023-05-31"))
    assert report.ok and report.channels["local_life"].events == 7
    ref = "local_life_orders/"
    assert income(wh) == _sorted([
        (1, "local_life", 500, day("2023-05-04"), "earning", None, ref + "1"),
        (1, "local_life", -50, day("2023-05-04"), "fee", None, ref + "1"),
        (5, "local_life", 400, day("2023-05-06"), "earning", None, ref + "2"),
        (5, "local_life", -40, day("2023-05-06"), "fee", None, ref + "2"),
        (5, "local_life", 100, day("2023-05-06"), "earning", "feiniao", ref + "2"),  # 2 % of 5000
        (5, "local_life", -160, day("2023-05-15"), "clawback", None, ref + "2"),  # 8 % of 2000
        (5, "local_life", 16, day("2023-05-15"), "fee", None, ref + "2"),  # 10 % of 160
        (5, "local_life", -40, day("2023-05-15"), "clawback", "feiniao", ref + "2"),  # 2 % of 2000
        (1, "local_life", 50, day("2023-05-03"), "earning", None, ref + "3"),
        (1, "local_life", -5, day("2023-05-03"), "fee", None, ref + "3"),
        (1, "local_life", 411, day("2023-05-08"), "earning", None, ref + "7"),  # 411.29
        (1, "local_life", -41, day("2023-05-08"), "fee", None, ref + "7"),
        (1, "local_life", -137, day("2023-05-08"), "clawback", None, ref + "7"),  # 12.34 % of 1111
        (1, "local_life", 13, day("2023-05-08"), "fee", None, ref + "7"),  # 10 % of 137
    ])  # fmt: skip
    assert balances(ledger)[(Kind.PROGRAM_BUDGET, program_code("feiniao"), 0)] == (0, 100, 0, 100 + 40)
    assert balances(ledger)[(Kind.STORE, 600, 0)] == (0, 950 + 411, 0, 160 + 137)
    check_conservation(ledger, wh)


def brand_task_platform(tmp_path) -> str:
    p = Platform()
    for c in (1, 6, 7, 8, 2, 3):
        p.creator(c).work(c * 10, c, at("2023-04-01T10:00"))
    p.add("work_boost", work_id=60, date=day("2023-05-01"), program="xiaomai", impressions=5)
    p.add("work_boost", work_id=70, date=day("2023-05-02"), program="xiaomai", impressions=5)
    p.add("work_boost", work_id=70, date=day("2023-05-03"), program="brand_star", impressions=5)
    p.add(
        "work_boost", work_id=10, date=day("2023-04-30"), program="xiaomai", impressions=5
    )  # April: not May
    p.plan("plan-old", at("2023-01-01T00:00"), "brand_star", 1, {day("2023-05-01"): 1})  # an older plan
    p.plan("plan-new", at("2023-04-01T00:00"), "brand_star", 8, {day("2023-05-01"): 0, day("2023-05-31"): 0})
    for o, c, price in ((1, 1, 100_000), (2, 6, 100_000), (3, 7, 100_001), (4, 8, 99_999)):
        p.add("brand_orders", order_id=o, creator_id=c, price_fen=price, completed_at=at("2023-05-05T10:00"))
    p.add("brand_orders", order_id=5, creator_id=8, price_fen=1_000, completed_at=at("2023-06-01T10:00"))
    for r, c, reward, when in ((1, 2, 500, "05-05"), (2, 3, 300, "05-05"), (3, 2, 700, "05-06")):
        p.add(
            "task_rewards",
            reward_id=r,
            creator_id=c,
            reward_fen=reward,
            completed_at=at(f"2023-{when}T10:00"),
        )
    return p.write(tmp_path / "wh.duckdb")


def test_brand_deals_and_tasks_by_hand(tmp_path, make_ledger):
    wh, ledger = brand_task_platform(tmp_path), make_ledger()
    report = run(wh, ledger, day("2023-06-10"))
    assert report.ok
    b, t = "brand_orders/", "task_rewards/"
    assert income(wh) == _sorted([
        (1, "brand_deal", 100_000, day("2023-05-05"), "earning", None, b + "1"),
        (1, "brand_deal", -5_000, day("2023-05-05"), "fee", None, b + "1"),  # 5 %: xiaomai support was in April
        (6, "brand_deal", 100_000, day("2023-05-05"), "earning", None, b + "2"),
        (6, "brand_deal", -2_000, day("2023-05-05"), "fee", "xiaomai", b + "2"),
        (7, "brand_deal", 100_001, day("2023-05-05"), "earning", None, b + "3"),
        (7, "brand_deal", -2_000, day("2023-05-05"), "fee", "xiaomai", b + "3"),  # both: the lower fee, 2000.02
        (8, "brand_deal", 99_999, day("2023-05-05"), "earning", None, b + "4"),
        (8, "brand_deal", -2_999, day("2023-05-05"), "fee", "brand_star", b + "4"),  # newest plan, in its window
        (8, "brand_deal", 1_000, day("2023-06-01"), "earning", None, b + "5"),
        (8, "brand_deal", -50, day("2023-06-01"), "fee", None, b + "5"),  # after the plan's window
        (2, "task", 500, day("2023-05-05"), "earning", None, t + "1"),
        (3, "task", 300, day("2023-05-05"), "earning", None, t + "2"),
        (2, "task", 700, day("2023-05-06"), "earning", None, t + "3"),
    ])  # fmt: skip
    assert balances(ledger)[(Kind.TASK_BUDGET, 0, 0)] == (0, 1_500, 0, 1_500)  # funded 800 + 700, all paid
    assert balances(ledger)[(Kind.PLATFORM_FUNDING, 0, 0)] == (0, 1_500, 0, 0)
    assert report.channels["task"].new == 3 + 2  # rewards and one funding per day
    check_conservation(ledger, wh)


def incentive_platform(tmp_path) -> str:
    p = Platform()
    for c in (1, 2, 3):
        p.creator(c)
    p.work(10, 1, at("2023-05-02T10:00")).work(20, 2, at("2023-04-30T10:00")).work(
        30, 3, at("2023-05-14T23:00")
    )
    p.add(
        "cash_grants",
        grant_id=1,
        creator_id=1,
        program="guanghe",
        week_start=day("2023-05-01"),
        amount_fen=3_000,
    )
    p.add(
        "cash_grants",
        grant_id=2,
        creator_id=2,
        program="guanghe",
        week_start=day("2023-05-01"),
        amount_fen=3_000,
    )
    p.add(
        "cash_grants", grant_id=3, creator_id=2, program="nope", week_start=day("2023-05-01"), amount_fen=50
    )
    p.add(
        "cash_grants",
        grant_id=4,
        creator_id=1,
        program="feiniao",
        week_start=day("2023-05-03"),
        amount_fen=10,
    )
    p.plan("p1", at("2023-04-01T00:00"), "guanghe", 3,
           {day("2023-05-08") + (day("2023-05-02") - day("2023-05-01")) * i: 100 for i in range(8)})  # fmt: skip
    return p.write(tmp_path / "wh.duckdb")


def test_weekly_installments_by_hand(tmp_path, make_ledger):
    wh, ledger = incentive_platform(tmp_path), make_ledger()
    report = run(wh, ledger, day("2023-05-21"))
    inc = report.channels["incentive"]
    assert (inc.events, inc.skipped) == (4 + 2, 1)  # 4 grants, 2 plan weeks; program "nope" is not loaded
    assert inc.reasons == ["cash_grants/3: the program is not among the loaded programs"]
    assert income(wh) == _sorted(
        [
            (1, "incentive", 3_000, day("2023-05-07"), "earning", "guanghe", "cash_grants/1"),  # posted 05-02
            (
                1,
                "incentive",
                10,
                day("2023-05-07"),
                "earning",
                "feiniao",
                "cash_grants/4",
            ),  # a Wednesday's week
            (
                3,
                "incentive",
                700,
                day("2023-05-14"),
                "earning",
                "guanghe",
                "plan/3",
            ),  # 7 quota days 05-08..05-14
        ]
    )  # grant 2: no work that week (05-01..05-07), voided; plan week 05-15: 100, creator 3 silent: voided
    budget = balances(ledger)[(Kind.PROGRAM_BUDGET, program_code("guanghe"), 0)]
    assert budget == (0, 3_700, 0, 6_000 + 700 + 100)  # funded per week; 3,100 unspent stays in the budget
    assert not report.ok  # the skipped grant
    check_conservation(ledger, wh)
    held = run(wh, ledger, day("2023-05-16"))  # an earlier day: everything already there, nothing new
    # guanghe: 3 fundings, 4 holds, 3 resolutions by 05-14; feiniao: funding, hold, post
    assert held.channels["incentive"].new == 0 and held.channels["incentive"].present == 3 + 4 + 3 + 3
