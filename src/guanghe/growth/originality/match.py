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
from guanghe.growth.originality.titles import jaccard, set_jaccard, shingles


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


def _group_medians(group: np.ndarray, values: np.ndarray, groups: int) -> np.ndarray:
    """Per group, ``int(np.median)`` of its non-negative int values (64 for an empty group)."""
    order = np.lexsort((values, group))
    v, g = values[order], group[order]
    n = np.bincount(g, minlength=groups)
    start = np.cumsum(n) - n
    out = np.full(groups, 64, np.int64)
    some = n > 0
    lo, hi = start[some] + (n[some] - 1) // 2, start[some] + n[some] // 2
    out[some] = (v[lo] + v[hi]) // 2
    return out


def _runs_of(sizes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For runs of ``sizes`` items: each item's run and its index within the run."""
    owner = np.repeat(np.arange(len(sizes)), sizes)
    return owner, np.arange(len(owner)) - (np.cumsum(sizes) - sizes)[owner]


def _shares(w: Works, a: np.ndarray, b: np.ndarray, bits: int, mask: np.uint64):
    """``_share`` of every pair (a[k], b[k]) at once, A's frames XOR ``mask``: (share, median bits).

    The frame pairs of work pair k are laid out x-major (x in A, y in B), so A's best distances are minima
    over consecutive runs; B's are the same over the y-major permutation of the distances."""
    first = _first(w.counts)
    ca, cb = w.counts[a].astype(np.int64), w.counts[b].astype(np.int64)
    offset = np.cumsum(ca * cb) - ca * cb
    pair, local = _runs_of(ca * cb)
    x, y = local // cb[pair], local % cb[pair]
    d = distance(w.frames[first[a][pair] + x] ^ mask, w.frames[first[b][pair] + y])
    owner_a, xa = _runs_of(ca)
    best_a = np.minimum.reduceat(d, offset[owner_a] + xa * cb[owner_a])
    # y-major position local = y * ca + x holds the x-major distance at offset + x * cb + y.
    dy = d[offset[pair] + (local % ca[pair]) * cb[pair] + local // ca[pair]]
    owner_b, yb = _runs_of(cb)
    best_b = np.minimum.reduceat(dy, offset[owner_b] + yb * ca[owner_b])
    near_a = np.bincount(owner_a, best_a <= bits, len(a)) / ca
    near_b = np.bincount(owner_b, best_b <= bits, len(a)) / cb
    ok = best_b <= bits  # a near frame pair makes both sides near: B's side gives the median
    return np.maximum(near_a, near_b), _group_medians(owner_b[ok], best_b[ok], len(a))


def verify_all(w: Works, a: np.ndarray, b: np.ndarray, t: Thresholds, chunk: int = 1 << 22) -> list[Pair]:
    """``verify`` of every pair (a[k] earlier, b[k] later) with the same answers, vectorised over chunks of
    ~``chunk`` frame pairs (tests/growth/test_growth_originality_core.py compares the two)."""
    a, b = np.asarray(a, np.int64), np.asarray(b, np.int64)
    if not len(a):
        return []
    ends = np.cumsum(w.counts[a].astype(np.int64) * w.counts[b])
    found, i = [], 0
    while i < len(a):
        j = max(int(np.searchsorted(ends, (ends[i - 1] if i else 0) + chunk, "right")), i + 1)
        found.append(
            _shares(w, a[i:j], b[i:j], t.bits, np.uint64(0)) + _shares(w, a[i:j], b[i:j], t.bits, MIRROR_MASK)
        )
        i = j
    share, bits, m_share, m_bits = (np.concatenate(c) for c in zip(*found, strict=True))
    mirror = m_share > share
    share, bits = np.where(mirror, m_share, share), np.where(mirror, m_bits, bits)
    if w.audio_seq is not None:
        audio: list[bool | None] = [
            bit_error_rate(w.audio_seq[x], w.audio_seq[y]) <= t.audio_ber
            if len(w.audio_seq[x]) and len(w.audio_seq[y])
            else None
            for x, y in zip(a.tolist(), b.tolist(), strict=True)
        ]
    else:
        both = (w.audio[a] != 0) & (w.audio[b] != 0)
        hit = distance(w.audio[a], w.audio[b]) <= t.audio_bits
        audio = [bool(h) if o else None for o, h in zip(both.tolist(), hit.tolist(), strict=True)]
    sets = {r: shingles(w.titles[r]) for r in np.unique(np.concatenate([a, b])).tolist()}  # once per work
    title = np.array([set_jaccard(sets[x], sets[y]) for x, y in zip(a.tolist(), b.tolist(), strict=True)])
    single = np.minimum(w.counts[a], w.counts[b]) == 1
    heard = np.array([bool(x) for x in audio], bool)
    weak = (share >= t.weak_share) & ~single
    signal = np.select(
        [(share >= t.share) & (~single | (bits <= t.single_bits)), weak & heard, weak & (title >= t.title)],
        [np.where(mirror, "mirror", "frames"), "frames+audio", "frames+title"],
        "",
    )
    return [
        Pair(int(y), int(x), float(s), int(d), bool(m), au, float(ti), sig or None)
        for x, y, s, d, m, au, ti, sig in zip(
            a.tolist(), b.tolist(), share.tolist(), bits.tolist(), mirror.tolist(), audio, title.tolist(),
            signal.tolist(), strict=True,
        )
    ]  # fmt: skip


def detect(w: Works, t: Thresholds = Thresholds(), lsh: Lsh = Lsh()) -> list[Pair]:
    """Every verified candidate pair of works (flagged or not)."""
    a, b = work_pairs(w, t, lsh)
    return verify_all(w, a, b, t)
