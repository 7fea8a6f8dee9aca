"""``guanghe originality run``: scan the warehouse's works (published through a day) and replace the rows of
``work_originality`` in one transaction (a failed run writes nothing; a rerun writes the same rows)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from guanghe.data.growth_schema import WORK_FINGERPRINTS, WORK_ORIGINALITY
from guanghe.data.warehouse import Warehouse
from guanghe.growth.originality.hashing import HexError, parse_hex_words
from guanghe.growth.originality.index import Lsh
from guanghe.growth.originality.match import Thresholds, Works, detect
from guanghe.growth.originality.resolve import Decisions, Verdict, resolve
from guanghe.programs.ibis_util import UTC_ZONE, ts_in

SCAN = "platform"


@dataclass(frozen=True)
class RunResult:
    through: date
    works: int
    fingerprinted: int  # works with frames (work_fingerprints or works.fingerprint)
    candidates: int  # verified pairs of works
    flagged: int
    suppressed: int  # flags withheld by a not_duplicate decision
    by_signal: dict[str, int]


def load_works(wh: Warehouse, through: date, zone: ZoneInfo = UTC_ZONE) -> Works:
    """Works published through ``through`` (platform days) with their frames: ``work_fingerprints.frames``,
    else ``works.fingerprint`` as the one frame; works with neither are left out."""
    works = wh.table("works")
    w = works.filter(ts_in(works.published_at, date(1970, 1, 1), through, zone))
    w = w.select("work_id", "creator_id", "published_at", "title", "fingerprint")
    if wh.has(WORK_FINGERPRINTS):
        fp = wh.table(WORK_FINGERPRINTS)
        w = w.left_join(fp.select("work_id", "frames", "audio"), "work_id").drop("work_id_right")
    t = wh.fetch(w.order_by("work_id"))
    frames = t.column("frames") if "frames" in t.column_names else pa.nulls(t.num_rows, pa.string())
    frames = pc.coalesce(frames, t.column("fingerprint"))
    has = pc.invert(pc.or_(pc.is_null(frames), pc.equal(frames, ""))).fill_null(False)
    t, frames = t.filter(has), frames.filter(has)
    ids = t.column("work_id")
    try:
        words, counts = parse_hex_words(frames)
    except HexError as e:
        raise ValueError(f"work_fingerprints.frames of work {ids[e.row]}: {e.message}") from None
    audio = np.zeros(t.num_rows, np.uint64)
    if "audio" in t.column_names:
        try:
            aw, ac = parse_hex_words(t.column("audio"))
        except HexError as e:
            raise ValueError(f"work_fingerprints.audio of work {ids[e.row]}: {e.message}") from None
        firsts = np.concatenate([[0], np.cumsum(ac)[:-1]]).astype(np.int64)
        audio[ac > 0] = aw[firsts[ac > 0]]
    return Works(
        t.column("work_id").to_numpy(),
        t.column("creator_id").to_numpy(),
        t.column("published_at").cast(pa.int64()).to_numpy(),
        words,
        counts,
        audio,
        t.column("title").to_pylist(),
    )


def verdict_table(verdicts: list[Verdict], through: date) -> pa.Table:
    rows = [asdict(v) for v in verdicts]
    cols = {c: [r[c] for r in rows] for c in WORK_ORIGINALITY.names if c not in ("detected_on", "scan")}
    cols["detected_on"] = [through] * len(rows)
    cols["scan"] = [SCAN] * len(rows)
    return pa.Table.from_pydict(cols, schema=WORK_ORIGINALITY.arrow_schema())


def run(
    wh: Warehouse,
    through: date,
    decisions: Decisions,
    zone: ZoneInfo = UTC_ZONE,
    thresholds: Thresholds = Thresholds(),
    lsh: Lsh = Lsh(),
) -> RunResult:
    w = load_works(wh, through, zone)
    pairs = detect(w, thresholds, lsh)
    verdicts = resolve(w, pairs, decisions)
    table = verdict_table(verdicts, through)
    with wh.writer() as writer:
        writer.ensure(WORK_ORIGINALITY)
        writer.delete(WORK_ORIGINALITY, scan=SCAN)
        writer.insert(WORK_ORIGINALITY, table)
    flagged = [v for v in verdicts if v.flagged]
    by_signal: dict[str, int] = {}
    for v in flagged:
        by_signal[v.signal] = by_signal.get(v.signal, 0) + 1
    return RunResult(through, int(wh.count("works")), len(w.work_id), len(pairs), len(flagged),
                     len(verdicts) - len(flagged), by_signal)  # fmt: skip
