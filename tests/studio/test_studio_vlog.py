"""One-click vlog edit on real media made with ffmpeg: planted scene changes and silences are found, dead air is
cut, subtitles land on the new timeline, and the output plays."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest
from studio_media import ffprobe, make_clip, needs_ffmpeg
from typer.testing import CliRunner

from guanghe.cli import app
from guanghe.studio import EditRules, StudioError, edit_vlog
from guanghe.studio.media import analyse, probe
from guanghe.studio.subtitles import parse_srt
from guanghe.studio.timeline import find_silences

needs_ffmpeg("the vlog editor's tests")
TOLERANCE = 0.2  # seconds: the bar for cut points
# The planted clip (conftest): shots change at 3 s and 6 s; silent 1.0–2.5 s and 6.8–8.0 s; pad 0.1 s.
KEPT = [(0.0, 1.1), (2.4, 6.9), (7.9, 9.0)]
TRANSCRIPT = """1
00:00:00,200 --> 00:00:00,900
one

2
00:00:01,200 --> 00:00:02,200
said in the silence

3
00:00:03,000 --> 00:00:05,000
two

4
00:00:06,000 --> 00:00:07,500
three

5
00:00:08,200 --> 00:00:08,800
four
"""


def new_time(t: float) -> float:
    """Where source time ``t`` (inside a kept span) lands on the edited timeline, from the planted numbers."""
    at = 0.0
    for a, b in KEPT:
        if a <= t <= b:
            return at + t - a
        at += b - a
    raise ValueError(t)


@pytest.fixture(scope="module")
def srt_edit(planted_clip: Path, tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("srt")
    (folder / "transcript.srt").write_text(TRANSCRIPT, encoding="utf-8")
    steps: list[tuple[str, float]] = []
    result = edit_vlog(planted_clip, folder / "out.mp4", folder / "transcript.srt", subtitles="srt",
                       on_progress=lambda s, f: steps.append((s, f)))  # fmt: skip
    return result, steps


def test_planted_scene_changes_and_silences_are_found(srt_edit) -> None:
    plan = srt_edit[0].plan
    assert plan.scene_changes == [pytest.approx(3.0, abs=TOLERANCE), pytest.approx(6.0, abs=TOLERANCE)]
    assert [(s.start, s.end) for s in plan.silences] == [
        (pytest.approx(1.0, abs=TOLERANCE), pytest.approx(2.5, abs=TOLERANCE)),
        (pytest.approx(6.8, abs=TOLERANCE), pytest.approx(8.0, abs=TOLERANCE)),
    ]
    assert [(s.start, s.end) for s in plan.segments] == [
        (pytest.approx(a, abs=TOLERANCE), pytest.approx(b, abs=TOLERANCE)) for a, b in KEPT
    ]


def test_the_output_plays_and_has_the_planned_length(srt_edit) -> None:
    result, steps = srt_edit
    info = ffprobe(result.output)
    kinds = sorted(s["codec_type"] for s in info["streams"])
    assert kinds == ["audio", "video"]
    assert float(info["format"]["duration"]) == pytest.approx(result.plan.output_duration, abs=0.15)
    assert result.plan.output_duration == pytest.approx(sum(b - a for a, b in KEPT), abs=2 * TOLERANCE)
    assert {s for s, _ in steps} == {"analyse", "render"} and ("render", 1.0) in steps
    assert not [p for p in result.output.parent.iterdir() if ".tmp" in p.name]


def test_dead_air_is_gone_and_the_shots_follow_on_the_new_timeline(srt_edit) -> None:
    result = srt_edit[0]
    again = analyse(probe(result.output))
    assert find_silences(again, -40.0, 1.0) == []  # no second of dead air left
    scores = dict(zip(np.round(again.frame_times, 2), again.scene_scores, strict=True))
    red_starts, testsrc2_starts = new_time(3.0), new_time(6.0)
    for t in (red_starts, testsrc2_starts):
        near = [s for ft, s in scores.items() if abs(ft - t) <= TOLERANCE]
        assert max(near) > 0.3, f"no cut near {t:.2f} s in the output"


def test_transcript_cues_move_onto_the_edited_timeline(srt_edit) -> None:
    result = srt_edit[0]
    expected = [
        ("one", new_time(0.2), new_time(0.9)),
        ("two", new_time(3.0), new_time(5.0)),
        ("three", new_time(6.0), new_time(6.9)),  # cut at the silence: keeps its spoken part
        ("four", new_time(8.2), new_time(8.8)),
    ]  # "said in the silence" was cut with the silence
    got = [(c.text, c.start, c.end) for c in result.cues]
    assert [g[0] for g in got] == [e[0] for e in expected]
    for (_, s, e), (_, xs, xe) in zip(got, expected, strict=True):
        assert s == pytest.approx(xs, abs=TOLERANCE) and e == pytest.approx(xe, abs=TOLERANCE)
    written = parse_srt(result.subtitles_file.read_text(encoding="utf-8"))
    assert [(c.text, c.start, c.end) for c in written] == [
        (t, pytest.approx(s, abs=0.001), pytest.approx(e, abs=0.001)) for t, s, e in got
    ]


def frame(video: Path, at: float) -> np.ndarray:
    raw = subprocess.run(["ffmpeg", "-v", "error", "-ss", str(at), "-i", str(video), "-frames:v", "1",
                          "-f", "rawvideo", "-pix_fmt", "rgb24", "-"], capture_output=True, check=True).stdout  # fmt: skip
    return np.frombuffer(raw, dtype=np.uint8).reshape(240, 320, 3)


def test_burned_subtitles_and_narration(planted_clip: Path, tmp_path: Path) -> None:
    script = tmp_path / "script.txt"
    script.write_text("开场\n红色的画面\n结尾\n", encoding="utf-8")  # one line per kept segment
    plain = edit_vlog(planted_clip, tmp_path / "plain.mp4", subtitles="none")
    burned = edit_vlog(planted_clip, tmp_path / "burned.mp4", script, subtitles="burn", narrate=True)
    assert [c.text for c in burned.cues] == ["开场", "红色的画面", "结尾"]
    starts = burned.plan.output_starts()
    assert [c.start for c in burned.cues] == [pytest.approx(s, abs=0.001) for s in starts]
    at = new_time(4.5)  # inside the red shot, inside the second cue
    band = slice(170, 240)  # the bottom of the picture, where subtitles sit

    def light(img: np.ndarray) -> int:
        """Pixels with green in them: none in a red frame; the caption's white glyphs have it."""
        return int((img[band][..., 1] > 120).sum())

    assert light(frame(plain.output, at)) == 0
    assert light(frame(burned.output, at)) > 100
    assert burned.narrated
    voice = analyse(probe(burned.output))
    tone = analyse(probe(plain.output))
    first = voice.window_times < starts[1] - 0.2  # the first segment: narration over the ducked tone
    assert voice.loudness_db[first].std() > tone.loudness_db[tone.window_times < starts[1] - 0.2].std() + 1.0


def test_highlights_keep_the_liveliest_shot(tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "shots.mp4", ["color=c=blue", "testsrc2", "color=c=green"], 2.0, [],
                     loud=[(2.0, 4.0, 3.0)])  # fmt: skip  # the moving middle shot is also the loud one
    result = edit_vlog(clip, tmp_path / "short.mp4", subtitles="none", rules=EditRules(max_length=2.5))
    assert [(s.start, s.end) for s in result.plan.segments] == [
        (pytest.approx(2.0, abs=TOLERANCE), pytest.approx(4.0, abs=TOLERANCE))
    ]
    assert float(ffprobe(result.output)["format"]["duration"]) == pytest.approx(2.0, abs=0.25)


def test_a_video_without_sound_is_kept_whole(tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "mute.mp4", ["testsrc", "color=c=red"], 1.5, [], audio=False)
    result = edit_vlog(clip, tmp_path / "out.mp4", subtitles="none")
    assert result.plan.silences == [] and len(result.plan.segments) == 1
    assert [s["codec_type"] for s in ffprobe(result.output)["streams"]] == ["video"]


def test_bad_input_is_one_error_and_writes_nothing(tmp_path: Path, planted_clip: Path) -> None:
    bad = tmp_path / "bad.mp4"
    bad.write_text("not a video", encoding="utf-8")
    with pytest.raises(StudioError, match="not a readable video"):
        edit_vlog(bad, tmp_path / "out.mp4")
    with pytest.raises(StudioError, match="needs --script"):
        edit_vlog(planted_clip, tmp_path / "out.mp4", narrate=True)
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n", encoding="utf-8")
    with pytest.raises(StudioError, match="empty"):
        edit_vlog(planted_clip, tmp_path / "out.mp4", empty)
    with pytest.raises(StudioError, match=r"\.mp4"):
        edit_vlog(planted_clip, tmp_path / "out.mov")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.mp4", "empty.txt"]
    result = CliRunner().invoke(app, ["studio", "vlog", str(bad), "--out", str(tmp_path / "out.mp4")])
    assert result.exit_code == 2
    assert "not a readable video" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.mp4", "empty.txt"]


def test_cli_vlog_json(planted_clip: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "studio",
            "vlog",
            str(planted_clip),
            "--out",
            str(tmp_path / "o.mp4"),
            "--subtitles",
            "none",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    assert '"seconds_out"' in result.output
    assert float(ffprobe(tmp_path / "o.mp4")["format"]["duration"]) > 6
