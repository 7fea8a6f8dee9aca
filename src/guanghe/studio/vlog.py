"""One-click vlog edit: analyse the video (scene changes, loudness), cut dead air (and keep the liveliest shots
for a target length), lay subtitles from a script or transcript on the new timeline, optionally narrate them,
and render an MP4 (written whole or not at all)."""

from __future__ import annotations

import tempfile
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from pathlib import Path

from guanghe.studio.errors import StudioError
from guanghe.studio.files import atomic_path, output_folder, read_text
from guanghe.studio.fonts import cjk_font
from guanghe.studio.language import detect_language
from guanghe.studio.media import Media, Progress, analyse, probe, run_ffmpeg
from guanghe.studio.narrate import track, write_wav
from guanghe.studio.subtitles import Cue, format_srt, lay_script, parse_srt, remap
from guanghe.studio.timeline import EditRules, Plan, plan_edit

SUBTITLE_MODES = ("burn", "srt", "none")
BACKGROUND_UNDER_NARRATION = 0.3
SUBTITLE_SIZE = 18  # the original sound's volume while narration plays over it


@dataclass(frozen=True)
class Encoding:
    preset: str = (
        "superfast"  # libx264: the speed/size trade-off (5 min of 720p in under a minute on 2 cores)
    )
    crf: int = 23
    audio_bitrate: str = "128k"


@dataclass(frozen=True)
class VlogResult:
    output: Path
    subtitles_file: Path | None
    plan: Plan
    cues: list[Cue] = field(default_factory=list)
    narrated: bool = False

    def as_dict(self) -> dict[str, object]:
        return {
            "output": str(self.output),
            "subtitles_file": str(self.subtitles_file) if self.subtitles_file else None,
            "seconds_in": round(self.plan.duration, 3),
            "seconds_out": round(self.plan.output_duration, 3),
            "segments": [asdict(s) for s in self.plan.segments],
            "scene_changes": [round(t, 3) for t in self.plan.scene_changes],
            "silences": [asdict(s) for s in self.plan.silences],
            "cues": [asdict(c) for c in self.cues],
            "narrated": self.narrated,
        }


def _read_script(script: Path) -> tuple[str, list[Cue] | list[str]]:
    text = read_text(script, "script")
    language = detect_language(text, f"{script}")
    if script.suffix.lower() == ".srt":
        return language, parse_srt(text, str(script))
    return language, [line for line in text.splitlines() if line.strip()]


def _expr(plan: Plan) -> str:
    return "+".join(f"between(t,{s.start:.3f},{s.end:.3f})" for s in plan.segments)


def _graph(media: Media, plan: Plan, burn: bool, narrated: bool) -> tuple[str, list[str]]:
    """The render filtergraph (select the kept spans, restamp, burn subtitles, mix narration) and its maps."""
    keep = _expr(plan)
    video = f"[0:v]select='{keep}',setpts=N/FRAME_RATE/TB"
    if burn:
        _, family = cjk_font()
        # libass sizes fonts on a 288-line canvas scaled to the picture: 18 is 1/16 of the height at any size
        video += f",subtitles=subs.srt:force_style='FontName={family},Fontsize={SUBTITLE_SIZE},Outline=1'"
    graph, maps = [video + "[v]"], ["-map", "[v]"]
    if media.has_audio:
        n = max(1, media.sample_rate // 100)  # type: ignore[operator]  # 10 ms audio frames: cuts to 10 ms
        graph.append(f"[0:a]asetnsamples=n={n}:p=0,aselect='{keep}',asetpts=N/SR/TB[a0]")
        if narrated:
            graph.append(f"[a0]volume={BACKGROUND_UNDER_NARRATION}[bg]")
            graph.append("[bg][1:a]amix=inputs=2:duration=first:dropout_transition=0:normalize=0[a]")
            maps += ["-map", "[a]"]
        else:
            maps += ["-map", "[a0]"]
    elif narrated:
        maps += ["-map", "1:a"]
    return ";".join(graph), maps


def edit_vlog(
    source: Path,
    out: Path,
    script: Path | None = None,
    subtitles: str = "burn",
    narrate: bool = False,
    rules: EditRules | None = None,
    encoding: Encoding | None = None,
    on_progress: Progress | None = None,
) -> VlogResult:
    """Edit ``source`` into ``out`` (MP4). ``script``: a plain text (one subtitle line per line, laid over the
    kept segments) or an SRT transcript on the source's timeline (moved onto the edited one). ``subtitles``:
    burn them in, write ``out`` with an ``.srt`` suffix beside it, or none. ``narrate``: read the subtitle
    lines aloud (espeak-ng) over the original sound."""
    rules, encoding = rules or EditRules(), encoding or Encoding()
    if subtitles not in SUBTITLE_MODES:
        raise StudioError(f"subtitles {subtitles!r}: expected one of {', '.join(SUBTITLE_MODES)}")
    if out.suffix.lower() != ".mp4":
        raise StudioError(f"{out}: the output must be an .mp4 file")
    output_folder(out)
    if out.resolve() == source.resolve():
        raise StudioError(f"{out}: the output would overwrite the input")
    if narrate and script is None:
        raise StudioError("--narrate needs --script: the narration reads the script's lines")
    media = probe(source)
    language, lines = _read_script(script) if script else ("", [])
    analysis = analyse(media, on_progress)
    plan = plan_edit(media.duration, analysis, rules)
    if not plan.segments:
        raise StudioError(f"{source}: nothing left once dead air is cut (the whole video is silent?)")
    cues: list[Cue] = []
    if lines:
        cues = remap(lines, plan) if isinstance(lines[0], Cue) else lay_script(lines, plan)  # type: ignore[arg-type]
    burn = subtitles == "burn" and bool(cues)
    with tempfile.TemporaryDirectory(prefix="guanghe-vlog-") as tmp, ExitStack() as outputs:
        work = Path(tmp)
        (work / "subs.srt").write_text(format_srt(cues), encoding="utf-8")
        inputs = ["-i", str(media.path.resolve())]
        if narrate:
            if on_progress:
                on_progress("narrate", 0.0)
            voice = track([(c.start, c.end, c.text) for c in cues], language, plan.output_duration)
            write_wav(work / "narration.wav", voice)
            inputs += ["-i", str(work / "narration.wav")]
            if on_progress:
                on_progress("narrate", 1.0)
        graph, maps = _graph(media, plan, burn, narrate)
        video_tmp = outputs.enter_context(atomic_path(out))
        args = [*inputs, "-filter_complex", graph, *maps, "-c:v", "libx264", "-preset", encoding.preset,
                "-crf", str(encoding.crf), "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", encoding.audio_bitrate,
                "-movflags", "+faststart", "-y", str(video_tmp)]  # fmt: skip
        run_ffmpeg(args, plan.output_duration, "render", on_progress, cwd=work)
        srt_file = None
        if subtitles == "srt" and cues:
            srt_file = out.with_suffix(".srt")
            outputs.enter_context(atomic_path(srt_file)).write_text(format_srt(cues), encoding="utf-8")
    return VlogResult(out, srt_file, plan, cues, narrate)
