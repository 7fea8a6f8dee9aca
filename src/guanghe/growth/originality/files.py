"""``guanghe originality scan DIR|FILES``: fingerprint real media files with ffmpeg and report which re-upload
which. Each file counts as its own creator's work, published at its modification time (a tie: path order),
titled by its file name; the earlier file of a matching pair is the original."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from guanghe.growth.originality.match import Thresholds, Works, detect
from guanghe.growth.originality.video import Clip, fingerprint

MEDIA = (".mp4", ".mov", ".mkv", ".webm", ".avi", ".flv", ".m4v", ".ts")


@dataclass(frozen=True)
class FileMatch:
    original: str
    reupload: str
    signal: str
    frame_share: float
    bits: int
    audio_match: bool | None
    title_similarity: float


def media_files(paths: Iterable[Path]) -> list[Path]:
    """The files named, and the media files (by extension) under the folders named, sorted, each once."""
    out: set[Path] = set()
    for p in paths:
        if p.is_dir():
            out.update(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in MEDIA)
        else:
            out.add(p)
    return sorted(out)


def scan(
    files: list[Path], thresholds: Thresholds = Thresholds(), on_file: Callable[[Path], None] | None = None
) -> tuple[list[Clip], list[FileMatch]]:
    clips = []
    for f in files:
        clips.append(fingerprint(f))
        if on_file is not None:
            on_file(f)
    n = len(clips)
    w = Works(
        np.arange(1, n + 1, dtype=np.int64),
        np.arange(1, n + 1, dtype=np.int64),
        np.array([int(Path(c.path).stat().st_mtime_ns // 1000) for c in clips], np.int64),
        np.concatenate([c.frames for c in clips]) if clips else np.zeros(0, np.uint64),
        np.array([len(c.frames) for c in clips], np.int64),
        np.zeros(n, np.uint64),
        [Path(c.path).stem for c in clips],
        [c.audio for c in clips],
    )
    matches = [
        FileMatch(
            clips[p.earlier].path,
            clips[p.later].path,
            p.signal,
            round(p.share, 4),
            p.bits,
            p.audio,
            round(p.title, 4),
        )
        for p in detect(w, thresholds)
        if p.signal is not None
    ]
    return clips, sorted(matches, key=lambda m: (m.reupload, m.original))
