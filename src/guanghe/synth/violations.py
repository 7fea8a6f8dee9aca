"""Content-policy violations of the month's works (``creator_violations``), for the growth levels.

Each work is found in violation with probability ``RATE x (1 - quality) / MEAN_GAP`` (lower-quality creators
break the rules more often), confirmed 0–13 days after publication (within the month). Drawn from their own
seed stream, so the other tables' draws do not change.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from guanghe.data.growth_schema import CREATOR_VIOLATIONS, VIOLATION_KINDS
from guanghe.synth.arrow import dates, strings
from guanghe.synth.config import Month, SynthConfig
from guanghe.synth.population import Population

RATE = 0.004  # violations per work at the population's mean quality
MEAN_GAP = 0.62  # 1 - the mean of the quality distribution
KIND_WEIGHTS = np.array([0.5, 0.15, 0.2, 0.15])  # VIOLATION_KINDS
_STREAM = 0x56494F  # "VIO": this table's seed stream


def month_violations(
    cfg: SynthConfig, pop: Population, month: Month, work_id: np.ndarray, cidx: np.ndarray, day: np.ndarray
) -> pa.Table:
    """The violations confirmed among the month's works (one at most per work; its id is the work's)."""
    rng = np.random.default_rng([cfg.seed, _STREAM, month.index])
    p = RATE * (1.0 - pop.quality[cidx]) / MEAN_GAP
    hit = np.flatnonzero(rng.random(len(cidx)) < p)
    lag = rng.integers(0, 14, hit.size)
    confirmed = np.minimum(day[hit].astype(np.int64) + lag, month.last_day)
    kind = np.searchsorted(np.cumsum(KIND_WEIGHTS), rng.random(hit.size) * KIND_WEIGHTS.sum())
    kind = np.minimum(kind, len(VIOLATION_KINDS) - 1)
    return pa.Table.from_arrays(
        [
            pa.array(work_id[hit], pa.int64()),
            pa.array(pop.creator_id[cidx[hit]], pa.int64()),
            dates(confirmed),
            strings(VIOLATION_KINDS, kind),
            pa.array(work_id[hit], pa.int64()),
        ],
        schema=CREATOR_VIOLATIONS.arrow_schema(),
    )
