"""Real clips made with ffmpeg in the test: re-encoded, cropped 10 % and rescaled, mirrored, sped up 1.25x and
re-titled copies of one clip are matched to it (the earliest file); unrelated test patterns are not."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from guanghe.cli import app
from guanghe.growth.originality.audio import bit_error_rate
from guanghe.growth.originality.files import media_files, scan
from guanghe.growth.originality.video import MediaError, fingerprint
from system_tools import missing_commands, require

pytestmark = pytest.mark.slow
require(missing_commands("ffmpeg", "ffprobe"), "the originality video tests", module=True)

SIZE, SECONDS = "320x240", 4
TONE = "aevalsrc=0.6*sin(2*PI*(500+300*sin(2*PI*0.7*t))*t)+0.3*sin(2*PI*(900+200*sin(2*PI*1.3*t))*t):s=8000:d={d}"
OTHER_TONE = "aevalsrc=0.6*sin(2*PI*(350+250*sin(2*PI*0.4*t))*t):s=8000:d={d}"


def _ff(*args: str) -> None:
    subprocess.run(["ffmpeg", "-v", "error", "-y", *args], check=True)


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("clips")
    src = d / "original.mp4"
    _ff("-f", "lavfi", "-i", f"testsrc2=size={SIZE}:rate=25:duration={SECONDS}", "-f", "lavfi",
        "-i", TONE.format(d=SECONDS), "-vf", "drawbox=x=20+40*t:y=30:w=60:h=40:color=red:t=fill",
        "-c:v", "libx264", "-crf", "23", "-c:a", "aac", "-shortest", str(src))  # fmt: skip
    _ff(
        "-i", str(src), "-c:v", "libx264", "-crf", "36", "-c:a", "aac", "-b:a", "32k", str(d / "reencode.mp4")
    )
    _ff("-i", str(src), "-vf", "crop=iw*0.9:ih*0.9,scale=320:240", "-c:a", "copy", str(d / "crop.mp4"))
    _ff("-i", str(src), "-vf", "hflip", "-c:a", "copy", str(d / "mirror.mp4"))
    _ff("-i", str(src), "-filter:v", "setpts=PTS/1.25", "-filter:a", "atempo=1.25", str(d / "speed.mp4"))
    shutil.copy(d / "reencode.mp4", d / "my own cooking diary.mp4")  # re-titled: another name, same content
    _ff("-f", "lavfi", "-i", f"mandelbrot=size={SIZE}:rate=25", "-t", str(SECONDS), "-c:v", "libx264",
        str(d / "unrelated_mandelbrot.mp4"))  # fmt: skip
    _ff("-f", "lavfi", "-i", f"smptebars=size={SIZE}:rate=25:duration={SECONDS}", "-f", "lavfi",
        "-i", OTHER_TONE.format(d=SECONDS), "-vf", "drawbox=x=20+40*t:y=100:w=50:h=50:color=white:t=fill",
        "-c:v", "libx264", "-c:a", "aac", "-shortest", str(d / "unrelated_bars.mp4"))  # fmt: skip
    for k, f in enumerate(sorted(d.iterdir(), key=lambda p: p.name != "original.mp4")):
        os.utime(f, (1_700_000_000 + k, 1_700_000_000 + k))  # the original is the oldest file
    return d


@pytest.fixture(scope="module")
def scanned(clips: Path):
    return scan(media_files([clips]))


def test_transformed_copies_match_the_original_and_unrelated_clips_do_not(scanned) -> None:
    found, matches = scanned
    assert len(found) == 8
    by = {(Path(m.reupload).name, Path(m.original).name): m for m in matches}
    for name, signal in (("reencode.mp4", "frames"), ("crop.mp4", "frames"), ("mirror.mp4", "mirror"),
                         ("speed.mp4", "frames"), ("my own cooking diary.mp4", "frames")):  # fmt: skip
        m = by.get((name, "original.mp4"))
        assert m is not None, f"{name} not matched to the original"
        assert m.signal == signal and m.frame_share >= 0.5
    assert by[("reencode.mp4", "original.mp4")].bits <= 2
    assert by[("reencode.mp4", "original.mp4")].audio_match is True  # the audio survives a re-encode
    assert by[("mirror.mp4", "original.mp4")].audio_match is True
    unrelated = {n for m in matches for n in (m.reupload, m.original) if "unrelated" in n}
    assert not unrelated


def test_audio_fingerprint_bit_error_rates(scanned) -> None:
    clip = {Path(c.path).name: c for c in scanned[0]}
    a = clip["original.mp4"]
    assert (
        len(a.frames) == 4 * SECONDS
        and (a.mirrored == (a.frames ^ np.uint64(0xAAAAAAAAAAAAAAAA))).mean() > 0.9
    )
    assert bit_error_rate(a.audio, clip["crop.mp4"].audio) < 0.05  # the same audio stream
    assert bit_error_rate(a.audio, clip["reencode.mp4"].audio) < 0.25  # AAC at 32 kb/s
    assert bit_error_rate(a.audio, clip["speed.mp4"].audio) > 0.35  # a tempo change: not handled by audio
    assert bit_error_rate(a.audio, clip["unrelated_bars.mp4"].audio) > 0.35
    assert len(clip["unrelated_mandelbrot.mp4"].audio) == 0  # no sound: no audio signal


def test_scan_command_json_and_bad_input(clips: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    out = runner.invoke(app, ["originality", "scan", str(clips / "original.mp4"), str(clips / "mirror.mp4"),
                              "--json"])  # fmt: skip
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert data["files"] == 2 and [(Path(m["reupload"]).name, m["signal"]) for m in data["matches"]] == [
        ("mirror.mp4", "mirror")
    ]
    bad = tmp_path / "broken.mp4"
    bad.write_bytes(b"not a video")
    out = runner.invoke(app, ["originality", "scan", str(bad)])
    assert out.exit_code == 2 and "ffmpeg cannot read it" in out.stderr
    with pytest.raises(MediaError, match="no such file"):
        fingerprint(tmp_path / "missing.mp4")
