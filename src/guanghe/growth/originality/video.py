"""Fingerprints of a real media file with ffmpeg: a pHash of every sampled frame (``FPS`` frames a second,
scaled to 32 x 32 grayscale) and of its mirror, and the audio's sub-fingerprints (``audio.py``)."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from guanghe.growth.originality.audio import RATE, audio_bits
from guanghe.growth.originality.hashing import SIZE, phash_many

FPS = 4  # frames sampled per second of video
MAX_FRAMES = 240  # at most two minutes' worth are hashed


class MediaError(ValueError):
    """ffmpeg is missing or cannot read a file."""


@dataclass(frozen=True)
class Clip:
    """One file's fingerprints."""

    path: str
    frames: np.ndarray  # uint64 pHash per sampled frame, in time order
    mirrored: np.ndarray  # the pHash of each frame flipped left-right
    audio: np.ndarray  # uint32 sub-fingerprints (empty without sound)


def _ffmpeg() -> str:
    exe = shutil.which("ffmpeg")
    if exe is None:
        raise MediaError("ffmpeg is not installed (apt-get install ffmpeg)")
    return exe


def _run(args: list[str], path: Path) -> bytes:
    done = subprocess.run([_ffmpeg(), "-v", "error", "-nostdin", "-i", str(path), *args], capture_output=True)
    if done.returncode != 0:
        msg = done.stderr.decode(errors="replace").strip().splitlines()
        raise MediaError(f"{path}: ffmpeg cannot read it ({msg[-1] if msg else 'no message'})")
    return done.stdout


def frames_of(path: Path) -> np.ndarray:
    """(n, SIZE, SIZE) float grayscale frames sampled at FPS."""
    raw = _run(["-an", "-vf", f"fps={FPS},scale={SIZE}:{SIZE}:flags=area,format=gray",
                "-frames:v", str(MAX_FRAMES), "-f", "rawvideo", "-"], path)  # fmt: skip
    n = len(raw) // (SIZE * SIZE)
    return np.frombuffer(raw[: n * SIZE * SIZE], np.uint8).reshape(n, SIZE, SIZE).astype(np.float64)


def pcm_of(path: Path) -> np.ndarray:
    """Mono RATE-Hz samples in [-1, 1] (empty when the file has no audio stream)."""
    probe = subprocess.run(
        [shutil.which("ffprobe") or "ffprobe", "-v", "error", "-select_streams", "a", "-show_entries",
         "stream=index", "-of", "csv=p=0", str(path)], capture_output=True, text=True,
    )  # fmt: skip
    if not probe.stdout.strip():
        return np.zeros(0)
    raw = _run(["-vn", "-ac", "1", "-ar", str(RATE), "-f", "s16le", "-"], path)
    return np.frombuffer(raw, np.int16).astype(np.float64) / 32768.0


def fingerprint(path: str | Path) -> Clip:
    p = Path(path)
    if not p.is_file():
        raise MediaError(f"{p}: no such file")
    frames = frames_of(p)
    if not len(frames):
        raise MediaError(f"{p}: no video frames")
    return Clip(str(p), phash_many(frames), phash_many(frames[:, :, ::-1]), audio_bits(pcm_of(p)))
