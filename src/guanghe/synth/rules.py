"""The money rules' numbers as the generator applies them (``SynthConfig.money``).

They equal the shipped channel rule files (``examples/channels/*.toml``; ``tests/synth/test_rules.py`` parses
them and compares), but are kept here so the synthetic platform never imports the money room: its truth
(``truth/earnings.parquet``) is an independent implementation of the same integer rules (docs/synth.md).

>>> MoneyRules().fee_bps(xiaomai=True, brand_star=True)
200
"""

from __future__ import annotations

from dataclasses import dataclass, field

BPS = 10_000


@dataclass(frozen=True)
class AffiliateBonus:
    program: str
    touchpoints: tuple[str, ...]
    bps: int  # of the order amount not refunded at the window's close


@dataclass(frozen=True)
class MoneyRules:
    # ad_share.toml: creator share of gross ad revenue by tier at the month's start, + extra points for members
    ad_share_bps: dict[str, int] = field(default_factory=lambda: {"tail": 5000, "waist": 5500, "head": 6000})
    ad_bonus_bps: dict[str, int] = field(default_factory=lambda: {"guanghe": 1000})
    # affiliate.toml
    affiliate_take_bps: int = 1000
    return_window_days: int = 7
    affiliate_bonus: tuple[AffiliateBonus, ...] = (
        AffiliateBonus("ecom_tail", ("short_video", "storefront"), 100),
    )
    # local_life.toml
    local_life_take_bps: int = 1000
    local_life_bonus_bps: dict[str, int] = field(default_factory=lambda: {"feiniao": 200})
    # brand_deal.toml: service fee, the lowest of the default and the discounts of the creator's programs
    brand_fee_bps: int = 500
    brand_fee_discounts: dict[str, int] = field(default_factory=lambda: {"xiaomai": 200, "brand_star": 300})

    def fee_bps(self, **member: bool) -> int:
        """The brand service fee of a creator who is (or is not) a member of each discount program."""
        return min(
            [self.brand_fee_bps, *(bps for p, bps in self.brand_fee_discounts.items() if member.get(p))]
        )

    @property
    def programs(self) -> tuple[str, ...]:
        """Programs whose membership changes an amount (bonuses and fee discounts)."""
        names = [*self.ad_bonus_bps, *(b.program for b in self.affiliate_bonus), *self.local_life_bonus_bps]
        return tuple(dict.fromkeys([*names, *self.brand_fee_discounts]))
