"""Display of metric values by unit: counts with separators, fen as CNY, shares and changes as percents.

>>> fmt_value(123456789, "fen"), fmt_value(12345, "count"), fmt_value(0.305, "share"), fmt_change(0.148)
('¥1,234,567.89', '12,345', '30.5%', '+14.8%')
"""

from __future__ import annotations

DASH = "—"
NO_DATA = "n/a"  # a comparison window the data does not cover


def fmt_fen(fen: int) -> str:
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(int(fen)), 100)
    return f"{sign}¥{yuan:,}.{cents:02d}"


def fmt_value(value: int | float | None, unit: str) -> str:
    if value is None:
        return DASH
    if unit == "fen":
        return fmt_fen(int(value))
    if unit == "share":
        return f"{value * 100:.1f}%"
    return f"{int(value):,}"


def fmt_change(change: float | None) -> str:
    return DASH if change is None else f"{change * 100:+.1f}%"
