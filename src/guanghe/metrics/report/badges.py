"""The report's trust-badge part: products holding 敢比价 and merchants holding 信任购 on each day a badge run
stored (``product_badges``, ``merchant_badges``, written by ``guanghe badges run``), and the latest day's counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from html import escape

from guanghe.metrics.catalog import Tables
from guanghe.metrics.report.charts import Figure, line_figure
from guanghe.metrics.report.numbers import percent
from guanghe.metrics.report.page import table

NO_BADGES = "no trust badges computed in this warehouse (guanghe badges run --as-of DAY)"


@dataclass(frozen=True)
class BadgeCounts:
    as_of: date
    products: int  # products on sale, judged for 敢比价
    price_badges: int
    merchants: int
    judged: int  # merchants with enough orders
    trusted: int


def badge_counts(tables: Tables) -> list[BadgeCounts]:
    """One entry per stored badge day, oldest first (empty without the tables or rows)."""
    if "product_badges" not in tables or "merchant_badges" not in tables:
        return []
    p, m = tables["product_badges"], tables["merchant_badges"]
    pc = p.group_by("as_of").aggregate(products=p.count(), price_badges=p.badge.cast("int64").sum())
    mc = m.group_by("as_of").aggregate(
        merchants=m.count(), judged=m.enough_orders.cast("int64").sum(), trusted=m.badge.cast("int64").sum()
    )
    rows = pc.join(mc, "as_of").order_by("as_of").to_pyarrow().to_pylist()
    return [BadgeCounts(**{k: r[k] for k in BadgeCounts.__dataclass_fields__}) for r in rows]


def _figure(counts: list[BadgeCounts]) -> Figure:
    fig = line_figure(
        "trust badges by day 信任徽章",
        [c.as_of.isoformat() for c in counts],
        {
            "products with 敢比价": [float(c.price_badges) for c in counts],
            "merchants with 信任购": [float(c.trusted) for c in counts],
        },
    )
    fig.note = "Days a badge run stored; a day without a run is absent."
    return fig


def badges_section(tables: Tables, first_figure: int) -> str:
    """The "Trust badges" section; its chart is ``fig-{first_figure}``. Without a badge run it says so."""
    head = "<section><h2>Trust badges 敢比价 · 信任购</h2>"
    counts = badge_counts(tables)
    if not counts:
        return head + f'<p class="empty">{escape(NO_BADGES)}.</p></section>'
    last = counts[-1]
    rows = [
        ("products on sale", f"{last.products:,}", ""),
        ("with 敢比价 (price-compare)", f"{last.price_badges:,}",
         percent(last.price_badges / last.products) if last.products else "—"),
        ("merchants", f"{last.merchants:,}", ""),
        ("judged (enough orders)", f"{last.judged:,}", ""),
        ("with 信任购 (trusted purchase)", f"{last.trusted:,}",
         percent(last.trusted / last.judged) if last.judged else "—"),
    ]  # fmt: skip
    return (
        head
        + '<p class="note">敢比价: a product priced at or below every price the other products of its SKU group '
        "had in the price window. 信任购: a merchant with enough orders whose refund rate, complaint rate and "
        "refund handling time meet the declared rules (docs/growth.md, Trust badges).</p>"
        + f'<div class="charts">{_figure(counts).html(f"fig-{first_figure}")}</div>'
        + f"<h3>On {last.as_of}</h3>"
        + table(("", "count", "share"), rows)
        + "</section>"
    )
