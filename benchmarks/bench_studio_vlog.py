"""Benchmark of the one-click vlog edit on a 5-minute 720p clip (target: under 60 s on 2 cores).

    python benchmarks/bench_studio_vlog.py [--minutes 5] [--repeat 3] [--clip FILE] [--keep FILE]

Generates the clip with ffmpeg (unless --clip is given; --keep saves it for the next run): 30 fps 1280x720,
shots of different lavfi sources (testsrc2, smptehdbars, rgbtestsrc, a moving colour gradient) every 20 s, a
440 Hz tone with a 3 s silence planted in every shot, encoded as a phone would (libx264 veryfast, CRF 23, AAC).
Then times `edit_vlog` (analysis + render; a plain-text script burned in as subtitles) and, as the baseline in
the same setting, a plain re-encode of the whole clip with the same encoder settings (libx264 at the editor's
default preset). Prints each run's wall time and the CPU time of the ffmpeg processes (on a busy machine, CPU
time / 2 is what two idle cores would take at best), and the medians.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from guanghe.studio.vlog import Encoding, edit_vlog

SHOT = 20.0
SOURCES = ("testsrc2", "smptehdbars", "rgbtestsrc", "gradients=speed=0.05")


def make_clip(path: Path, minutes: float) -> tuple[int, list[float]]:
    """The clip, and the planted silences' starts (3 s each, 8 s into every shot)."""
    duration = minutes * 60
    shots = int(duration // SHOT)
    inputs: list[str] = []
    for i in range(shots):
        src = SOURCES[i % len(SOURCES)]
        sep = ":" if "=" in src else "="
        inputs += ["-f", "lavfi", "-i", f"{src}{sep}size=1280x720:rate=30:duration={SHOT}"]
    silences = [i * SHOT + 8 for i in range(shots)]
    quiet = "+".join(f"between(t,{s},{s + 3})" for s in silences)
    inputs += ["-f", "lavfi", "-i", f"aevalsrc='0.4*sin(2*PI*440*t)*not({quiet})':s=48000:d={shots * SHOT}"]
    concat = "".join(f"[{i}:v]" for i in range(shots)) + f"concat=n={shots}:v=1:a=0[v]"
    cmd = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", *inputs, "-filter_complex", concat,
           "-map", "[v]", "-map", f"{shots}:a", "-c:v", "libx264", "-preset", "veryfast", "-crf", "23",
           "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "128k", str(path)]  # fmt: skip
    subprocess.run(cmd, check=True)
    return shots, silences


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, default=5.0)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--clip", type=Path, default=None, help="edit this clip instead of generating one")
    ap.add_argument("--keep", type=Path, default=None, help="save the generated clip here")
    args = ap.parse_args()
    preset = Encoding().preset
    with tempfile.TemporaryDirectory(prefix="bench-vlog-") as tmp:
        work = Path(tmp)
        clip = args.clip
        if clip is None:
            clip = work / "clip.mp4"
            started = time.perf_counter()
            shots, _ = make_clip(clip, args.minutes)
            print(
                f"generated {args.minutes:g} min 720p30 clip ({shots} shots) in {time.perf_counter() - started:.1f} s"
            )
            if args.keep:
                shutil.copyfile(clip, args.keep)
        script = work / "script.txt"
        script.write_text("\n".join(f"第{i + 1}段：今天的 vlog 片段" for i in range(40)), encoding="utf-8")
        edits, plains, edit_cpu, plain_cpu = [], [], [], []
        for run in range(args.repeat):
            out = work / f"out{run}.mp4"
            cpu, started = children_cpu(), time.perf_counter()
            result = edit_vlog(clip, out, script=script)
            edits.append(time.perf_counter() - started)
            edit_cpu.append(children_cpu() - cpu)
            cpu, started = children_cpu(), time.perf_counter()
            subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-i", str(clip), "-c:v", "libx264",
                            "-preset", preset, "-crf", "23", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a",
                            "128k", str(work / "plain.mp4")], check=True)  # fmt: skip
            plains.append(time.perf_counter() - started)
            plain_cpu.append(children_cpu() - cpu)
            plan = result.plan
            print(f"run {run + 1}: edit {edits[-1]:.1f} s ({plan.duration:.0f} s in → {plan.output_duration:.1f} s out, "
                  f"{len(plan.segments)} segments, {len(plan.scene_changes)} scene changes, "
                  f"{len(plan.silences)} silences cut; ffmpeg CPU {edit_cpu[-1]:.1f} s); "
                  f"plain re-encode {plains[-1]:.1f} s (CPU {plain_cpu[-1]:.1f} s)")  # fmt: skip
        med = statistics.median
        print(
            f"preset {preset}: median edit {med(edits):.1f} s wall, {med(edit_cpu):.1f} s CPU; "
            f"median plain re-encode {med(plains):.1f} s wall, {med(plain_cpu):.1f} s CPU; "
            f"ratio (CPU) {med(edit_cpu) / med(plain_cpu):.2f}"
        )


if __name__ == "__main__":
    main()
