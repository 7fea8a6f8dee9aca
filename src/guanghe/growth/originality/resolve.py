"""From verified pairs to one verdict per work: operators' decisions first (a ``not_duplicate`` pair is never
flagged again, a ``duplicate`` pair always is), then "earliest publisher wins": a flagged work's original is
the earliest-published work it matches, followed back to the first upload when that one is a re-upload too.

A decision on (work, first upload) covers the work's matches with every copy of that first upload (a copy
keeps its lineage even when an operator cleared it): two licensed copies of one video do not flag each other."""

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
    candidates: dict[int, list[Pair]] = {}
    for (b, _), p in found.items():
        candidates.setdefault(b, []).append(p)
    root: dict[int, int] = {}
    out: list[Verdict] = []
    for b in sorted(candidates, key=lambda r: _key(w, r)):  # in publication order: earlier roots are known

        def said(a: int, b: int = b) -> str | None:
            """The decision on (b, a), or on (b, the first upload a copies): what an operator saw."""
            if not decisions:
                return None
            wid = int(w.work_id[b])
            return decisions.get((wid, int(w.work_id[a]))) or decisions.get(
                (wid, int(w.work_id[root.get(a, a)]))
            )

        ps = candidates[b]
        live = [
            p
            for p in ps
            if said(p.earlier) != "not_duplicate" and (p.signal or said(p.earlier) == "duplicate")
        ]
        if live:
            p = min(live, key=lambda q: _key(w, q.earlier))
            root[b] = root.get(p.earlier, p.earlier)
            out.append(_verdict(w, p, True, root[b], said(p.earlier)))
            continue
        gone = [p for p in ps if said(p.earlier) == "not_duplicate"]
        if gone:
            p = min(gone, key=lambda q: _key(w, q.earlier))
            root[b] = root.get(
                p.earlier, p.earlier
            )  # the content's lineage, for the decisions on later copies
            out.append(_verdict(w, p, False, root.get(p.earlier, p.earlier), "not_duplicate"))
    return sorted(out, key=lambda v: v.work_id)


def _verdict(w: Works, p: Pair, flagged: bool, origin: int, decision: str | None) -> Verdict:
    return Verdict(
        int(w.work_id[p.later]), int(w.creator_id[p.later]), flagged, int(w.work_id[origin]),
        int(w.creator_id[origin]), p.signal or ("mirror" if p.mirror else "frames"), round(p.share, 4), p.bits,
        p.audio, round(p.title, 4), decision,
    )  # fmt: skip
