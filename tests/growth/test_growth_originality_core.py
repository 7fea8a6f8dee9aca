"""The originality detector's parts against hand-computed answers and brute-force references: pHash and its
mirror, hex parsing, bucket pairs, the LSH index, title shingles, earliest-publisher resolution."""

from __future__ import annotations

import math

import numpy as np
import pyarrow as pa
import pytest

from guanghe.growth.originality.hashing import (
    MIRROR_MASK,
    distance,
    mirror,
    parse_hex_words,
    phash,
    phash_many,
)
from guanghe.growth.originality.index import Lsh, bucket_pairs, candidate_pairs
from guanghe.growth.originality.match import Pair, Thresholds, Works, earlier, verify, verify_all
from guanghe.growth.originality.resolve import resolve
from guanghe.growth.originality.titles import estimated_jaccard, jaccard, minhash, shingles


def test_phash_of_a_mirrored_frame_is_the_mirror_mask_xor() -> None:
    rng = np.random.default_rng(3)
    frames = rng.random((20, 32, 32)) * 255
    assert (phash_many(frames[:, :, ::-1]) == phash_many(frames) ^ MIRROR_MASK).all()
    assert bin(int(MIRROR_MASK)).count("1") == 32  # the odd column frequencies: half the bits
    # Brightness and contrast do not move the signs of the AC coefficients.
    assert phash(frames[0] * 0.5 + 40) == phash(frames[0])
    # A horizontal gradient: only the first row of coefficients (u = 0) is non-zero; (0, v) < 0 for odd v.
    ramp = np.tile(np.arange(32.0), (32, 1))
    assert phash(ramp) == 0  # every odd v coefficient is negative, the rest are 0 (not > 0)
    assert phash(ramp[:, ::-1]) == sum(1 << v for v in range(8) if v % 2 == 1)
    assert mirror(5) == 5 ^ int(MIRROR_MASK)


def test_hex_words_parse_and_reject() -> None:
    words, counts = parse_hex_words(
        pa.array(["00000000000000ff" + "8000000000000001", None, "", "FFFFFFFFFFFFFFFF"])
    )
    assert words.tolist() == [255, 2**63 + 1, 2**64 - 1] and counts.tolist() == [2, 0, 0, 1]
    with pytest.raises(ValueError, match="row 1: expected 16 hex digits"):
        parse_hex_words(pa.array(["00000000000000ff", "abc"]))
    with pytest.raises(ValueError, match="row 1: not a hexadecimal"):
        parse_hex_words(pa.array(["00000000000000ff", "000000000000000g"]))


def test_bucket_pairs_by_hand() -> None:
    keys = np.array([1, 2, 2, 3, 4, 4, 4, 5, 6, 6])
    p, q = bucket_pairs(keys, cap=3)
    assert list(zip(p.tolist(), q.tolist(), strict=True)) == [(1, 2), (4, 5), (4, 6), (5, 6), (8, 9)]
    p, q = bucket_pairs(keys, cap=2)  # the bucket of three is skipped
    assert list(zip(p.tolist(), q.tolist(), strict=True)) == [(1, 2), (8, 9)]


def test_lsh_against_brute_force() -> None:
    """Every pair the index returns is within the distance (exact, checked by popcount); it finds the planted
    near pairs (direct and mirrored) that brute force finds, and no far pair."""
    rng = np.random.default_rng(11)
    n = 3_000
    h = rng.integers(0, 2**64 - 1, n, dtype=np.uint64)
    for k in range(0, 400, 2):  # 200 planted pairs: 0-5 bits apart, every other one mirrored
        flips = rng.choice(64, rng.integers(0, 6), replace=False)
        h[k + 1] = (
            h[k] ^ np.uint64(sum(1 << int(b) for b in flips)) ^ (MIRROR_MASK if k % 4 else np.uint64(0))
        )
    i, j, bits, m = candidate_pairs(h, 12, Lsh(tables=16, bits=24))
    d = distance(h[:, None], h[None, :])
    dm = distance(h[:, None] ^ MIRROR_MASK, h[None, :])
    assert (bits == np.where(m, dm[i, j], d[i, j])).all() and (bits <= 12).all() and (i < j).all()
    truth = {(a, a + 1) for a in range(0, 400, 2)}
    found = set(zip(i.tolist(), j.tolist(), strict=True))
    # P(found) for one pair d bits apart: 1 - (1 - C(64 - d, 24) / C(64, 24))^16 (1 at d = 0, 0.76 at d = 5).
    gap = [int(min(d[a, a + 1], dm[a, a + 1])) for a in range(0, 400, 2)]
    expected = sum(1 - (1 - math.comb(64 - g, 24) / math.comb(64, 24)) ** 16 for g in gap)
    assert len(truth & found) >= expected - 3 * math.sqrt(expected * (1 - expected / 200))
    assert all((a, a + 1) in found for a, g in zip(range(0, 400, 2), gap, strict=True) if g <= 1)
    brute = set(zip(*np.nonzero(np.triu(np.minimum(d, dm) <= 12, 1)), strict=True))
    assert found <= {(int(a), int(b)) for a, b in brute}


def test_vectorised_verification_matches_the_per_pair_reference() -> None:
    """``verify_all`` (all pairs at once, in chunks) gives exactly the ``Pair`` of ``verify`` for every pair of
    a mix of works built to reach every signal: shared and mirrored frames, partial overlaps with a shared
    audio word or title, one-frame works, unrelated works."""
    rng = np.random.default_rng(7)
    base = rng.integers(0, 2**64 - 1, (6, 6), dtype=np.uint64)  # six contents of six frames
    frames, counts, audio, titles = [], [], [], []
    for k in range(60):
        c = base[k % 6]
        n = int(rng.integers(1, 7))
        f = rng.integers(0, 2**64 - 1, n, dtype=np.uint64)
        keep = rng.random(n) < [0.9, 0.4, 0.3, 0.0][k % 4]  # how much of the content the work shares
        flips = [rng.choice(64, int(rng.integers(0, 14)), replace=False) for _ in range(n)]
        noise = np.array([sum(1 << int(b) for b in fl) for fl in flips], np.uint64)
        f = np.where(keep, c[:n] ^ noise, f) ^ (MIRROR_MASK if k % 5 == 0 else np.uint64(0))
        frames.append(f)
        counts.append(n)
        audio.append(int(c[0]) if k % 3 == 0 else (0 if k % 3 == 1 else int(rng.integers(1, 2**63))))
        titles.append(f"content {k % 6} clip" if k % 2 else None)
    w = Works(
        np.arange(100, 160), np.arange(60) % 7, rng.integers(0, 10**6, 60), np.concatenate(frames),
        np.array(counts), np.array(audio, np.uint64), titles,
    )  # fmt: skip
    a, b = np.triu_indices(60, 1)
    first = earlier(w, a, b)
    a, b = np.where(first, a, b), np.where(first, b, a)
    t = Thresholds()
    reference = [verify(w, int(x), int(y), t) for x, y in zip(a, b, strict=True)]
    assert verify_all(w, a, b, t) == reference
    assert verify_all(w, a, b, t, chunk=7) == reference  # chunks of a few pairs
    assert verify_all(w, a[:0], b[:0], t) == []
    signals = {p.signal for p in reference}
    assert signals == {None, "frames", "mirror", "frames+audio", "frames+title"}
    assert any(p.bits < 64 and p.share < t.weak_share for p in reference)  # near frames, too few to flag


def test_titles_shingles_and_minhash() -> None:
    assert shingles("Ab  c") == {"ab ", "b c"} and shingles(None) == frozenset()
    assert jaccard("food vlog #123", "food vlog #124") == pytest.approx(11 / 13)
    assert jaccard("做饭日记", "做饭日记 第二集") == pytest.approx(2 / 6)  # 做饭日 饭日记 of 6
    assert abs(estimated_jaccard(minhash("food vlog #123"), minhash("food vlog #124")) - 11 / 13) < 0.15


def _works() -> Works:
    # rows: 0 = work 10 (creator 1, t=1), 1 = work 20 (creator 2, t=2), 2 = work 30 (creator 3, t=3)
    return Works(np.array([10, 20, 30]), np.array([1, 2, 3]), np.array([1, 2, 3]),
                 np.zeros(3, np.uint64), np.ones(3, np.int64), np.zeros(3, np.uint64), ["a", "b", "c"])  # fmt: skip


def test_earliest_publisher_wins_and_decisions() -> None:
    w = _works()
    pairs = [Pair(1, 0, 1.0, 2, False, None, 0.0, "frames"), Pair(2, 1, 1.0, 3, False, None, 0.0, "frames"),
             Pair(2, 0, 0.75, 5, True, None, 0.0, "mirror")]  # fmt: skip
    v = {x.work_id: x for x in resolve(w, pairs, {})}
    assert set(v) == {20, 30}
    assert (v[20].original_work_id, v[20].original_creator_id) == (10, 1)
    assert (v[30].original_work_id, v[30].signal) == (10, "mirror")  # the earliest of its matches
    v = {x.work_id: x for x in resolve(w, pairs, {(30, 10): "not_duplicate"})}
    # Not a copy of 10, so not of 20 either (20 copies 10): a decision names the first upload the row showed.
    assert (v[30].flagged, v[30].original_work_id, v[30].decision) == (False, 10, "not_duplicate")
    v = {x.work_id: x for x in resolve(w, pairs, {(30, 20): "not_duplicate"})}
    assert (v[30].flagged, v[30].original_work_id) == (True, 10)  # its own match with 10 stands
    only = {(20, 10): "not_duplicate"}  # 20 licensed; 30 still copies 10 (directly, and through 20)
    assert [(x.work_id, x.flagged, x.original_work_id) for x in resolve(w, pairs, only)] == [
        (20, False, 10),
        (30, True, 10),
    ]
    v = {x.work_id: x for x in resolve(w, pairs, {(20, 10): "not_duplicate", (30, 10): "not_duplicate"})}
    assert (v[20].flagged, v[20].decision) == (False, "not_duplicate")
    assert (v[30].flagged, v[30].original_work_id) == (False, 10)  # 20 is cleared but still a copy of 10
    v = {x.work_id: x for x in resolve(w, [], {(30, 20): "duplicate"})}
    assert (v[30].flagged, v[30].signal, v[30].original_work_id, v[30].decision) == (
        True,
        "operator",
        20,
        "duplicate",
    )
