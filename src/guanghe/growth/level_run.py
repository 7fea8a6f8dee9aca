"""The levels use case: compute every creator's level as of a day and store the changes with their reasons.

Runs form a path: the level of day D depends on the stored level before D. So a run for D replaces only D's
rows (the same D twice stores the same rows), and a day earlier than the newest stored run is refused (it
would rewrite the history the later runs were computed from).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from guanghe.data.growth_schema import CREATOR_LEVELS, LEVEL_RIGHTS
from guanghe.data.warehouse.base import Warehouse, WarehouseError
from guanghe.growth.level_rules import LevelRules
from guanghe.growth.levels import compute_levels
from guanghe.programs.ibis_util import UTC_ZONE


class LevelOrderError(WarehouseError):
    """A run for a day before the newest stored run."""


@dataclass
class LevelRun:
    as_of: date
    creators: int
    counts: dict[str, int]  # level name -> creators at it after the run
    promoted: int
    demoted: int
    stored: bool
    seconds: float
    changes: pa.Table = field(repr=False)  # creator_levels rows of this run

    def to_dict(self) -> dict:
        return {"as_of": self.as_of.isoformat(), "creators": self.creators, "levels": self.counts,
                "promoted": self.promoted, "demoted": self.demoted, "changes": self.changes.num_rows,
                "stored": self.stored, "seconds": round(self.seconds, 3)}  # fmt: skip


def stored_runs(wh: Warehouse) -> list[date]:
    """The as-of days of the stored runs, oldest first."""
    if not wh.has(LEVEL_RIGHTS):
        return []
    t = wh.table(LEVEL_RIGHTS)
    return sorted(wh.fetch(t.select("as_of").distinct()).column("as_of").to_pylist())


def _names(rules: LevelRules, ranks: pa.Array) -> pa.Array:
    return pa.array(np.array([lv.name for lv in rules.levels], dtype=object)[ranks.to_numpy()], pa.string())


def _rows(rules: LevelRules, as_of: date, result: pa.Table) -> tuple[pa.Table, np.ndarray]:
    rank = result.column("rank").to_numpy()
    counts = np.bincount(rank, minlength=len(rules.levels))
    ch = result.filter(pc.is_valid(result.column("reason")))
    ch = ch.sort_by("creator_id")
    rank_ch = ch.column("rank").combine_chunks()
    prev_ch = ch.column("previous_rank").combine_chunks()
    rows = pa.table({
        "creator_id": ch.column("creator_id"), "as_of": pa.array([as_of] * ch.num_rows, pa.date32()),
        "level": _names(rules, rank_ch), "rank": rank_ch.cast(pa.int32()),
        "previous_level": _names(rules, prev_ch), "previous_rank": prev_ch.cast(pa.int32()),
        "reason": ch.column("reason"),
    }, schema=CREATOR_LEVELS.arrow_schema())  # fmt: skip
    return rows, counts


def _rights(rules: LevelRules, as_of: date, counts: np.ndarray) -> pa.Table:
    cols: dict[str, list] = {c: [] for c in LEVEL_RIGHTS.names}
    for lv in rules.levels:
        row = {"as_of": as_of, "rank": lv.rank, "level": lv.name, **lv.rights.to_dict(),
               "creators": int(counts[lv.rank]), "rules_sha256": rules.sha256}  # fmt: skip
        for c in LEVEL_RIGHTS.names:
            cols[c].append(row[c])
    return pa.table(cols, schema=LEVEL_RIGHTS.arrow_schema())


def run_levels(
    wh: Warehouse, rules: LevelRules, as_of: date, zone: ZoneInfo = UTC_ZONE, store: bool = True
) -> LevelRun:
    """Compute the levels as of ``as_of`` and (``store``) replace that day's rows of ``creator_levels`` and
    ``level_rights`` in one transaction. Raises LevelOrderError for a day before the newest stored run."""
    started = time.perf_counter()
    runs = stored_runs(wh)
    if runs and as_of < runs[-1]:
        raise LevelOrderError(
            f"levels are stored up to {runs[-1]}; as-of {as_of} is earlier (a run builds on the runs before it: "
            "run days in order, or rerun the newest day)"
        )
    result = wh.fetch(compute_levels(wh.tables(), rules, as_of, zone))
    rows, counts = _rows(rules, as_of, result)
    if store:
        with wh.writer() as w:
            w.delete(CREATOR_LEVELS, as_of=as_of)
            w.delete(LEVEL_RIGHTS, as_of=as_of)
            w.insert(CREATOR_LEVELS, rows)
            w.insert(LEVEL_RIGHTS, _rights(rules, as_of, counts))
    up = pc.sum(pc.greater(rows.column("rank"), rows.column("previous_rank"))).as_py() or 0
    return LevelRun(
        as_of=as_of, creators=result.num_rows, counts={lv.name: int(counts[lv.rank]) for lv in rules.levels},
        promoted=up, demoted=rows.num_rows - up, stored=store, seconds=time.perf_counter() - started, changes=rows,
    )  # fmt: skip
