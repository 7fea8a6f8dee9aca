"""Who a task enrolls: creators matching its audience filters, as an Ibis table of creator_id.

Creators' attributes (category, region, joined_on) come from ``creators``; only creators whose growth-rights
level opens the task center (``task_center`` in the levels file; all before any levels run) are enrolled;
program eligibility and the
``level`` feature from the creator features as of the last day a run looks at (``Task.last_day``), so once a
window has closed every run sees the same audience.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from zoneinfo import ZoneInfo

import ibis

from guanghe.data.warehouse import Warehouse
from guanghe.growth.tasks.model import Audience
from guanghe.programs import Program, Rule, creator_features, eligibility, rule_expr
from guanghe.programs.ibis_util import day
from guanghe.programs.levels import levels_as_of


def audience(wh: Warehouse, a: Audience, as_of: date, zone: ZoneInfo,
             programs: Mapping[str, Program]) -> ibis.Table:  # fmt: skip
    """creator_id of the creators enrolled as of ``as_of``."""
    c = wh.table("creators")
    keep = c.joined_on <= day(as_of)
    if a.categories:
        keep &= c.category.isin(list(a.categories))
    if a.regions:
        keep &= c.region.isin(list(a.regions))
    if a.joined_from:
        keep &= c.joined_on >= day(a.joined_from)
    out = c.filter(keep).select("creator_id")
    # the growth-rights level must open the task center (every creator's does before any levels run)
    rights = levels_as_of(wh.tables(), out, as_of)
    out = out.semi_join(rights.filter(rights.task_center).select("creator_id"), "creator_id")
    if not a.needs_features:
        return out
    f = creator_features(wh.tables(), as_of, zone)
    ok = ibis.literal(True)
    if a.program:
        ok &= eligibility(f, programs[a.program])
    if a.min_level is not None:
        ok &= rule_expr(f, Rule("level", ">=", a.min_level))
    return out.semi_join(f.filter(ok).select("creator_id"), "creator_id")
