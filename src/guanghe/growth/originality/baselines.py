"""Naive detectors to compare with, and precision / recall against a truth (the synthetic platform's
``truth/reuploads.parquet``): a work is a positive when it re-uploads some earlier work."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from guanghe.growth.originality.match import Works


@dataclass(frozen=True)
class Score:
    flagged: int
    true_positives: int
    positives: int

    @property
    def precision(self) -> float:
        return self.true_positives / self.flagged if self.flagged else 1.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.positives if self.positives else 1.0


def score(flagged: set[int], truth: set[int]) -> Score:
    return Score(len(flagged), len(flagged & truth), len(truth))


def _later_of_groups(w: Works, group: np.ndarray) -> set[int]:
    """Works sharing a group value with an earlier work of another creator."""
    order = np.lexsort((w.work_id, w.published, group))
    g, c = group[order], w.creator_id[order]
    out: set[int] = set()
    start = 0
    for end in np.concatenate([np.flatnonzero(g[1:] != g[:-1]) + 1, [len(g)]]):
        if end - start > 1:
            first_creators: set[int] = set()
            for k in range(start, end):
                if first_creators - {int(c[k])}:
                    out.add(int(w.work_id[order[k]]))
                first_creators.add(int(c[k]))
        start = end
    return out


def exact_fingerprint(w: Works) -> set[int]:
    """Flag a work whose first frame hash equals an earlier work's (another creator's)."""
    first = np.concatenate([[0], np.cumsum(w.counts)[:-1]]).astype(np.int64)
    return _later_of_groups(w, w.frames[first])


def title_equality(w: Works) -> set[int]:
    """Flag a work whose title equals an earlier work's (another creator's)."""
    _, codes = np.unique(np.array([t or "" for t in w.titles], object), return_inverse=True)
    return _later_of_groups(w, codes)
