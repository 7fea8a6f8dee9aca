"""Why money moved: every transfer code of the money room, declared once with its channel, its accounts and
what it means for the creator's income (``line``: earning, fee, clawback, or None when it is not income).

A creator's income rows (``data.money_schema.INCOME``) are the POSTED transfers whose code has a ``line``,
signed by ``creator_sign``. Settlement codes (MCN share, withholding, payouts) move money the creator already
earned and are statement lines, not income.
"""

from __future__ import annotations

from dataclasses import dataclass

from guanghe.money.chart import Kind


@dataclass(frozen=True)
class Code:
    value: int
    name: str
    channel: str | None  # monetization channel, None for funding and settlement
    debit: tuple[Kind, ...]
    credit: tuple[Kind, ...]
    line: str | None = None  # income line of the creator: earning, fee, clawback
    meaning: str = ""

    @property
    def creator_sign(self) -> int:
        """+1 when the creator's payable is credited, -1 when debited, 0 when it is not involved."""
        if Kind.CREATOR_PAYABLE in self.credit:
            return 1
        return -1 if Kind.CREATOR_PAYABLE in self.debit else 0


C, P, R = Kind.CREATOR_PAYABLE, Kind.PROGRAM_BUDGET, Kind.PLATFORM_REVENUE
CODES: tuple[Code, ...] = (
    Code(101, "ad_share", "ad_share", (Kind.AD_POOL,), (C,), "earning", "creator's share of a work-day's ad revenue"),
    Code(102, "ad_share_platform", "ad_share", (Kind.AD_POOL,), (R,), None, "the platform's share of it"),
    Code(103, "ad_share_bonus", "ad_share", (Kind.AD_POOL,), (C,), "earning", "extra share for a program's creators"),
    Code(201, "affiliate", "affiliate", (Kind.MERCHANT,), (C,), "earning", "commission, held until the return window closes"),
    Code(202, "affiliate_fee", "affiliate", (C,), (R,), "fee", "platform take on the commission"),
    Code(203, "affiliate_bonus", "affiliate", (P,), (C,), "earning", "program bonus on the order"),
    Code(204, "affiliate_clawback", "affiliate", (C,), (Kind.MERCHANT,), "clawback", "refund after the window closed"),
    Code(205, "affiliate_fee_refund", "affiliate", (R,), (C,), "fee", "platform take on the refunded part, returned"),
    Code(206, "affiliate_bonus_clawback", "affiliate", (C,), (P,), "clawback", "bonus on the refunded part"),
    Code(301, "local_life", "local_life", (Kind.STORE,), (C,), "earning", "commission on a redeemed voucher"),
    Code(302, "local_life_fee", "local_life", (C,), (R,), "fee", "platform take on the commission"),
    Code(303, "local_life_bonus", "local_life", (P,), (C,), "earning", "program bonus (飞鸟计划)"),
    Code(304, "local_life_clawback", "local_life", (C,), (Kind.STORE,), "clawback", "refund after redemption"),
    Code(305, "local_life_fee_refund", "local_life", (R,), (C,), "fee", "platform take on the refunded part, returned"),
    Code(306, "local_life_bonus_clawback", "local_life", (C,), (P,), "clawback", "bonus on the refunded part"),
    Code(401, "incentive", "incentive", (P,), (C,), "earning", "weekly cash installment, paid if the creator posted"),
    Code(402, "program_funding", None, (Kind.PLATFORM_FUNDING,), (P,), None, "a week's installments committed"),
    Code(501, "brand_deal", "brand_deal", (Kind.BRAND,), (C,), "earning", "price of a completed brand order"),
    Code(502, "brand_fee", "brand_deal", (C,), (R,), "fee", "marketplace service fee"),
    Code(511, "market_escrow", "brand_deal", (Kind.BRAND,), (Kind.BRAND_ESCROW,), None,
         "marketplace order funded: the price held in escrow (pending; posted or voided later)"),
    Code(512, "market_price", "brand_deal", (Kind.BRAND_ESCROW,), (C,), "earning",
         "price of a completed marketplace order (or the creator's part of a resolved dispute)"),
    Code(513, "market_fee", "brand_deal", (C,), (R,), "fee", "marketplace service fee on a market_price"),
    Code(601, "task_reward", "task", (Kind.TASK_BUDGET,), (C,), "earning", "task-center reward"),
    Code(602, "task_funding", None, (Kind.PLATFORM_FUNDING,), (Kind.TASK_BUDGET,), None, "rewards committed"),
    Code(701, "mcn_share", None, (C,), (Kind.MCN_PAYABLE,), None, "the agency's share of a month's income"),
    Code(801, "withholding", None, (C,), (Kind.WITHHOLDING_TAX,), None, "tax withheld on a month's income"),
    Code(901, "payout", None, (C, Kind.MCN_PAYABLE), (Kind.PAYOUT_CLEARING,), None, "settled balance sent to the bank"),
    Code(902, "payout_to_bank", None, (Kind.PAYOUT_CLEARING,), (Kind.BANK,), None, "the bank confirmed the payout"),
    Code(991, "settlement_mark", None, (Kind.SETTLEMENT_CONTROL,), (Kind.SETTLEMENT_CONTROL,), None,
         "zero-amount marker: a month's settlement cutoff in user_data"),
)  # fmt: skip
BY_VALUE: dict[int, Code] = {c.value: c for c in CODES}
BY_NAME: dict[str, Code] = {c.name: c for c in CODES}


def code(name: str) -> int:
    """The value of a code by name (``code("affiliate") == 201``)."""
    return BY_NAME[name].value
