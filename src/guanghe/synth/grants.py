"""Cash support (光合, 炬光, 飞鸟, ecom_tail): weekly installments for the creators a cash program supports that
month, one per week starting (Monday) in the month; paid on the week's Sunday iff the creator published a work
that week. A week that ends in the next month is settled when that month's works are known."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from guanghe.data.schema import TABLES
from guanghe.synth import rulebook
from guanghe.synth.arrow import dates, strings
from guanghe.synth.config import PROGRAMS
from guanghe.synth.earnings import Earnings
from guanghe.synth.moment import Moment

_WEEKS = 10_000  # week numbers (days since the epoch + 3) // 7 stay below this until the year 2161


def week_of(day: np.ndarray) -> np.ndarray:
    """ISO week number counted from the epoch's week: Monday..Sunday (1970-01-05 was a Monday)."""
    return (np.asarray(day, np.int64) + 3) // 7


class Grants:
    def __init__(self) -> None:
        self.pending: dict[str, np.ndarray] | None = None  # installments whose week is not over yet
        self.posted_before = np.zeros(0, np.int64)  # (creator, week) with a work, last month

    def month(
        self, mo: Moment, e: Earnings, support: tuple[np.ndarray, ...], works_cidx: np.ndarray,
        works_day: np.ndarray, first_id: int,
    ) -> pa.Table:  # fmt: skip
        mk, rng, m = mo.market, mo.rng, mo.month
        cash = np.array([PROGRAMS.index(p) for p in mk.cash_programs])
        adopted = mo.adopted("incentive", np.full(mo.pop.size, mk.cash_share * mo.trend))
        who, prog = [], []
        for codes in support[:2]:  # first and second program of the month
            idx = np.flatnonzero(np.isin(codes, cash) & adopted)
            who.append(idx)
            prog.append(codes[idx])
        idx, prog = np.concatenate(who), np.concatenate(prog)
        amount = mo.fen(mk.installment_fen * mo.size[idx] * np.exp(0.4 * rng.standard_normal(len(idx))))
        mondays = np.array([d for d in range(m.first_day, m.last_day + 1) if (d + 3) % 7 == 0], np.int64)
        k = np.repeat(np.arange(len(idx)), len(mondays))
        week = np.tile(mondays, len(idx))
        ok = week + 6 >= mo.pop.join_day[idx[k]]  # from the week the creator joined
        k, week = k[ok], week[ok]
        order = np.lexsort((idx[k], week))
        k, week = k[order], week[order]
        new = {"cidx": idx[k], "week": week, "amount": amount[k]}
        table = pa.Table.from_arrays(
            [
                pa.array(np.arange(first_id, first_id + len(k), dtype=np.int64)),
                pa.array(mo.pop.creator_id[idx[k]]),
                strings(PROGRAMS, prog[k]),
                dates(week),
                pa.array(amount[k]),
            ],
            schema=TABLES["cash_grants"].arrow_schema(),
        )
        posted = np.unique(works_cidx.astype(np.int64) * _WEEKS + week_of(works_day))
        self._settle(mo, e, new, np.union1d(self.posted_before, posted))
        self.posted_before = posted
        return table

    def _settle(self, mo: Moment, e: Earnings, new: dict[str, np.ndarray], posted: np.ndarray) -> None:
        g = new if self.pending is None else {c: np.concatenate([self.pending[c], new[c]]) for c in new}
        due = g["week"] + 6 <= mo.month.last_day
        paid = np.isin(g["cidx"][due] * _WEEKS + week_of(g["week"][due]), posted)
        rulebook.incentive(e, g["cidx"][due], g["week"][due], g["amount"][due], paid)
        self.pending = {c: v[~due] for c, v in g.items()}
