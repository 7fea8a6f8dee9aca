"""The growth level of each creator as of a day (written by ``guanghe growth levels``), as features.

A creator's rank is its newest ``creator_levels`` row dated on or before the day (0, the base level, without
one); the level's name and traffic coupon are those of the newest ``level_rights`` run on or before the day.
Before any run every creator has rank 0, level ``""`` and no coupon.
"""

from __future__ import annotations

from datetime import date

import ibis

from guanghe.data.growth_schema import CREATOR_LEVELS, LEVEL_RIGHTS
from guanghe.programs.ibis_util import day

_RANKS = 1024  # ranks packed under the day in one integer: "newest row on or before" is a plain max()


def levels_as_of(tables: dict[str, ibis.Table], creators: ibis.Table, as_of: date) -> ibis.Table:
    """creator_id, level, level_rank, traffic_coupon, task_center, ad_share_access, fee_discount_bps for each
    creator of ``creators`` (before any run: the base level with every right open and no coupon or discount,
    so a platform without levels behaves as before)."""
    ids = creators.select("creator_id")
    if CREATOR_LEVELS.name not in tables or LEVEL_RIGHTS.name not in tables:
        return ids.mutate(level=ibis.literal(""), level_rank=ibis.literal(0, "int64"),
                          traffic_coupon=ibis.literal(0, "int64"), task_center=ibis.literal(True),
                          ad_share_access=ibis.literal(True), fee_discount_bps=ibis.literal(0, "int64"))  # fmt: skip
    h = tables[CREATOR_LEVELS.name]
    h = h.filter(h.as_of <= day(as_of))
    key = h.as_of.epoch_days().cast("int64") * _RANKS + h["rank"].cast("int64")
    at = h.group_by("creator_id").aggregate(key=key.max())
    ranks = at.select("creator_id", level_rank=(at.key % _RANKS).cast("int64"))
    r = tables[LEVEL_RIGHTS.name]
    r = r.filter(r.as_of <= day(as_of))
    newest = r.aggregate(run=r.as_of.max())
    rights = r.join(newest, r.as_of == newest.run).select(
        level_rank=r["rank"].cast("int64"),
        level=r.level,
        traffic_coupon=r.traffic_coupon.cast("int64"),
        task_center=r.task_center,
        ad_share_access=r.ad_share,
        fee_discount_bps=r.fee_discount_bps.cast("int64"),
    )
    t = ids.left_join(ranks, "creator_id")
    t = t.select("creator_id", level_rank=t.level_rank.coalesce(0)).view()  # (a join on a computed column)
    t = t.left_join(rights, "level_rank")
    return t.select(
        "creator_id", level=t.level.coalesce(""), level_rank="level_rank",
        traffic_coupon=t.traffic_coupon.coalesce(0), task_center=t.task_center.coalesce(True),
        ad_share_access=t.ad_share_access.coalesce(True), fee_discount_bps=t.fee_discount_bps.coalesce(0),
    )  # fmt: skip
