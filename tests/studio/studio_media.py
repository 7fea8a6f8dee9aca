"""Real media for the studio's tests (a module of its own, not conftest, so tests import it by a unique
name), generated with ffmpeg's lavfi sources (small: 320x240, a few seconds)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from system_tools import missing_commands, require


def needs_ffmpeg(what: str) -> None:
    """At a test module's top: skip it without ffmpeg/ffprobe, FAIL under CI (make test installs them)."""
    require(missing_commands("ffmpeg", "ffprobe"), what, module=True)


def make_clip(path: Path, shots: list[str], shot: float, silences: list[tuple[float, float]],
              rate: int = 25, audio: bool = True, loud: list[tuple[float, float, float]] = ()) -> Path:  # fmt: skip
    """Concatenate ``shot``-second segments of the given lavfi sources (planted scene changes at every multiple
    of ``shot``) with a 440 Hz tone that is silent inside each span of ``silences`` and scaled by ``gain`` inside
    each (start, end, gain) of ``loud``."""
    inputs: list[str] = []
    for src in shots:
        sep = ":" if "=" in src else "="
        inputs += ["-f", "lavfi", "-i", f"{src}{sep}size=320x240:rate={rate}:duration={shot}"]
    concat = "".join(f"[{i}:v]" for i in range(len(shots))) + f"concat=n={len(shots)}:v=1:a=0[v]"
    maps = ["-map", "[v]"]
    if audio:
        quiet = "+".join(f"between(t,{a},{b})" for a, b in silences) or "0"
        gain = "+".join(f"{g - 1}*between(t,{a},{b})" for a, b, g in loud) or "0"
        expr = f"0.2*(1+{gain})*sin(2*PI*440*t)*not({quiet})"
        inputs += ["-f", "lavfi", "-i", f"aevalsrc='{expr}':s=48000:d={len(shots) * shot}"]
        maps += ["-map", f"{len(shots)}:a", "-c:a", "aac"]
    cmd = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", *inputs, "-filter_complex", concat, *maps,
           "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(path)]  # fmt: skip
    subprocess.run(cmd, check=True)
    return path


def ffprobe(path: Path) -> dict:
    import json

    out = subprocess.run(
        ["ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams", str(path)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(out.stdout)
