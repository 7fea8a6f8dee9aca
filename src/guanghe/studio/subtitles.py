"""Subtitles: SRT read and written, a source-timed transcript moved onto the edited timeline, and a plain script
laid over the kept segments."""

from __future__ import annotations

import re
from dataclasses import dataclass

from guanghe.studio.errors import StudioError
from guanghe.studio.timeline import Plan

MIN_CUE = 0.05  # seconds: shorter remnants of a cut cue are dropped


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    text: str


_TIME = re.compile(r"(\d+):(\d{2}):(\d{2})[,.](\d{1,3})")
_ARROW = re.compile(rf"^\s*{_TIME.pattern}\s*-->\s*{_TIME.pattern}")


def _seconds(h: str, m: str, s: str, ms: str) -> float:
    return int(h) * 3600 + int(m) * 60 + int(s) + int(ms.ljust(3, "0")) / 1000


def stamp(t: float) -> str:
    ms = round(t * 1000)
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"


def parse_srt(text: str, source: str = "SRT") -> list[Cue]:
    """Cues of an SRT file; a malformed time line is an error naming source:line."""
    cues: list[Cue] = []
    lines = text.replace("\r\n", "\n").split("\n")
    i = 0
    while i < len(lines):
        line = lines[i].strip()
        if "-->" in line:
            m = _ARROW.match(line)
            if not m:
                raise StudioError(f"{source}:{i + 1}: time: expected HH:MM:SS,mmm --> HH:MM:SS,mmm")
            start, end = _seconds(*m.groups()[:4]), _seconds(*m.groups()[4:])
            if end <= start:
                raise StudioError(f"{source}:{i + 1}: time: the cue ends before it starts")
            body = []
            i += 1
            while i < len(lines) and lines[i].strip():
                body.append(lines[i].strip())
                i += 1
            cues.append(Cue(start, end, "\n".join(body)))
        i += 1
    if not cues:
        raise StudioError(f"{source}: no subtitle cues (expected SRT: number, time line, text)")
    return cues


def format_srt(cues: list[Cue]) -> str:
    return "".join(f"{n}\n{stamp(c.start)} --> {stamp(c.end)}\n{c.text}\n\n" for n, c in enumerate(cues, 1))


def remap(cues: list[Cue], plan: Plan) -> list[Cue]:
    """Source-timed cues on the edited timeline: each keeps the part of it that survived the cut (cues whose
    time was cut entirely disappear)."""
    out = []
    for c in cues:
        pieces = []
        for seg, at in zip(plan.segments, plan.output_starts(), strict=True):
            lo, hi = max(c.start, seg.start), min(c.end, seg.end)
            if hi > lo:
                pieces.append((at + lo - seg.start, at + hi - seg.start))
        if pieces and sum(b - a for a, b in pieces) >= MIN_CUE:
            out.append(Cue(round(pieces[0][0], 3), round(pieces[-1][1], 3), c.text))
    return out


def lay_script(lines: list[str], plan: Plan) -> list[Cue]:
    """A plain script on the edited timeline: one line per kept segment when the counts match, else the lines
    share the edited duration in proportion to their length."""
    lines = [x.strip() for x in lines if x.strip()]
    if not lines:
        raise StudioError("the script is empty: expected one subtitle line per line of text")
    if len(lines) == len(plan.segments):
        starts = plan.output_starts()
        return [Cue(round(a, 3), round(a + s.length, 3), t)
                for t, a, s in zip(lines, starts, plan.segments, strict=True)]  # fmt: skip
    total, weights = plan.output_duration, [len(x) for x in lines]
    cues, at = [], 0.0
    for text, w in zip(lines, weights, strict=True):
        length = total * w / sum(weights)
        cues.append(Cue(round(at, 3), round(at + length, 3), text))
        at += length
    return cues
