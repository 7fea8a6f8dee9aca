"""Tiny inline-SVG charts (no JavaScript, no CDN): the report opens offline.

>>> "<svg" in line_chart({"a": [("2023-01", 1.0), ("2023-02", 2.0)]}, title="t")
True
"""

from __future__ import annotations

from html import escape

PALETTE = ("#2f7d5b", "#e08a1e", "#3a6fb0", "#b23b5a", "#7a5cb8", "#4a9fa8", "#8c8c3a", "#555555")
W, H, PAD_L, PAD_R, PAD_T, PAD_B = 560, 240, 64, 16, 28, 36


def _fmt(v: float) -> str:
    for div, suffix in ((1e8, "亿"), (1e4, "万")):
        if abs(v) >= div:
            return f"{v / div:.3g}{suffix}"
    return f"{v:,.0f}" if abs(v) >= 10 else f"{v:.2g}"


def _frame(title: str, body: list[str]) -> str:
    return (
        f'<svg class="chart" viewBox="0 0 {W} {H}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg"><text x="{PAD_L}" y="18" class="ct">{escape(title)}</text>'
        + "".join(body)
        + "</svg>"
    )


def _y_axis(top: float) -> list[str]:
    out = []
    for i in range(5):
        v = top * i / 4
        y = H - PAD_B - (H - PAD_T - PAD_B) * i / 4
        out.append(f'<line x1="{PAD_L}" x2="{W - PAD_R}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>')
        out.append(f'<text x="{PAD_L - 6}" y="{y + 4:.1f}" text-anchor="end" class="ax">{_fmt(v)}</text>')
    return out


def line_chart(series: dict[str, list[tuple[str, float]]], title: str) -> str:
    """One line per series over shared string x labels (e.g. months)."""
    xs = sorted({x for pts in series.values() for x, _ in pts})
    top = max([y for pts in series.values() for _, y in pts] + [1.0]) * 1.05
    step = (W - PAD_L - PAD_R) / max(len(xs) - 1, 1)
    body = _y_axis(top)
    for i, x in enumerate(xs):
        every = max(len(xs) // 6, 1)
        if (i % every == 0 and len(xs) - 1 - i >= every / 2) or i == len(xs) - 1:
            anchor = "end" if i == len(xs) - 1 else "middle"
            body.append(
                f'<text x="{PAD_L + i * step:.1f}" y="{H - 14}" text-anchor="{anchor}" class="ax">{x}</text>'
            )
    for k, (name, pts) in enumerate(series.items()):
        color = PALETTE[k % len(PALETTE)]
        coords = " ".join(
            f"{PAD_L + xs.index(x) * step:.1f},{H - PAD_B - (H - PAD_T - PAD_B) * y / top:.1f}"
            for x, y in pts
        )
        body.append(f'<polyline points="{coords}" fill="none" stroke="{color}" stroke-width="2"/>')
        body.append(
            f'<text x="{W - PAD_R}" y="{18 + 14 * k}" text-anchor="end" fill="{color}" class="lg">{escape(name)}</text>'
        )
    return _frame(title, body)


def bar_chart(bars: list[tuple[str, float]], title: str) -> str:
    """Vertical bars with their labels and values."""
    top = max([v for _, v in bars] + [1.0]) * 1.1
    slot = (W - PAD_L - PAD_R) / max(len(bars), 1)
    body = _y_axis(top)
    for i, (label, v) in enumerate(bars):
        h = (H - PAD_T - PAD_B) * v / top
        x = PAD_L + i * slot + slot * 0.15
        color = PALETTE[i % len(PALETTE)]
        body.append(
            f'<rect x="{x:.1f}" y="{H - PAD_B - h:.1f}" width="{slot * 0.7:.1f}" height="{h:.1f}" fill="{color}"/>'
        )
        body.append(
            f'<text x="{x + slot * 0.35:.1f}" y="{H - PAD_B - h - 4:.1f}" text-anchor="middle" class="ax">{_fmt(v)}</text>'
        )
        body.append(
            f'<text x="{x + slot * 0.35:.1f}" y="{H - 14}" text-anchor="middle" class="ax">{escape(label)}</text>'
        )
    return _frame(title, body)
