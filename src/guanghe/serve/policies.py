"""Pacing policies: whether an eligible candidate of a creator with quota left is boosted now.

The service runs ``Paced`` (a PI controller per creator tracking the audience curve, ``pacing.py``); the
supply replay (``supply.py``) runs the two baselines on the same request stream to show what the controller
buys: ``Greedy`` boosts whenever eligible (no pacing), ``EvenSpread`` lets a creator have Q/24 per hour
(cumulative, so an hour's leftover carries over), ignoring the audience profile. The quota cap is the
counter store's in every case; a policy only says how likely a boost is now.
"""

from __future__ import annotations

from guanghe.serve.pacing import Controller, Curve, Gains


class Pacer:
    """Boost probability for one opportunity of a creator (called only while it has quota left)."""

    name = "pacer"

    def reset(self) -> None:
        """A new plan or day: forget per-creator state."""

    def chance(self, creator: int, s: float, quota: int, delivered: int) -> float:
        raise NotImplementedError


class Paced(Pacer):
    """The service's controller: one ``pacing.Controller`` per creator on the target curve."""

    name = "controller"

    def __init__(self, curve: Curve, gains: Gains) -> None:
        self.curve, self.gains = curve, gains
        self.ctl: dict[int, Controller] = {}

    def reset(self) -> None:
        self.ctl = {}

    def chance(self, creator: int, s: float, quota: int, delivered: int) -> float:
        ctl = self.ctl.get(creator)
        if ctl is None:
            ctl = self.ctl[creator] = Controller()
        return ctl.update(s, quota, delivered, self.curve, self.gains)


class Greedy(Pacer):
    """No pacing: boost at every chance until the quota is spent."""

    name = "greedy"

    def chance(self, creator: int, s: float, quota: int, delivered: int) -> float:
        return 1.0


class EvenSpread(Pacer):
    """A flat hourly quota: by the end of hour h at most Q·(h+1)/24 delivered (the audience profile ignored)."""

    name = "even spread"

    def chance(self, creator: int, s: float, quota: int, delivered: int) -> float:
        return 1.0 if delivered < quota * (min(int(s // 3600), 23) + 1) / 24 else 0.0


BASELINES: dict[str, type[Pacer]] = {Greedy.name: Greedy, EvenSpread.name: EvenSpread}
