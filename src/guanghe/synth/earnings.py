"""The generator's truth about money: what the money rules give each creator for the generated events, by
(channel, month, line) — an implementation in numpy of the integer rules of docs/synth.md ("The money rules"),
independent of the money room, written to ``truth/earnings.parquet``.

Amounts are signed as the ``income`` table holds them: earnings positive, fees negative (a returned fee
positive), clawbacks negative. Money recognised after the window's last day is not in the truth (a
commission still in its return window, an installment of a week not over yet).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from guanghe.data.money_schema import CHANNELS, INCOME_LINES
from guanghe.synth.config import SynthConfig
from guanghe.synth.rules import BPS

EARNINGS_SCHEMA = pa.schema(
    [
        pa.field("creator_id", pa.int64(), nullable=False),
        pa.field("channel", pa.string(), nullable=False),
        pa.field("month", pa.string(), nullable=False),  # YYYY-MM of the business day (platform days)
        pa.field("line", pa.string(), nullable=False),  # earning, fee or clawback
        pa.field("amount_fen", pa.int64(), nullable=False),
    ]
)
_C, _L = len(CHANNELS), len(INCOME_LINES)


def bps(amount: np.ndarray, rate: np.ndarray | int) -> np.ndarray:
    """floor(amount x rate / 10^4) in integer fen (amounts and rates are non-negative)."""
    return np.asarray(amount, np.int64) * np.asarray(rate, np.int64) // BPS


def _reduce(keys: np.ndarray, amounts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One summed amount per distinct key, keys ascending."""
    order = np.argsort(keys, kind="stable")
    keys, amounts = keys[order], amounts[order]
    if not len(keys):
        return keys, amounts
    first = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    return keys[first], np.add.reduceat(amounts, first)


class Earnings:
    """Signed amounts per (creator, channel, month, line), accumulated from the events as they are drawn."""

    def __init__(self, cfg: SynthConfig) -> None:
        window = cfg.window()
        self.firsts = np.array([m.first_day for m in window], np.int64)
        self.end_day = window[-1].last_day
        self.labels = [m.label for m in window]
        self.months = len(window)
        self.first_earning = np.full(cfg.creators, np.iinfo(np.int16).max, np.int16)  # month index
        self._parts: list[tuple[np.ndarray, np.ndarray]] = []
        self._chunks: list[tuple[np.ndarray, np.ndarray]] = []

    def add(self, channel: str, line: str, cidx: np.ndarray, day: np.ndarray, amount: np.ndarray) -> None:
        """Money of ``line`` in ``channel`` recognised on platform ``day`` (days since 1970-01-01)."""
        day = np.asarray(day, np.int64)
        amount = np.asarray(amount, np.int64)
        keep = (day <= self.end_day) & (amount != 0)
        if not keep.any():
            return
        month = np.searchsorted(self.firsts, day[keep], "right") - 1
        if (month < 0).any():
            raise ValueError("money recognised before the window")
        cidx = np.asarray(cidx, np.int64)[keep]
        if line == "earning":
            np.minimum.at(self.first_earning, cidx, month.astype(np.int16))
        ch, ln = CHANNELS.index(channel), INCOME_LINES.index(line)
        self._parts.append((((cidx * _C + ch) * self.months + month) * _L + ln, amount[keep]))

    def compact(self) -> None:
        """Sum what was added since the last call (once a month keeps memory to one amount per key)."""
        if self._parts:
            keys = np.concatenate([k for k, _ in self._parts])
            amounts = np.concatenate([a for _, a in self._parts])
            self._parts.clear()
            self._chunks.append(_reduce(keys, amounts))

    def earned_before(self, month: int) -> np.ndarray:
        """Creators with a positive earning recognised in a month before ``month`` (index in the window)."""
        return self.first_earning < month

    def table(self) -> pa.Table:
        """One row per (creator, channel, month, line) with a non-zero sum, sorted in that order."""
        self.compact()
        keys = np.concatenate([np.zeros(0, np.int64), *(k for k, _ in self._chunks)])
        amounts = np.concatenate([np.zeros(0, np.int64), *(a for _, a in self._chunks)])
        self._chunks.clear()
        keys, amounts = _reduce(keys, amounts)
        nz = amounts != 0
        keys, amounts = keys[nz], amounts[nz]
        ln = (keys % _L).astype(np.int32)
        m = ((keys // _L) % self.months).astype(np.int32)
        ch = ((keys // (_L * self.months)) % _C).astype(np.int32)
        return pa.Table.from_arrays(
            [
                pa.array(keys // (_L * self.months * _C) + 1),
                pa.array(CHANNELS, pa.string()).take(pa.array(ch)),
                pa.array(self.labels, pa.string()).take(pa.array(m)),
                pa.array(INCOME_LINES, pa.string()).take(pa.array(ln)),
                pa.array(amounts),
            ],
            schema=EARNINGS_SCHEMA,
        )
