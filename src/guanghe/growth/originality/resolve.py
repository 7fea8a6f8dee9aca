"""From verified pairs to one verdict per work: operators' decisions first (a ``not_duplicate`` pair is never
flagged again, a ``duplicate`` pair always is), then "earliest publisher wins": a flagged work's original is
the earliest-published work it matches, followed back to the first upload when that one is a re-upload too."""

from __future__ import annotations

from dataclasses import dataclass

from guanghe.growth.originality.match import Pair, Works, earlier

Decisions = dict[tuple[int, int], str]  # (work_id, original_work_id) -> duplicate | not_duplicate


@dataclass(frozen=True)
class Verdict:
    work_id: int
    creator_id: int
    flagged: bool
    original_work_id: int
    original_creator_id: int
    signal: str
    frame_share: float
    bits: int
    audio_match: bool | None
    title_similarity: float
    decision: str | None


def _key(w: Works, row: int) -> tuple[int, int]:
    return int(w.published[row]), int(w.work_id[row])


def resolve(w: Works, pairs: list[Pair], decisions: Decisions) -> list[Verdict]:
    by_id = {int(x): i for i, x in enumerate(w.work_id)}
    found = {(p.later, p.earlier): p for p in pairs}
    for (work, original), decision in decisions.items():
        b, a = by_id.get(work), by_id.get(original)
        if decision == "duplicate" and a is not None and b is not None and (b, a) not in found:
            if not earlier(w, a, b):  # type: ignore[arg-type]
                a, b = b, a
            found[(b, a)] = Pair(b, a, 0.0, 64, False, None, 0.0, "operator")
    flagged: dict[int, list[Pair]] = {}
    suppressed: dict[int, Pair] = {}
    for (b, a), p in found.items():
        decision = decisions.get((int(w.work_id[b]), int(w.work_id[a])))
        if decision == "not_duplicate":
            suppressed.setdefault(b, p)
        elif p.signal is not None or decision == "duplicate":
            flagged.setdefault(b, []).append(p)
    root: dict[int, int] = {}
    out: list[Verdict] = []
    for b in sorted(flagged, key=lambda r: _key(w, r)):
        p = min(flagged[b], key=lambda q: _key(w, q.earlier))
        origin = root.get(p.earlier, p.earlier)
        root[b] = origin
        decision = decisions.get((int(w.work_id[b]), int(w.work_id[p.earlier])))
        out.append(_verdict(w, p, True, origin, decision))
    for b, p in suppressed.items():
        if b not in flagged:
            out.append(_verdict(w, p, False, p.earlier, "not_duplicate"))
    return sorted(out, key=lambda v: v.work_id)


def _verdict(w: Works, p: Pair, flagged: bool, origin: int, decision: str | None) -> Verdict:
    return Verdict(
        int(w.work_id[p.later]), int(w.creator_id[p.later]), flagged, int(w.work_id[origin]),
        int(w.creator_id[origin]), p.signal or ("mirror" if p.mirror else "frames"), round(p.share, 4), p.bits,
        p.audio, round(p.title, 4), decision,
    )  # fmt: skip
