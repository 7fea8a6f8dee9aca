"""The edit, decided from the analysis alone (no I/O): silences longer than a beat are dead air and are cut,
scene changes split what is kept into shots, and with a target length the liveliest shots are kept."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np

from guanghe.studio.embed import zscore
from guanghe.studio.media import WINDOW, Analysis


@dataclass(frozen=True)
class Span:
    start: float
    end: float

    @property
    def length(self) -> float:
        return self.end - self.start


@dataclass(frozen=True)
class EditRules:
    silence_db: float = -40.0  # a window quieter than this (RMS, dBFS) is silent
    min_silence: float = 1.0  # silent for at least this long: dead air, cut
    pad: float = 0.1  # seconds of silence kept on each side of a cut, so words are not clipped
    scene_threshold: float = 0.3  # ffmpeg's scene score above which a frame starts a new shot
    min_shot: float = 0.5  # scene changes closer than this are one change (the strongest wins)
    min_keep: float = 0.3  # kept pieces shorter than this are dropped
    max_length: float | None = None  # keep the liveliest shots up to this many seconds (None: all non-silent)


@dataclass(frozen=True)
class Plan:
    duration: float
    segments: list[Span]  # source spans kept, in order
    scene_changes: list[float] = field(default_factory=list)
    silences: list[Span] = field(default_factory=list)

    @property
    def output_duration(self) -> float:
        return sum(s.length for s in self.segments)

    def output_starts(self) -> list[float]:
        """Where each kept segment starts on the edited timeline."""
        return [float(x) for x in np.concatenate([[0.0], np.cumsum([s.length for s in self.segments])[:-1]])]


def find_silences(analysis: Analysis, threshold_db: float, min_length: float) -> list[Span]:
    """Runs of loudness windows below ``threshold_db`` lasting at least ``min_length`` seconds."""
    quiet = analysis.loudness_db < threshold_db
    spans, start = [], None
    for t, q in zip(analysis.window_times, quiet, strict=True):
        if q and start is None:
            start = t
        elif not q and start is not None:
            spans.append(Span(float(start), float(t)))
            start = None
    if start is not None and len(analysis.window_times):
        spans.append(Span(float(start), float(analysis.window_times[-1] + WINDOW)))
    return [s for s in spans if s.length >= min_length]


def find_scene_changes(analysis: Analysis, threshold: float, min_gap: float) -> list[float]:
    """Frames whose scene score passes ``threshold``; of changes closer than ``min_gap`` the strongest stays."""
    hits = [(float(t), float(s)) for t, s in zip(analysis.frame_times, analysis.scene_scores, strict=True)]
    hits = [(t, s) for t, s in hits if s > threshold and t > 0]
    kept: list[tuple[float, float]] = []
    for t, s in hits:
        if kept and t - kept[-1][0] < min_gap:
            if s > kept[-1][1]:
                kept[-1] = (t, s)
            continue
        kept.append((t, s))
    return [t for t, _ in kept]


def complement(duration: float, cuts: list[Span], pad: float, min_keep: float) -> list[Span]:
    """What remains of [0, duration] once each cut (shrunk by ``pad`` at both ends) is removed."""
    spans, at = [], 0.0
    for c in cuts:
        lo = 0.0 if c.start <= 0 else c.start + pad
        hi = duration if c.end >= duration else c.end - pad
        if hi <= lo:
            continue
        if lo - at >= min_keep:
            spans.append(Span(at, lo))
        at = max(at, hi)
    if duration - at >= min_keep:
        spans.append(Span(at, duration))
    return spans


def split(spans: list[Span], at: list[float]) -> list[Span]:
    """``spans`` split at each time in ``at`` that falls inside one."""
    pieces = []
    for s in spans:
        edges = [s.start, *[t for t in at if s.start < t < s.end], s.end]
        pieces += [Span(a, b) for a, b in itertools.pairwise(edges)]
    return pieces


def _mean_in(times: np.ndarray, values: np.ndarray, span: Span, default: float) -> float:
    inside = (times >= span.start) & (times < span.end)
    return float(values[inside].mean()) if inside.any() else default


def liveliest(pieces: list[Span], analysis: Analysis, max_length: float) -> list[Span]:
    """Highlights: pieces ranked by loudness plus motion (each as a z-score across the pieces: mean RMS dB and
    mean scene score), the best kept while they fit in ``max_length``; returned in time order."""
    loud = np.array([_mean_in(analysis.window_times, analysis.loudness_db, p, -120.0) for p in pieces])
    motion = np.array([_mean_in(analysis.frame_times, analysis.scene_scores, p, 0.0) for p in pieces])
    score = zscore(loud) + zscore(motion)
    chosen, total = [], 0.0
    for i in sorted(range(len(pieces)), key=lambda i: (-score[i], pieces[i].start)):
        if total + pieces[i].length <= max_length + 1e-9:
            chosen.append(pieces[i])
            total += pieces[i].length
    return sorted(chosen, key=lambda p: p.start)


def merge(spans: list[Span], gap: float = 1e-6) -> list[Span]:
    out: list[Span] = []
    for s in spans:
        if out and s.start - out[-1].end <= gap:
            out[-1] = Span(out[-1].start, s.end)
        else:
            out.append(s)
    return out


def plan_edit(duration: float, analysis: Analysis, rules: EditRules) -> Plan:
    """Cut dead air; with ``rules.max_length``, keep the liveliest shots; the segments to render, in order."""
    silences = find_silences(analysis, rules.silence_db, rules.min_silence)
    scenes = find_scene_changes(analysis, rules.scene_threshold, rules.min_shot)
    kept = complement(duration, silences, rules.pad, rules.min_keep)
    if rules.max_length is not None and sum(s.length for s in kept) > rules.max_length:
        kept = liveliest(split(kept, scenes), analysis, rules.max_length)
    return Plan(duration, merge(kept), scenes, silences)
