"""The edit decided from an analysis (pure: hand-built series with known answers)."""

from __future__ import annotations

import numpy as np
import pytest

from guanghe.studio.media import WINDOW, Analysis
from guanghe.studio.timeline import (
    EditRules,
    Span,
    complement,
    find_scene_changes,
    find_silences,
    liveliest,
    plan_edit,
    split,
)


def analysis(duration: float, quiet: list[tuple[float, float]], changes: list[float], fps: float = 10,
             loud_db: float = -20.0) -> Analysis:  # fmt: skip
    frames = np.arange(0, duration, 1 / fps)
    scores = np.where(np.isin(np.round(frames, 3), np.round(changes, 3)), 0.9, 0.01)
    windows = np.arange(0, duration, WINDOW)
    db = np.full(len(windows), loud_db)
    for a, b in quiet:
        db[(windows >= a - 1e-9) & (windows < b - 1e-9)] = -90.0
    return Analysis(frames, scores, windows, db)


def test_silences_are_runs_of_quiet_windows_at_least_min_long() -> None:
    a = analysis(10, [(2.0, 3.5), (6.0, 6.5)], [])
    assert find_silences(a, -40, 1.0) == [Span(2.0, pytest.approx(3.5))]
    assert len(find_silences(a, -40, 0.4)) == 2


def test_scene_changes_keep_the_strongest_of_close_ones() -> None:
    a = analysis(10, [], [3.0, 6.0])
    assert find_scene_changes(a, 0.3, 0.5) == [pytest.approx(3.0), pytest.approx(6.0)]
    scores = a.scene_scores.copy()
    scores[np.argmin(abs(a.frame_times - 3.2))] = 0.95  # a stronger change 0.2 s later: it wins
    b = Analysis(a.frame_times, scores, a.window_times, a.loudness_db)
    assert find_scene_changes(b, 0.3, 0.5) == [pytest.approx(3.2), pytest.approx(6.0)]


def test_complement_pads_cuts_and_drops_slivers() -> None:
    assert complement(10, [Span(2, 4), Span(7, 8)], 0.1, 0.3) == [
        Span(0, 2.1), Span(3.9, 7.1), Span(7.9, 10)
    ]  # fmt: skip
    assert complement(10, [Span(0, 3)], 0.1, 0.3) == [Span(2.9, 10)]  # leading silence cut to the start
    assert complement(10, [Span(2, 4), Span(4.05, 6)], 0.1, 0.3) == [
        Span(0, 2.1),
        Span(5.9, 10),
    ]  # 0.25 s between


def test_split_at_scene_changes() -> None:
    assert split([Span(0, 5), Span(6, 9)], [2.0, 5.5, 7.0]) == [
        Span(0, 2),
        Span(2, 5),
        Span(6, 7),
        Span(7, 9),
    ]


def test_liveliest_keeps_the_loud_moving_piece_within_the_budget() -> None:
    frames = np.arange(0, 9, 0.1)
    scores = np.where((frames >= 3) & (frames < 6), 0.2, 0.01)  # motion in the middle shot
    windows = np.arange(0, 9, WINDOW)
    db = np.where((windows >= 3) & (windows < 6), -10.0, -30.0)  # and it is louder
    a = Analysis(frames, scores, windows, db)
    pieces = [Span(0, 3), Span(3, 6), Span(6, 9)]
    assert liveliest(pieces, a, 3.5) == [Span(3, 6)]
    assert liveliest(pieces, a, 6.0) == [Span(0, 3), Span(3, 6)]  # ties broken by time; time order kept


def test_plan_cuts_dead_air_and_merges_what_is_kept() -> None:
    a = analysis(10, [(2.0, 3.5)], [5.0])
    plan = plan_edit(10, a, EditRules(pad=0.1))
    assert [(s.start, s.end) for s in plan.segments] == [(0, pytest.approx(2.1)), (pytest.approx(3.4), 10)]
    assert plan.output_duration == pytest.approx(2.1 + 6.6)
    assert plan.output_starts() == [0, pytest.approx(2.1)]
    short = plan_edit(10, a, EditRules(pad=0.1, max_length=5.0))
    assert short.output_duration <= 5.0 + 1e-9
