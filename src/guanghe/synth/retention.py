"""Ground truth of how support moves retention (for the closed-loop simulation, ``guanghe simulate``).

A creator whose audience grew from boosts last month is less likely to go dormant this month: its monthly
churn probability is multiplied by exp(-RETENTION_LIFT x g), g = follows gained from boosts last month / (its
followers at that month's start + RETENTION_FLOOR). A creator who gained a tenth of its audience from boosts
churns exp(-0.3) = 0.74 times as often. ``guanghe synth`` does not use it (its support has no such effect).
"""

from __future__ import annotations

import numpy as np

RETENTION_LIFT = 3.0
RETENTION_FLOOR = 100.0


def churn_multiplier(boost_follows: np.ndarray, followers: np.ndarray) -> np.ndarray:
    """exp(-RETENTION_LIFT x boost_follows / (followers + RETENTION_FLOOR)), in (0, 1]."""
    g = np.maximum(boost_follows, 0) / (np.maximum(followers, 0) + RETENTION_FLOOR)
    return np.exp(-RETENTION_LIFT * g)
