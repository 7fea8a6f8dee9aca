"""Channel rules as values: what each monetization channel pays, read from ``examples/channels/*.toml``.

One file per channel (``channel = "affiliate"``); rates are basis points (1 bp = 0.01 %), money integer fen.
Loading (``rules_load.load_channels``) checks every field with file:line:field errors, refuses unknown keys and
programs that are not among the loaded programs.

>>> fen_bps(12_345, 1_000), fen_bps(2**63 - 1, 10_000) == 2**63 - 1
(1234, True)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

# The shipped rules: examples/channels/ of the source checkout (the default of --channels).
CHANNELS_DIR = Path(__file__).resolve().parents[3] / "examples" / "channels"
BPS = 10_000


@dataclass(frozen=True)
class Bonus:
    """Extra money for a program's creators: ``bps`` of the event's amount (ad share: extra share points)."""

    program: str
    bps: int
    touchpoints: tuple[str, ...] = ()  # affiliate: where the order was placed (empty: not restricted)


@dataclass(frozen=True)
class FeeDiscount:
    """A lower service fee for a program's creators (brand deals)."""

    program: str
    fee_bps: int


@dataclass(frozen=True)
class ChannelRule:
    channel: str
    title: str
    description: str = ""
    source: str = ""  # the file it came from
    lines: dict[str, int] = field(default_factory=dict, compare=False)  # field -> line in the file

    def where(self, name: str = "channel") -> str:
        n = self.lines.get(name, 0)
        return f"{self.source}:{n}" if n else self.source


@dataclass(frozen=True)
class AdShareRule(ChannelRule):
    share_bps: dict[str, int] = field(default_factory=dict)  # tier -> creator's share of gross ad revenue
    bonus: tuple[Bonus, ...] = ()  # extra share points (from the ad pool) for program creators


@dataclass(frozen=True)
class AffiliateRule(ChannelRule):
    platform_take_bps: int = 0  # of the commission
    return_window_days: int = 0  # after the delivery day
    bonus: tuple[Bonus, ...] = ()  # of the order amount, from the program's budget


@dataclass(frozen=True)
class LocalLifeRule(ChannelRule):
    platform_take_bps: int = 0
    bonus: tuple[Bonus, ...] = ()


@dataclass(frozen=True)
class BrandDealRule(ChannelRule):
    fee_bps: int = 0  # of the price
    fee_discount: tuple[FeeDiscount, ...] = ()


@dataclass(frozen=True)
class IncentiveRule(ChannelRule):
    installment: str = "weekly"
    condition: str = "posted_in_week"


@dataclass(frozen=True)
class TaskRule(ChannelRule):
    pass


@dataclass(frozen=True)
class ChannelRules:
    """Every channel's rule (each channel has exactly one file)."""

    ad_share: AdShareRule
    affiliate: AffiliateRule
    local_life: LocalLifeRule
    brand_deal: BrandDealRule
    incentive: IncentiveRule
    task: TaskRule

    def programs(self) -> set[str]:
        """Programs the rules name (bonuses and fee discounts)."""
        out = {b.program for r in (self.ad_share, self.affiliate, self.local_life) for b in r.bonus}
        return out | {d.program for d in self.brand_deal.fee_discount}


def fen_bps(amount, bps):
    """floor(amount x bps / 10^4) exactly, without overflow (numpy int64 arrays or Python ints): the
    amount is split into whole 10^4 units and the rest, so no product exceeds amount itself."""
    return (amount // BPS) * bps + (amount % BPS) * bps // BPS


__all__ = [
    "BPS",
    "CHANNELS_DIR",
    "AdShareRule",
    "AffiliateRule",
    "Bonus",
    "BrandDealRule",
    "ChannelRule",
    "ChannelRules",
    "FeeDiscount",
    "IncentiveRule",
    "LocalLifeRule",
    "TaskRule",
    "fen_bps",
]
