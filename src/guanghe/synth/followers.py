"""Follower counts per creator and day (the sparse creator_daily table) from the month's work-day rows."""

from __future__ import annotations

import numpy as np

from guanghe.synth.config import Month, SynthConfig
from guanghe.synth.population import Population
from guanghe.synth.traffic import Rows


def creator_days(
    cfg: SynthConfig, pop: Population, month: Month, rows: Rows, start: np.ndarray, rng: np.random.Generator
) -> tuple[Rows, np.ndarray]:
    """creator_daily rows of the month and the follower counts at its end.

    A row exists only on a day the count changes, plus an opening row: on the window's first day for creators
    existing at its start, and on the joining day for joiners. Unfollows happen on days with activity, a small
    random share of the count at the start of the month (so the count can never go negative).
    """
    days = month.days
    # Days are binned only for the creators involved this month (with work-days or an opening row).
    opening = np.flatnonzero(pop.join_month < 0) if month.index == 0 else np.zeros(0, np.int64)
    joiners = np.flatnonzero(pop.join_month == month.index)
    involved = np.zeros(pop.size, bool)
    involved[rows["_cidx"]] = True
    involved[opening] = True
    involved[joiners] = True
    who = np.flatnonzero(involved)
    compact = np.cumsum(involved, dtype=np.int64) - 1
    size = len(who) * days
    key = compact[rows["_cidx"]] * days + (rows["date"] - month.first_day)
    gains = np.bincount(key, weights=rows["follows_gained"], minlength=size)
    active = np.bincount(key, minlength=size) > 0
    forced = np.zeros(size, bool)
    forced[compact[opening] * days] = True
    forced[compact[joiners] * days + (pop.join_day[joiners] - month.first_day)] = True

    k = np.flatnonzero(active | forced)
    c = who[k // days]
    gain = gains[k].astype(np.int64)
    lost = np.floor(start[c] * cfg.loss_rate * 2.0 * rng.random(len(k)) * active[k]).astype(np.int64)
    lost[(lost == gain) & (gain > 0)] = 0  # a day with follows gained must change the count
    net = gain - lost
    keep = forced[k] | (net != 0)
    k, c, net, lost = k[keep], c[keep], net[keep], lost[keep]

    cs = np.cumsum(net)
    first = np.flatnonzero(np.r_[True, c[1:] != c[:-1]]) if len(c) else np.zeros(0, np.int64)
    sizes = np.diff(np.r_[first, len(c)])
    followers = start[c] + cs - np.repeat(cs[first] - net[first], sizes)
    end = start.copy()
    end[c[first + sizes - 1]] = followers[first + sizes - 1]
    out: Rows = {
        "creator_id": pop.creator_id[c],
        "date": (month.first_day + k % days).astype(np.int32),
        "followers": followers,
        "follows_lost": lost,
    }
    return out, end
