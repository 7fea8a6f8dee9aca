"""ffmpeg and ffprobe: read a video's streams, and one analysis pass that prints every frame's scene score and
the audio's loudness in short windows (both from ffmpeg's own filters)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from guanghe.studio.errors import StudioError

Progress = Callable[[str, float], None]  # (step, fraction done 0..1)
WINDOW = 0.05  # seconds per loudness window
ANALYSIS_WIDTH = 160  # scene scores are computed on frames scaled down to this width (fast, same cuts)


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise StudioError(
            f"{name} is not installed: the vlog editor needs it (Debian: apt-get install ffmpeg)"
        )
    return path


@dataclass(frozen=True)
class Media:
    path: Path
    duration: float
    width: int
    height: int
    fps: float
    sample_rate: int | None  # None: no audio stream

    @property
    def has_audio(self) -> bool:
        return self.sample_rate is not None


def probe(path: Path) -> Media:
    """The streams of a video file; anything ffprobe cannot read as video is one ``StudioError``."""
    if not path.is_file():
        raise StudioError(f"{path}: no such video file")
    cmd = [
        tool("ffprobe"),
        "-v",
        "error",
        "-print_format",
        "json",
        "-show_format",
        "-show_streams",
        str(path),
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        first = (done.stderr.strip().splitlines() or ["unknown error"])[-1]
        raise StudioError(f"{path}: not a readable video ({first})")
    info = json.loads(done.stdout or "{}")
    streams = info.get("streams", [])
    video = next((s for s in streams if s.get("codec_type") == "video" and s.get("width")), None)
    audio = next((s for s in streams if s.get("codec_type") == "audio"), None)
    if video is None:
        raise StudioError(f"{path}: has no video stream")
    try:
        duration = float(info.get("format", {}).get("duration") or video.get("duration"))
    except (TypeError, ValueError) as e:
        raise StudioError(f"{path}: ffprobe reports no duration") from e
    num, _, den = str(video.get("avg_frame_rate") or video.get("r_frame_rate") or "0/1").partition("/")
    fps = float(num) / float(den or 1) if float(den or 1) else 0.0
    if duration <= 0 or fps <= 0:
        raise StudioError(f"{path}: not a playable video (duration {duration}, frame rate {fps})")
    rate = int(audio["sample_rate"]) if audio and audio.get("sample_rate") else None
    return Media(path, duration, int(video["width"]), int(video["height"]), fps, rate)


def run_ffmpeg(
    args: list[str], duration: float, step: str, on_progress: Progress | None, cwd: Path | None = None
) -> None:
    """Run ffmpeg, reporting ``-progress`` as a fraction of ``duration`` (of output time); errors are raised."""
    cmd = [
        tool("ffmpeg"),
        "-hide_banner",
        "-nostdin",
        "-nostats",
        "-loglevel",
        "error",
        "-progress",
        "pipe:1",
        *args,
    ]
    with tempfile.TemporaryFile(mode="w+") as err:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, text=True, cwd=cwd)
        assert proc.stdout is not None
        for line in proc.stdout:
            key, _, value = line.strip().partition("=")
            if key == "out_time_us" and on_progress and value.lstrip("-").isdigit():
                on_progress(step, min(1.0, max(0.0, int(value) / 1e6 / duration)))
        code = proc.wait()
        err.seek(0)
        message = err.read().strip()
    if code != 0:
        raise StudioError(
            f"ffmpeg failed ({step}): {message.splitlines()[-1] if message else f'exit {code}'}"
        )
    if on_progress:
        on_progress(step, 1.0)


@dataclass(frozen=True)
class Analysis:
    """Per-frame scene scores (0..1, ffmpeg's ``scene``) and per-window loudness (dBFS RMS)."""

    frame_times: np.ndarray
    scene_scores: np.ndarray
    window_times: np.ndarray  # start of each loudness window
    loudness_db: np.ndarray  # -inf-free: digital silence is clipped to -120 dB


_METADATA = re.compile(r"pts_time:([-\d.e+]+)\s*\n[^\n]*?=(-?[\d.e+]+|-?inf|nan)", re.IGNORECASE)


def _series(text: str) -> tuple[np.ndarray, np.ndarray]:
    pairs = _METADATA.findall(text)
    times = np.array([float(t) for t, _ in pairs])
    values = np.array([float(v) for _, v in pairs])
    return times, values


def analyse(media: Media, on_progress: Progress | None = None) -> Analysis:
    """One decode of the file: scene score of every frame and the RMS level of every ``WINDOW`` of audio."""
    with tempfile.TemporaryDirectory(prefix="guanghe-studio-") as tmp:
        # ffmpeg runs in the temporary folder and writes plain relative names: no filtergraph escaping needed
        scenes, levels = Path(tmp) / "scenes.txt", Path(tmp) / "levels.txt"
        graph = (
            f"[0:v]scale={ANALYSIS_WIDTH}:-2:flags=fast_bilinear,select='gte(scene\\,0)',"
            f"metadata=print:key=lavfi.scene_score:file=scenes.txt[v]"
        )
        maps = ["-map", "[v]"]
        if media.has_audio:
            n = max(1, round(media.sample_rate * WINDOW))  # type: ignore[operator]
            graph += (
                f";[0:a]aformat=channel_layouts=mono,asetnsamples=n={n}:p=0,"
                "astats=metadata=1:reset=1:measure_perchannel=none:measure_overall=RMS_level,"
                f"ametadata=print:key=lavfi.astats.Overall.RMS_level:file=levels.txt[a]"
            )
            maps += ["-map", "[a]"]
        args = ["-i", str(media.path.resolve()), "-filter_complex", graph, *maps, "-f", "null", "-"]
        run_ffmpeg(args, media.duration, "analyse", on_progress, cwd=Path(tmp))
        frame_times, scores = _series(scenes.read_text())
        if media.has_audio:
            window_times, db = _series(levels.read_text())
        else:
            window_times, db = np.zeros(0), np.zeros(0)
    db = np.nan_to_num(db, nan=-120.0, neginf=-120.0, posinf=0.0).clip(-120.0, 0.0)
    return Analysis(frame_times, np.nan_to_num(scores), window_times, db)
