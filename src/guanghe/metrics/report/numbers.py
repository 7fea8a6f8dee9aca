"""Numbers as a Chinese reader reads them: 万 / 亿 units, never scientific notation, round axis ticks.

Every figure the report shows goes through here (chart labels, axis ticks, tables), so one axis never mixes
``7,775`` with ``1.55万`` and no label reads ``1.73e+03万``.

>>> cn(17_300_000), cn(7_775), cn(15_500), cn(123_456_789), cn(0.000123)
('1730万', '7,775', '1.55万', '1.23亿', '0.000123')
>>> nice_axis(7_775).labels
('0', '2,000', '4,000', '6,000', '8,000')
>>> nice_axis(15_500).labels
('0', '0.5万', '1.0万', '1.5万', '2.0万')
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# (divisor, suffix), largest first. 万亿 (10^12) keeps 1.2 万亿 from reading 12000亿.
UNITS: tuple[tuple[int, str], ...] = ((10**12, "万亿"), (10**8, "亿"), (10**4, "万"))
NICE_STEPS = (1, 2, 5, 10)


def unit_for(magnitude: float) -> tuple[int, str]:
    """The largest unit not above ``magnitude`` ((1, "") below 1万)."""
    return next(((d, s) for d, s in UNITS if abs(magnitude) >= d), (1, ""))


def _fixed(x: float, decimals: int, separators: bool = True) -> str:
    text = f"{x:,.{decimals}f}" if separators else f"{x:.{decimals}f}"
    return "0" if float(text.replace(",", "")) == 0 else text


def _trim(text: str) -> str:
    """Drop trailing zeros of a decimal part ("1.50" -> "1.5", "2.00" -> "2")."""
    return text.rstrip("0").rstrip(".") if "." in text else text


def cn(value: float, digits: int = 3) -> str:
    """``value`` with ``digits`` significant digits in the largest fitting unit; integers below 1万 exact.

    Below 1 the significant digits are kept (0.000123), so small prices stay readable.
    """
    if not math.isfinite(value):
        return "—"
    if value == 0:
        return "0"
    a = abs(value)
    if a < 1:
        return _trim(_fixed(value, digits - 1 - math.floor(math.log10(a))))
    if round(a) < 10**4:
        if float(value).is_integer() or a >= 10**digits:
            return f"{round(value):,}"
        return _trim(_fixed(value, max(0, digits - len(str(int(a))))))
    start = max(unit_for(a)[0], 10**4)
    for d, suffix in [u for u in UNITS[::-1] if u[0] >= start]:  # 9999.6万 rounds to 1亿, not 10000万
        x = value / d
        decimals = max(0, digits - (math.floor(math.log10(abs(x))) + 1))
        rounded = round(x, decimals)
        if abs(rounded) < 10**4 or d == UNITS[0][0]:
            return _trim(_fixed(rounded, decimals, separators=False)) + suffix
    raise AssertionError("unreachable")  # pragma: no cover - the last unit always returns


def yuan(fen: int | float) -> str:
    """Fen as CNY in Chinese units: 12_345_678_900 fen -> ¥1.23亿."""
    return "¥" + cn(fen / 100)


def percent(share: float, decimals: int = 1) -> str:
    """A share (0.123) as a percent ("12.3%"); a tiny nonzero share reads "<0.1%", never "0.0%"."""
    smallest = 10.0**-decimals
    if 0 < share * 100 < smallest / 2:
        return f"<{_fixed(smallest, decimals)}%"
    return _fixed(share * 100, decimals) + "%"


def nice_step(rough: float) -> float:
    """The smallest 1, 2 or 5 x 10^k at least ``rough``."""
    if rough <= 0:
        return 1.0
    mag = 10 ** math.floor(math.log10(rough))
    return float(next(m * mag for m in NICE_STEPS if m * mag >= rough * (1 - 1e-12)))


@dataclass(frozen=True)
class Axis:
    """A value axis: ticks from ``low`` to ``high`` every ``step`` (round numbers), one unit for all labels."""

    low: float
    high: float
    step: float
    div: int  # unit divisor shared by every label (1, 10^4, 10^8, 10^12)
    suffix: str  # "", "万", "亿", "万亿", or "%" for a percent axis
    labels: tuple[str, ...]

    @property
    def ticks(self) -> tuple[float, ...]:
        n = round((self.high - self.low) / self.step)
        return tuple(_clean(self.low + i * self.step) for i in range(n + 1))


def _clean(x: float) -> float:
    """Drop float noise (0.30000000000000004 -> 0.3) from a tick."""
    return float(f"{x:.12g}")


def nice_axis(
    high: float, low: float = 0.0, most: int = 6, percent_axis: bool = False, whole: bool = False
) -> Axis:
    """Round ticks (1, 2 or 5 x 10^k apart) covering [low, high] in at most ``most`` intervals, all labels
    in one unit.

    ``percent_axis``: values are shares (0.25 = 25%); labels read "25%". ``whole``: counts, steps of 1 or more.
    """
    high, low = max(high, low), min(low, high)
    if high == low:
        high = low + (1.0 if not percent_axis else 0.01) if high == 0 else high + abs(high)
    step = max(nice_step((high - low) / 10), 1.0 if whole else 0.0)
    while True:  # the smallest round step giving at most ``most`` intervals
        lo = math.floor(low / step + 1e-9) * step
        hi = math.ceil(high / step - 1e-9) * step
        if round((hi - lo) / step) <= most:
            break
        step = nice_step(step * 1.5)
    if percent_axis:
        div, suffix, scale = 1, "%", 100.0
        decimals = max(0, -math.floor(math.log10(step * scale) + 1e-9))
    else:
        div, suffix = unit_for(max(abs(lo), abs(hi)))
        scale = 1.0 / div
        decimals = max(0, -math.floor(math.log10(step * scale) + 1e-9))
    n = round((hi - lo) / step)
    labels = []
    for i in range(n + 1):
        v = _clean(lo + i * step)
        if v == 0:
            labels.append("0" + ("%" if percent_axis else ""))
        else:
            labels.append(_fixed(v * scale, decimals, separators=div == 1) + suffix)
    return Axis(_clean(lo), _clean(hi), _clean(step), div, suffix, tuple(labels))
