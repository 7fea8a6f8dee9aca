"""Which of a creator's opportunities its boost probability p is spent on (the viewer's side of pacing).

The pacer says how often a creator should be boosted (p); the draw decides which opportunities those are.
An opportunity is boosted when its draw u < p. ``Draw`` takes u uniform at random (every eligible candidate
equally likely, whatever it costs the viewer). ``Rank`` takes u = the share of recent opportunities (all
creators) whose score, as a share of the slate's lowest organic pick, was higher than this one's: the
opportunities nearest the organic cut are spent first, so the same number of boosts costs the viewer less.
``Cost`` (the default) ranks by what the boost actually costs the slate: the j-th boost of a slate replaces
the j-th lowest organic pick, so its cost is (that pick's score − the boosted score), in score units; u = the
share of recent opportunities (all creators) that cost less. A second boost in a slate displaces a better
organic pick than the first, so it is ranked as the dearer opportunity it is, and boosts spread over slates.

Each is called once per opportunity with (score, cut, displaced): the candidate's score, the slate's lowest
organic pick, and the organic pick this boost would replace (the cut for a slate's first boost).
"""

from __future__ import annotations

import random
from bisect import bisect_right


class Draw:
    """u uniform on [0, 1): p spread evenly over the creator's opportunities."""

    name = "draw"

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def __call__(self, score: float, cut: float, displaced: float) -> float:
        return self.rng.random()

    def reset(self) -> None:
        pass


class Rank:
    """u = share of the last ``size`` opportunities scoring a higher share of their cut (0: the best seen)."""

    name = "rank"
    __slots__ = ("every", "i", "recent", "rng", "size", "sorted")

    def __init__(self, rng: random.Random, size: int = 1024, every: int = 128) -> None:
        self.rng, self.size, self.every = rng, size, every
        self.reset()

    def reset(self) -> None:
        self.recent: list[float] = []
        self.sorted: list[float] = []
        self.i = 0

    def __call__(self, score: float, cut: float, displaced: float) -> float:
        return self.u(score / cut if cut > 0 else 0.0)

    def u(self, ratio: float) -> float:
        """The share of recent opportunities whose ratio was higher (recording this one)."""
        if len(self.recent) < self.size:
            self.recent.append(ratio)
        else:
            self.recent[self.i % self.size] = ratio
        self.i += 1
        if self.i % self.every == 0 or len(self.sorted) < 32:
            self.sorted = sorted(self.recent)
        n = len(self.sorted)
        if n < 32:  # too few seen to rank: spread evenly meanwhile
            return self.rng.random()
        return 1.0 - bisect_right(self.sorted, ratio) / n


class Cost(Rank):
    """u = share of the last ``size`` opportunities that cost their slate less (displaced pick − score)."""

    name = "cost"
    __slots__ = ()

    def __call__(self, score: float, cut: float, displaced: float) -> float:
        # Rank.u counts the opportunities with a *higher* key as better: the key is minus the cost
        return self.u(score - displaced)


PLACEMENTS: dict[str, type[Draw] | type[Rank]] = {Draw.name: Draw, Rank.name: Rank, Cost.name: Cost}
