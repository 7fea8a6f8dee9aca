"""Every creator's level as of a day, in Ibis (the same query on DuckDB and PySpark).

With p the creator's previous level (its newest ``creator_levels`` row dated before as_of; 0 without one)
and E_k, K_k the entry and keep rules of level k:

    entered = max{k : E_k holds}        kept = max{k <= p : K_k holds}        level = max(entered, kept)

so a creator enters a level when its entry rules hold and is demoted only when a keep rule of its level
fails (then to the highest level it keeps or enters). ``LevelRules.assign`` is the same in Python.
"""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import ibis
import ibis.expr.types as ir

from guanghe.data.growth_schema import CREATOR_LEVELS
from guanghe.growth.level_features import level_features
from guanghe.growth.level_rules import COMPARE, LevelRule, LevelRules
from guanghe.programs.ibis_util import UTC_ZONE, day

_RANKS = 1024  # ranks packed under the day in one integer, so "newest row before as_of" is a plain max()


def previous_ranks(history: ibis.Table, as_of: date) -> ibis.Table:
    """creator_id, previous_rank: each creator's rank in its newest history row dated before ``as_of``."""
    h = history.filter(history.as_of < day(as_of))
    key = h.as_of.epoch_days().cast("int64") * _RANKS + h["rank"].cast("int64")
    at = h.group_by("creator_id").aggregate(key=key.max())
    return at.select("creator_id", previous_rank=(at.key % _RANKS).cast("int64"))


def _rule(t: ibis.Table, r: LevelRule, keep: bool) -> ir.BooleanColumn:
    return COMPARE[r.op](t[r.feature], r.keep if keep else r.value).fill_null(False)


def _all(t: ibis.Table, rules: tuple[LevelRule, ...], keep: bool) -> ir.BooleanValue:
    out: ir.BooleanValue = ibis.literal(True)
    for r in rules:
        out = out & _rule(t, r, keep)
    return out


def promotion_reason(rules: LevelRules, rank: int) -> str:
    return f"entry rules of {rules.name(rank)} hold: " + ", ".join(str(r) for r in rules.levels[rank].rules)


def demotion_reason(rules: LevelRules, previous: int, failed: LevelRule) -> str:
    return f"keep rule of {rules.name(previous)} fails: {failed.text(keep=True)}"


def assign_levels(features: ibis.Table, previous: ibis.Table, rules: LevelRules) -> ibis.Table:
    """creator_id, rank, previous_rank, reason (null where the level did not change) for every creator of
    ``features`` (a ``level_features`` table); ``previous`` is ``previous_ranks``' table."""
    t = features.left_join(previous, "creator_id")
    t = t.mutate(_prev=ibis.least(t.previous_rank.coalesce(0), rules.top).cast("int64"))
    ks = range(rules.top, 0, -1)
    entered = ibis.cases(*((_all(t, rules.levels[k].rules, False), k) for k in ks), else_=0)
    kept = ibis.cases(*(((t._prev >= k) & _all(t, rules.levels[k].rules, True), k) for k in ks), else_=0)
    t = t.mutate(rank=ibis.greatest(entered, kept).cast("int64"))
    up = ibis.cases(*((t["rank"] == k, promotion_reason(rules, k)) for k in ks), else_="")
    failures = [
        ((t._prev == k) & ~_rule(t, r, True), demotion_reason(rules, k, r))
        for k in ks
        for r in rules.levels[k].rules
    ]
    down = ibis.cases(*failures, else_="level no longer in the rules") if failures else ibis.literal("")
    now = ibis.cases(*((t["rank"] == k, f"; now {rules.name(k)}") for k in range(rules.top + 1)), else_="")
    reason = ibis.cases(
        (t["rank"] > t._prev, up), (t["rank"] < t._prev, down.concat(now)), else_=ibis.null("string")
    )
    return t.select("creator_id", "rank", previous_rank="_prev", reason=reason)


def compute_levels(
    tables: dict[str, ibis.Table], rules: LevelRules, as_of: date, zone: ZoneInfo = UTC_ZONE
) -> ibis.Table:
    """Every creator joined by ``as_of``: its level after this run, its previous level, why it changed."""
    features = level_features(tables, as_of, zone)
    return assign_levels(features, previous_ranks(tables[CREATOR_LEVELS.name], as_of), rules)
