"""Synthetic narration with espeak-ng (offline; Mandarin voice ``cmn``, English ``en``): lines to a WAV file,
or a track with each line placed at its cue."""

from __future__ import annotations

import io
import shutil
import subprocess
import wave
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from guanghe.studio.errors import StudioError
from guanghe.studio.files import atomic_path

VOICES = {"zh": "cmn", "en": "en-us"}
RATE = 22050  # espeak-ng's output sample rate
WORDS_PER_MINUTE = 175


def speak(text: str, language: str) -> np.ndarray:
    """One line spoken: mono int16 samples at ``RATE``."""
    exe = shutil.which("espeak-ng")
    if exe is None:
        raise StudioError(
            "espeak-ng is not installed: narration needs it (Debian: apt-get install espeak-ng)"
        )
    if language not in VOICES:
        raise StudioError(f"narration language {language!r}: expected one of {', '.join(VOICES)}")
    cmd = [exe, "-v", VOICES[language], "-s", str(WORDS_PER_MINUTE), "--stdout"]
    done = subprocess.run(cmd, input=text.encode("utf-8"), capture_output=True, check=False)
    if done.returncode != 0 or not done.stdout:
        raise StudioError(f"espeak-ng failed: {done.stderr.decode(errors='replace').strip() or 'no audio'}")
    with wave.open(io.BytesIO(done.stdout)) as w:
        if w.getframerate() != RATE or w.getsampwidth() != 2:
            raise StudioError(
                f"espeak-ng produced {w.getframerate()} Hz/{8 * w.getsampwidth()}-bit audio; expected {RATE} Hz/16-bit"
            )
        return np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)


def write_wav(path: Path, samples: np.ndarray) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(samples.astype(np.int16).tobytes())


def narration(lines: Sequence[str], language: str, pause: float = 0.4) -> np.ndarray:
    """Lines read one after another with ``pause`` seconds between them."""
    gap = np.zeros(round(pause * RATE), dtype=np.int16)
    parts = []
    for line in lines:
        parts += [speak(line, language), gap]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int16)


def save_narration(lines: Sequence[str], language: str, out: Path) -> float:
    """The lines narrated into ``out`` (WAV, written whole or not at all); returns its length in seconds."""
    samples = narration(lines, language)
    with atomic_path(out) as tmp:
        write_wav(tmp, samples)
    return len(samples) / RATE


def track(cues: Sequence[tuple[float, float, str]], language: str, duration: float) -> np.ndarray:
    """A narration track of ``duration`` seconds: each cue's text spoken from its start, cut at the next cue's
    start so lines never overlap."""
    out = np.zeros(round(duration * RATE), dtype=np.int16)
    starts = [round(c[0] * RATE) for c in cues]
    for i, (start, _, text) in enumerate(cues):
        voice = speak(text, language)
        begin = round(start * RATE)
        stop = min(len(out), starts[i + 1] if i + 1 < len(cues) else len(out), begin + len(voice))
        if stop > begin:
            out[begin:stop] = voice[: stop - begin]
    return out
