"""MCN contracts, consistent with ``creators.mcn_id``: every creator with an agency has one contract with it
open at the window's end (signed before the window: dated from its first day; or signed during it, perhaps
after a previous agency's contract that ended the day before); a few creators without an agency now had one
whose contract ended during the window. Contracts of a creator never overlap; all dates lie in the window."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from guanghe.data.schema import TABLES
from guanghe.synth.arrow import dates, optional_dates
from guanghe.synth.config import SynthConfig
from guanghe.synth.population import Population


@dataclass
class Contracts:
    cidx: np.ndarray
    mcn_id: np.ndarray
    share_bps: np.ndarray
    start: np.ndarray  # days since the epoch
    end: np.ndarray  # -1: open-ended
    since: np.ndarray  # per creator: first day under any contract (a large number without one)
    until: np.ndarray  # per creator: last day under contract (a large number while open)

    def contracted(self, first_day: int, last_day: int) -> np.ndarray:
        """Creators under an agency contract on some day of [first_day, last_day]."""
        return (self.since <= last_day) & (self.until >= first_day)

    def table(self, first_day: int, last_day: int, first_id: int) -> pa.Table:
        """The contracts starting in [first_day, last_day], ids from first_id (contracts are in start order)."""
        sel = np.flatnonzero((self.start >= first_day) & (self.start <= last_day))
        return pa.Table.from_arrays(
            [
                pa.array(first_id + np.arange(len(sel), dtype=np.int64)),
                pa.array(self.cidx[sel] + 1),
                pa.array(self.mcn_id[sel]),
                pa.array(self.share_bps[sel], pa.int32()),
                dates(self.start[sel]),
                optional_dates(self.end[sel]),
            ],
            schema=TABLES["mcn_contracts"].arrow_schema(),
        )


def draw(cfg: SynthConfig, pop: Population, rng: np.random.Generator) -> Contracts:
    mk, window = cfg.market, cfg.window()
    first, last = window[0].first_day, window[-1].last_day
    n = pop.size
    opens = np.maximum(pop.join_day.astype(np.int64), first)  # first day a contract can start
    has = pop.mcn_id > 0
    signed = has & ((pop.join_month >= 0) | (rng.random(n) < mk.mcn_signed_in_window))
    start = np.where(signed, opens + np.floor(rng.random(n) * (last + 1 - opens)).astype(np.int64), opens)
    prev = signed & (rng.random(n) < mk.mcn_previous) & (start - 1 >= opens)
    left = ~has & (rng.random(n) < mk.mcn_left) & (opens < last)
    left_end = opens + np.floor(rng.random(n) * (last - opens)).astype(np.int64)  # ends before the last day
    other = 1 + (pop.mcn_id - 1 + rng.integers(1, cfg.mcn_agencies, n)) % cfg.mcn_agencies  # another agency
    stranger = 1 + rng.integers(0, cfg.mcn_agencies, n)

    c = np.concatenate([np.flatnonzero(has), np.flatnonzero(prev), np.flatnonzero(left)])
    mcn = np.concatenate([pop.mcn_id[has], other[prev], stranger[left]])
    s = np.concatenate([start[has], opens[prev], opens[left]])
    e = np.concatenate([np.full(int(has.sum()), -1), start[prev] - 1, left_end[left]])
    share = rng.choice(np.array(mk.mcn_share_bps, np.int64), len(c), p=np.array(mk.mcn_share_p))
    order = np.lexsort((c, s))
    big = np.iinfo(np.int64).max
    since = np.full(n, big)
    np.minimum.at(since, c, s)
    until = np.full(n, -1, np.int64)
    np.maximum.at(until, c, np.where(e < 0, big, e))
    return Contracts(c[order], mcn[order], share[order], s[order], e[order], since, until)
