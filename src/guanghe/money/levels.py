"""The growth-rights a creator's level grants on a day, as the money and market rooms enforce them: ad-share
access and the marketplace fee discount (``creator_levels`` / ``level_rights``, written by ``guanghe growth
levels``; docs/growth.md).

A creator's rank on day D is its newest ``creator_levels`` row dated on or before D (0, the base level, without
one); its rights are those of that rank in the newest ``level_rights`` run dated on or before D. Before any run
(no tables, or D before the first run) every right is open and there is no discount, so a platform without
levels pays as before — the same rule as the programs' level features (``programs/levels.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from guanghe.data.growth_schema import CREATOR_LEVELS, LEVEL_RIGHTS
from guanghe.data.warehouse import Warehouse
from guanghe.money.days import dates_to_days


def _col(t: pa.Table, name: str, dtype=np.int64) -> np.ndarray:
    c = t.column(name)
    return c.to_numpy(zero_copy_only=False).astype(dtype) if c.num_chunks else np.zeros(0, dtype)


@dataclass(frozen=True)
class Rights:
    """Per queried (creator, day): whether the ad share is open, and the fee discount in basis points."""

    ad_share: np.ndarray  # bool
    fee_discount_bps: np.ndarray  # int64


class LevelRights:
    """Every level change and every run's rights, read once; ``at`` answers any number of (creator, day)."""

    def __init__(self, wh: Warehouse) -> None:
        self.creator = self.day = self.rank = np.zeros(0, np.int64)
        self.runs = np.zeros(0, np.int64)
        self.table: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # run day -> (ad_share, discount) by rank
        if not (wh.has(CREATOR_LEVELS) and wh.has(LEVEL_RIGHTS)):
            return
        h = wh.table(CREATOR_LEVELS.name)
        rows = wh.fetch(h.select("creator_id", "as_of", "rank").order_by(["creator_id", "as_of"]))
        self.creator, self.rank = _col(rows, "creator_id"), _col(rows, "rank")
        self.day = dates_to_days(rows.column("as_of")).astype(np.int64)
        r = wh.table(LEVEL_RIGHTS.name)
        rights = wh.fetch(
            r.select("as_of", "rank", "ad_share", "fee_discount_bps").order_by(["as_of", "rank"])
        )
        run_day = dates_to_days(rights.column("as_of")).astype(np.int64)
        rank, share = _col(rights, "rank"), _col(rights, "ad_share", bool)
        discount = _col(rights, "fee_discount_bps")
        self.runs = np.unique(run_day)
        for d in self.runs.tolist():
            m = run_day == d
            top = int(rank[m].max()) + 1
            s, f = np.ones(top, bool), np.zeros(top, np.int64)
            s[rank[m]], f[rank[m]] = share[m], discount[m]
            self.table[d] = (s, f)

    def ranks(self, creators: np.ndarray, days: np.ndarray) -> np.ndarray:
        """Each creator's rank on each day (0 without a change dated on or before it)."""
        out = np.zeros(len(creators), np.int64)
        if not len(self.creator) or not len(creators):
            return out
        span = int(max(self.day.max(), days.max()) - min(self.day.min(), days.min())) + 2
        low = int(min(self.day.min(), days.min()))
        ids = np.unique(np.concatenate([self.creator, creators]), return_inverse=True)[1].astype(np.int64)
        have = ids[: len(self.creator)] * span + (self.day - low)
        want = ids[len(self.creator) :] * span + (days.astype(np.int64) - low)
        i = np.searchsorted(have, want, side="right") - 1  # the newest change on or before the day
        ok = (i >= 0) & (ids[: len(self.creator)][np.maximum(i, 0)] == ids[len(self.creator) :])
        out[ok] = self.rank[i[ok]]
        return out

    def at(self, creators: np.ndarray, days: np.ndarray) -> Rights:
        """The rights of ``creators`` on ``days`` (day numbers, as ``money.days``), element-wise."""
        n = len(creators)
        share, discount = np.ones(n, bool), np.zeros(n, np.int64)
        if not len(self.runs) or not n:
            return Rights(share, discount)
        days = np.asarray(days, np.int64)
        rank = self.ranks(np.asarray(creators, np.int64), days)
        run = np.searchsorted(self.runs, days, side="right") - 1  # the newest run on or before the day
        for k in np.unique(run[run >= 0]).tolist():
            s, f = self.table[int(self.runs[k])]
            m = run == k
            r = np.minimum(rank[m], len(s) - 1)
            share[m], discount[m] = s[r], f[r]
        return Rights(share, discount)


__all__ = ["LevelRights", "Rights"]
