"""Which works re-upload which: candidate frame pairs from the LSH index, every candidate pair of works
verified on all its frames, the flag rule, and "earliest publisher wins".

A pair of works (A earlier, B later, different creators) is flagged when
  share >= ``share`` (frames alone; a one-frame work also needs its frame within ``single_bits``), or
  share >= ``weak_share`` and the audio matches (``frames+audio``) or the titles' 3-gram Jaccard >= ``title``,
where share = max(fraction of B's frames within ``bits`` of some frame of A, the same for A's frames in B),
computed on A's frames and on their mirrors (signal ``mirror`` when the mirrored share is the larger).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from guanghe.growth.originality.audio import bit_error_rate
from guanghe.growth.originality.hashing import MIRROR_MASK, distance
from guanghe.growth.originality.index import Lsh, candidate_pairs
from guanghe.growth.originality.titles import jaccard


@dataclass(frozen=True)
class Thresholds:
    bits: int = 12  # a frame matches a frame within this Hamming distance (of 64 bits)
    share: float = 0.5
    weak_share: float = 0.25
    single_bits: int = 6  # one-frame works (images): the frame must be this close
    audio_bits: int = 8  # platform audio words match within this distance
    audio_ber: float = 0.25  # files: audio matches at this bit error rate or lower
    title: float = 0.9


@dataclass
class Works:
    """The works to scan, in any order: frames flattened with their owner's row."""

    work_id: np.ndarray  # int64
    creator_id: np.ndarray  # int64
    published: np.ndarray  # int64 microseconds (UTC)
    frames: np.ndarray  # uint64, every work's frames in time order, work after work
    counts: np.ndarray  # frames per work (>= 1)
    audio: np.ndarray  # uint64 audio word per work, 0 = none
    titles: list[str | None]
    audio_seq: list[np.ndarray] | None = (
        None  # real files: audio sub-fingerprints, compared by bit error rate
    )


@dataclass
class Pair:
    """One verified pair of works: ``later`` (row) against ``earlier`` (row)."""

    later: int
    earlier: int
    share: float
    bits: int
    mirror: bool
    audio: bool | None
    title: float
    signal: str | None  # the flag rule's signal, None when it does not flag


def _first(counts: np.ndarray) -> np.ndarray:
    return np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)


def _share(fa: np.ndarray, fb: np.ndarray, bits: int) -> tuple[float, int]:
    d = distance(fa[:, None], fb[None, :])
    best_b, best_a = d.min(axis=0), d.min(axis=1)
    share = max(float(np.mean(best_b <= bits)), float(np.mean(best_a <= bits)))
    near = best_b[best_b <= bits] if (best_b <= bits).any() else best_a[best_a <= bits]
    return share, int(np.median(near)) if len(near) else 64


def verify(w: Works, a: int, b: int, t: Thresholds) -> Pair:
    """Score rows ``a`` (earlier) and ``b`` (later) on all their frames."""
    first = _first(w.counts)
    fa = w.frames[first[a] : first[a] + w.counts[a]]
    fb = w.frames[first[b] : first[b] + w.counts[b]]
    share, bits = _share(fa, fb, t.bits)
    m_share, m_bits = _share(fa ^ MIRROR_MASK, fb, t.bits)
    mirror = m_share > share
    if mirror:
        share, bits = m_share, m_bits
    audio = None
    if w.audio_seq is not None:
        sa, sb = w.audio_seq[a], w.audio_seq[b]
        if len(sa) and len(sb):
            audio = bit_error_rate(sa, sb) <= t.audio_ber
    elif w.audio[a] and w.audio[b]:
        audio = bool(distance(w.audio[a], w.audio[b]) <= t.audio_bits)
    title = jaccard(w.titles[a], w.titles[b])
    single = min(w.counts[a], w.counts[b]) == 1
    signal = None
    if share >= t.share and (not single or bits <= t.single_bits):
        signal = "mirror" if mirror else "frames"
    elif share >= t.weak_share and not single and audio:
        signal = "frames+audio"
    elif share >= t.weak_share and not single and title >= t.title:
        signal = "frames+title"
    return Pair(b, a, share, bits, mirror, audio, title, signal)


def earlier(w: Works, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Whether row a was published before row b (a tie goes to the lower work id)."""
    return (w.published[a] < w.published[b]) | (
        (w.published[a] == w.published[b]) & (w.work_id[a] < w.work_id[b])
    )


def work_pairs(w: Works, t: Thresholds, lsh: Lsh = Lsh()) -> tuple[np.ndarray, np.ndarray]:
    """Candidate (earlier row, later row) pairs of works of different creators sharing a near frame."""
    owner = np.repeat(np.arange(len(w.counts)), w.counts)
    i, j, _, _ = candidate_pairs(w.frames, t.bits, lsh)
    a, b = owner[i], owner[j]
    keep = (a != b) & (w.creator_id[a] != w.creator_id[b])
    a, b = a[keep], b[keep]
    first = earlier(w, a, b)
    lo, hi = np.where(first, a, b), np.where(first, b, a)
    packed = np.unique(lo.astype(np.int64) * len(w.counts) + hi)
    return packed // len(w.counts), packed % len(w.counts)


def detect(w: Works, t: Thresholds = Thresholds(), lsh: Lsh = Lsh()) -> list[Pair]:
    """Every verified candidate pair of works (flagged or not)."""
    a, b = work_pairs(w, t, lsh)
    return [verify(w, int(x), int(y), t) for x, y in zip(a, b, strict=True)]
