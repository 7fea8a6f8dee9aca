"""Content fingerprints of the synthetic works, with planted re-uploads and near-miss negatives.

Every short video gets ``FRAMES`` random 64-bit frame hashes (live sessions too; an image one) and most an
audio word. Each month ``SHARE`` of the short videos become re-uploads: a later work by another creator whose
fingerprints are an earlier short video's (this month's or last month's), transformed — re-encoded (0-3 bits
flipped per frame), cropped (3-6 bits), mirrored (the mirrored frames' hashes, ``h ^ MIRROR_MASK``, 0-3 bits),
sped up (frames sampled at other positions: 2-6 bits), or re-titled (re-encoded under a new title). Near
misses: works of different creators sharing a template intro frame or a trending sound, and the titles that
thousands of works share ('food vlog #123'). The truth is ``truth/reuploads.parquet``.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from guanghe.data.growth_schema import WORK_FINGERPRINTS
from guanghe.synth.activity import Works
from guanghe.synth.arrow import strings

FRAMES = 4
SHARE = 0.01  # of short videos, re-uploads
TRANSFORMS = ("reencode", "crop", "mirror", "speed", "retitle")
FLIPS = {"reencode": (0, 3), "crop": (3, 6), "mirror": (0, 3), "speed": (2, 6), "retitle": (0, 3)}
TEMPLATE_SHARE, TEMPLATES = 0.02, 40  # short videos opening on a shared template frame
SOUND_SHARE, SOUNDS = 0.03, 30  # works using a trending sound
SILENT = 0.1  # short videos without sound
MIRROR_MASK = np.uint64(
    0xAAAAAAAAAAAAAAAA
)  # growth.originality.hashing.MIRROR_MASK (synth imports only data)
SPEED_POSITIONS = np.minimum(np.round(np.arange(FRAMES) * 1.25).astype(np.int64), FRAMES - 1)

TRUTH_SCHEMA = pa.schema(
    [
        pa.field("work_id", pa.int64(), nullable=False),
        pa.field("original_work_id", pa.int64(), nullable=False),
        pa.field("transform", pa.string(), nullable=False),
    ]
)


_HEX2 = np.frombuffer(b"".join(f"{i:02x}".encode() for i in range(256)), np.uint16)  # byte -> 2 hex chars


def _hex_chars(words: np.ndarray) -> np.ndarray:
    """(n, k) uint64 -> (n, 16 k) uint8 ASCII hex, most significant digit first."""
    n = len(words)
    be = np.ascontiguousarray(words, np.uint64).byteswap().view(np.uint8).reshape(n, -1)
    return _HEX2[be].view(np.uint8).reshape(n, -1)


def hex_words(words: np.ndarray, per_row: int) -> pa.Array:
    """Rows of ``per_row`` uint64 words as strings of 16 hex digits per word (no per-row Python)."""
    words = np.ascontiguousarray(words, np.uint64).reshape(-1, per_row)
    n = len(words)
    data = _hex_chars(words)
    offsets = np.arange(0, 16 * per_row * (n + 1), 16 * per_row, dtype=np.int32)
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data))


def _frames_column(frames: np.ndarray, count: np.ndarray) -> pa.Array:
    """The first ``count[i]`` words of each row of ``frames`` as hex strings."""
    n = len(frames)
    chars = _hex_chars(frames)
    short = np.flatnonzero(count < FRAMES)
    if len(short):  # few rows (images): drop their unused tail
        keep = np.ones(chars.shape, bool)
        keep[short] = np.arange(FRAMES * 16)[None, :] < (16 * count[short])[:, None]
        data = chars[keep]
    else:
        data = chars.reshape(-1)
    offsets = np.concatenate([[0], np.cumsum(16 * count)]).astype(np.int32)
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(np.ascontiguousarray(data)))


def _flips(rng: np.random.Generator, shape: tuple[int, ...], low: int, high: int) -> np.ndarray:
    """uint64 masks of low..high random bits (two draws may hit the same bit: then one fewer)."""
    count = rng.integers(low, high + 1, shape)
    out = np.zeros(shape, np.uint64)
    for i in range(high):
        bit = np.uint64(1) << rng.integers(0, 64, shape).astype(np.uint64)
        out |= np.where(i < count, bit, np.uint64(0))
    return out


@dataclasses.dataclass
class Pool:
    """Last month's short videos: the re-uploads' possible originals."""

    work_id: np.ndarray
    creator: np.ndarray
    published: np.ndarray
    frames: np.ndarray  # (n, FRAMES) uint64
    audio: np.ndarray  # uint64, 0 = silent
    title: pa.Array


class Planter:
    """Draws each month's fingerprints and plants its re-uploads; keeps the truth until ``write``."""

    def __init__(self, seed: int, creator_id: np.ndarray) -> None:
        self.seed, self.creator_id = seed, creator_id
        self.pool: Pool | None = None
        self.truth: list[pa.Table] = []

    def month(self, index: int, works: Works) -> tuple[Works, pa.Table]:
        rng = np.random.default_rng([self.seed, 0x5E0_12, index])
        t = works.table
        n = t.num_rows
        video = pc.equal(t.column("kind"), "short_video").to_numpy()
        image = pc.equal(t.column("kind"), "image").to_numpy()
        frames = rng.integers(0, np.iinfo(np.uint64).max, (n, FRAMES), dtype=np.uint64, endpoint=True)
        audio = rng.integers(1, np.iinfo(np.uint64).max, n, dtype=np.uint64, endpoint=True)
        audio[image | (rng.random(n) < SILENT)] = 0
        templates = rng.integers(0, np.iinfo(np.uint64).max, TEMPLATES, dtype=np.uint64, endpoint=True)
        use = np.flatnonzero(video & (rng.random(n) < TEMPLATE_SHARE))
        frames[use, 0] = templates[rng.integers(0, TEMPLATES, len(use))] ^ _flips(rng, (len(use),), 0, 2)
        sounds = rng.integers(1, np.iinfo(np.uint64).max, SOUNDS, dtype=np.uint64, endpoint=True)
        use = np.flatnonzero((audio != 0) & (rng.random(n) < SOUND_SHARE))
        audio[use] = sounds[rng.integers(0, SOUNDS, len(use))]
        creator = self.creator_id[works.cidx]
        title = t.column("title").combine_chunks()

        pool = self._pool(works, creator, frames, audio, title, video)
        later = np.flatnonzero(video & (rng.random(n) < SHARE))
        position = np.searchsorted(pool.work_id, works.work_id[later])  # this month's videos come after prev
        orig = np.floor(rng.random(len(later)) * position).astype(np.int64)
        ok = (
            (position > 0)
            & (pool.published[orig] < works.published_us[later])
            & (pool.creator[orig] != creator[later])
        )
        later, orig = later[ok], orig[ok]
        chosen = np.zeros(len(pool.work_id), bool)  # a re-upload of this month is no one's original
        chosen[position[ok]] = True
        later, orig = later[~chosen[orig]], orig[~chosen[orig]]
        how = rng.integers(0, len(TRANSFORMS), len(later))
        new_frames = pool.frames[orig].copy()
        speed = how == TRANSFORMS.index("speed")
        new_frames[speed] = new_frames[speed][:, SPEED_POSITIONS]
        for code, name in enumerate(TRANSFORMS):
            rows = np.flatnonzero(how == code)
            lo, hi = FLIPS[name]
            new_frames[rows] ^= _flips(rng, (len(rows), FRAMES), lo, hi)
        new_frames[how == TRANSFORMS.index("mirror")] ^= MIRROR_MASK
        frames[later] = new_frames
        keep_audio = (pool.audio[orig] != 0) & ~speed  # a tempo change breaks the audio fingerprint
        audio[later] = np.where(keep_audio, pool.audio[orig] ^ _flips(rng, (len(later),), 0, 4), audio[later])
        retitle = how == TRANSFORMS.index("retitle")
        source = np.arange(n)
        source[later[~retitle]] = n + orig[~retitle]  # a re-upload keeps the original's title
        title = pa.concat_arrays([title, pool.title]).take(pa.array(source))
        self.pool = Pool(works.work_id[video], creator[video], works.published_us[video], frames[video],
                         audio[video], title.filter(pa.array(video)))  # fmt: skip
        self.truth.append(pa.Table.from_arrays(
            [pa.array(works.work_id[later]), pa.array(pool.work_id[orig]), strings(TRANSFORMS, how)],
            schema=TRUTH_SCHEMA))  # fmt: skip

        frames_col = _frames_column(frames, np.where(image, 1, FRAMES))
        audio_col = pa.array(hex_words(audio, 1), mask=audio == 0)
        table = t.set_column(t.schema.get_field_index("title"), "title", title)
        table = table.set_column(table.schema.get_field_index("fingerprint"), "fingerprint",
                                 hex_words(frames[:, 0], 1))  # fmt: skip
        prints = pa.Table.from_arrays([pa.array(works.work_id), frames_col, audio_col],
                                      schema=WORK_FINGERPRINTS.arrow_schema())  # fmt: skip
        return dataclasses.replace(works, table=table), prints

    def _pool(self, works: Works, creator, frames, audio, title, video) -> Pool:
        """Last month's short videos followed by this month's (in id order)."""
        here = Pool(works.work_id[video], creator[video], works.published_us[video], frames[video],
                    audio[video], title.filter(pa.array(video)))  # fmt: skip
        if self.pool is None:
            return here
        p = self.pool
        return Pool(*(np.concatenate([getattr(p, f), getattr(here, f)]) for f in
                      ("work_id", "creator", "published", "frames", "audio")),
                    pa.concat_arrays([p.title, here.title]))  # fmt: skip

    def write(self, out_dir: Path) -> int:
        table = pa.concat_tables(self.truth) if self.truth else TRUTH_SCHEMA.empty_table()
        pq.write_table(table, Path(out_dir) / "truth" / "reuploads.parquet")
        return table.num_rows
