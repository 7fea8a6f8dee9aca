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


def week_of(day: np.ndarray) -> np.ndarray:
    """ISO week number counted from the epoch's week: Monday..Sunday (1970-01-05 was a Monday)."""
    return (np.asarray(day, np.int64) + 3) // 7


class Grants:
    def __init__(self, creators: int) -> None:
        self.creators = creators
        self.pending: dict[str, np.ndarray] | None = None  # installments whose week is not over yet
        self.posted: dict[int, np.ndarray] = {}  # week number -> creators with a work that week (so far)

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
        self._record(works_cidx, works_day)
        self._settle(mo, e, new)
        return table

    def _record(self, works_cidx: np.ndarray, works_day: np.ndarray) -> None:
        """Mark the creators publishing in each week touched by the month's works."""
        weeks = week_of(works_day)
        for w in range(int(weeks.min()), int(weeks.max()) + 1) if len(weeks) else ():
            flag = self.posted.setdefault(w, np.zeros(self.creators, bool))
            flag[works_cidx[weeks == w]] = True

    def _settle(self, mo: Moment, e: Earnings, new: dict[str, np.ndarray]) -> None:
        """Installments whose week ended this month: paid iff the creator published that week."""
        g = new if self.pending is None else {c: np.concatenate([self.pending[c], new[c]]) for c in new}
        due = g["week"] + 6 <= mo.month.last_day
        cidx, week = g["cidx"][due], week_of(g["week"][due])
        paid = np.zeros(len(cidx), bool)
        for w in np.unique(week):
            sel = week == w
            if (flag := self.posted.get(int(w))) is not None:
                paid[sel] = flag[cidx[sel]]
        rulebook.incentive(e, cidx, g["week"][due], g["amount"][due], paid)
        self.pending = {c: v[~due] for c, v in g.items()}
        open_week = week_of(np.array([mo.month.last_day]))[0]  # the week still running at the month's end
        self.posted = {w: f for w, f in self.posted.items() if w >= open_week}
