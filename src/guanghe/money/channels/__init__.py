"""The channels' rules as array code: each module turns one channel's events (read through ``--through``) into
``Chunk``s of transfers on ``Legs``. ``RULES`` maps a channel to its function ``(ctx, legs) -> Read``."""

from __future__ import annotations

from collections.abc import Callable

from guanghe.money.channels.ad_share import ad_share
from guanghe.money.channels.affiliate import affiliate
from guanghe.money.channels.base import Context, Read
from guanghe.money.channels.brand_deal import brand_deal
from guanghe.money.channels.incentive import incentive
from guanghe.money.channels.local_life import local_life
from guanghe.money.channels.task import task
from guanghe.money.legs import Legs

RULES: dict[str, Callable[[Context, Legs], Read]] = {
    "ad_share": ad_share,
    "brand_deal": brand_deal,
    "affiliate": affiliate,
    "local_life": local_life,
    "task": task,
    "incentive": incentive,
}

__all__ = ["RULES", "Context", "Read"]
