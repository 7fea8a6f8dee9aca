"""Creator features from the trust badges (``growth/badges``, stored in ``product_badges`` and
``merchant_badges``): the badges of the latest stored day on or before ``as_of``.

Kept apart from ``features.py``: the badge tables are outputs of a later step and may be empty (no badge run
yet), then every creator gets the defaults (false, 0.0).
"""

from __future__ import annotations

from datetime import date

import ibis

from guanghe.programs.ibis_util import day


def _latest(t: ibis.Table, as_of: date) -> ibis.Table:
    """The rows of the latest ``as_of`` day stored on or before ``as_of``."""
    t = t.filter(t.as_of <= day(as_of))
    last = t.aggregate(_last_day=t.as_of.max())
    return t.join(last, t.as_of == last._last_day)


def badge_features(tables: dict[str, ibis.Table], as_of: date) -> list[ibis.Table]:
    """Tables keyed by creator_id to left-join: trusted_merchant (holds 信任购) and price_badge_share (share of
    the creator's products on sale holding 敢比价); none when the warehouse has no badge tables."""
    if "merchant_badges" not in tables or "product_badges" not in tables:
        return []
    mb = _latest(tables["merchant_badges"], as_of)
    trusted = mb.select(creator_id=mb.merchant_id, trusted_merchant=mb.badge)
    pb = _latest(tables["product_badges"], as_of)
    share = pb.group_by(creator_id=pb.merchant_id).aggregate(
        price_badge_share=pb.badge.cast("float64").mean()
    )
    return [trusted, share]
