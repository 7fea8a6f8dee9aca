"""Trust badges, the use cases: compute 敢比价 and 信任购 for days and store them (``run_badges``), and say why
a product or merchant holds a badge or not, with the figures (``explain_product``, ``explain_merchant``).

A run reads everything first, then replaces the days' rows of ``product_badges`` and ``merchant_badges`` in
one transaction: a failed run writes nothing, a rerun of a day writes the same rows again (nothing duplicated).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import ibis
import pyarrow as pa

from guanghe.data.growth_schema import MERCHANT_BADGES, PRODUCT_BADGES
from guanghe.data.warehouse import Warehouse
from guanghe.growth.badge_compute import merchant_badges, price_badges, window_prices
from guanghe.growth.badge_rules import BPS, BadgeRules
from guanghe.programs.ibis_util import UTC_ZONE

MAX_DAYS = 366  # one run computes at most a year of days


class BadgeError(ValueError):
    """A badge run or question that cannot be answered (bad days, unknown product or merchant)."""


@dataclass
class BadgeDay:
    as_of: date
    products: int  # products on sale, judged for 敢比价
    price_badges: int
    merchants: int
    judged: int  # merchants with enough orders to be judged
    trusted: int  # merchants holding 信任购


def _tables(wh: Warehouse) -> dict[str, ibis.Table]:
    return {t: wh.table(t) for t in ("products", "product_prices", "merchant_orders", "after_sales")}


def compute_day(
    tables: dict[str, ibis.Table], as_of: date, rules: BadgeRules, zone: ZoneInfo, fetch: Callable
) -> tuple[pa.Table, pa.Table]:
    """(product rows, merchant rows) of one day, in the declared schemas."""
    products = fetch(price_badges(tables, as_of, rules.price).order_by("product_id"))
    merchants = fetch(merchant_badges(tables, as_of, rules.merchant, zone).order_by("merchant_id"))
    return (
        products.select(PRODUCT_BADGES.names).cast(PRODUCT_BADGES.arrow_schema()),
        merchants.select(MERCHANT_BADGES.names).cast(MERCHANT_BADGES.arrow_schema()),
    )


def badge_days(first: date, last: date | None) -> list[date]:
    last = last or first
    if last < first:
        raise BadgeError(f"--through {last} is before --as-of {first}")
    n = (last - first).days + 1
    if n > MAX_DAYS:
        raise BadgeError(f"{n} days from {first} to {last}: at most {MAX_DAYS} days per run")
    return [first + timedelta(days=i) for i in range(n)]


def _count(t: pa.Table, col: str) -> int:
    return int(sum(t.column(col).to_pylist()))


def run_badges(
    wh: Warehouse,
    days: list[date],
    rules: BadgeRules,
    zone: ZoneInfo = UTC_ZONE,
    on_day: Callable[[date], None] | None = None,
) -> list[BadgeDay]:
    """Compute both badges for each day and replace those days' stored rows (one transaction)."""
    tables = _tables(wh)
    computed = []
    for d in days:
        computed.append((d, *compute_day(tables, d, rules, zone, wh.fetch)))
        if on_day is not None:
            on_day(d)
    with wh.writer() as w:
        for d, products, merchants in computed:
            for decl, rows in ((PRODUCT_BADGES, products), (MERCHANT_BADGES, merchants)):
                w.ensure(decl)
                w.delete(decl, as_of=d)
                w.insert(decl, rows)
    return [
        BadgeDay(
            d, p.num_rows, _count(p, "badge"), m.num_rows, _count(m, "enough_orders"), _count(m, "badge")
        )
        for d, p, m in computed
    ]


def default_day(wh: Warehouse) -> date:
    """The latest stored badge day, else the last day with a price row or orders."""
    for table, col in (
        (PRODUCT_BADGES.name, "as_of"),
        ("product_prices", "date"),
        ("merchant_orders", "date"),
    ):
        last = wh.table(table)[col].max().execute()
        if last is not None:
            return last.date() if isinstance(last, datetime) else last
    raise BadgeError("no products, prices or orders in the warehouse: ingest the storefront tables first")


def _yuan(fen: int | None) -> str:
    return "—" if fen is None else f"¥{fen / 100:,.2f}"


def _pct(num: int, den: int) -> str:
    return f"{num / den:.2%}" if den else "n/a"


def explain_product(wh: Warehouse, product_id: int, as_of: date, rules: BadgeRules) -> dict:
    """Why the product holds 敢比价 on ``as_of`` or not: its price, the other products of its group with their
    lowest price of the window (cheapest first), and the verdict."""
    tables = _tables(wh)
    p = tables["products"]
    found = wh.fetch(p.filter(p.product_id == product_id)).to_pylist()
    if not found:
        raise BadgeError(f"no product {product_id} in the warehouse")
    info = found[0]
    out = {"product_id": product_id, "as_of": as_of.isoformat(), "merchant_id": info["merchant_id"],
           "sku_group": info["sku_group"], "listed_on": info["listed_on"].isoformat(),
           "window_days": rules.price.window_days}  # fmt: skip
    row = wh.fetch(
        price_badges(tables, as_of, rules.price).filter(ibis._.product_id == product_id)
    ).to_pylist()
    if not row:
        return {**out, "badge": False, "on_sale": False,
                "why": f"not on sale on {as_of} (listed on {info['listed_on']}, or no price by then)"}  # fmt: skip
    r = row[0]
    lows = window_prices(tables, as_of, rules.price.window_days)
    group = lows.filter((lows.sku_group == info["sku_group"]) & (lows.product_id != product_id))
    others = wh.fetch(
        group.select("product_id", "merchant_id", "price_fen", "low").order_by(["low", "product_id"])
    )
    price, low = r["price_fen"], r["comparable_min_fen"]
    if low is None:
        why = f"no other product of {info['sku_group']} is on sale: nothing to compare with"
    elif r["badge"]:
        why = (f"price {_yuan(price)} is at or below {_yuan(low)}, the lowest price of the other "
               f"{r['comparables']} product(s) of {info['sku_group']} in the {rules.price.window_days} days "
               f"ending {as_of}")  # fmt: skip
    else:
        why = (f"price {_yuan(price)} is above {_yuan(low)}, the lowest price of the other "
               f"{r['comparables']} product(s) of {info['sku_group']} in the {rules.price.window_days} days "
               f"ending {as_of}")  # fmt: skip
    return {**out, "on_sale": True, "badge": bool(r["badge"]), "price_fen": price, "comparable_min_fen": low,
            "comparables": others.to_pylist(), "why": why}  # fmt: skip


def explain_merchant(wh: Warehouse, merchant_id: int, as_of: date, rules: BadgeRules, zone: ZoneInfo) -> dict:
    """Why the merchant holds 信任购 on ``as_of`` or not: each rule with its figure and limit."""
    tables = _tables(wh)
    t = merchant_badges(tables, as_of, rules.merchant, zone)
    row = wh.fetch(t.filter(t.merchant_id == merchant_id)).to_pylist()
    m = rules.merchant
    out = {"merchant_id": merchant_id, "as_of": as_of.isoformat(), "window_days": m.window_days}
    if not row:
        return {**out, "badge": False, "checks": [],
                "why": f"no product on sale, no orders and no after-sales requests in the {m.window_days} days "
                       f"ending {as_of}"}  # fmt: skip
    r = row[0]
    n = r["orders"]
    checks = [
        {"rule": "min_orders", "ok": r["enough_orders"], "figure": f"{n:,} orders",
         "limit": f"at least {m.min_orders:,}"},
        {"rule": "max_refund_rate", "ok": r["refund_rate_ok"],
         "figure": f"{r['refunds']:,} refund requests = {_pct(r['refunds'], n)} of orders",
         "limit": f"at most {m.max_refund_rate_bps / BPS:.2%}"},
        {"rule": "max_complaint_rate", "ok": r["complaint_rate_ok"],
         "figure": f"{r['complaints']:,} complaints = {_pct(r['complaints'], n)} of orders",
         "limit": f"at most {m.max_complaint_rate_bps / BPS:.2%}"},
        {"rule": "refund_handling", "ok": r["handling_ok"],
         "figure": f"{r['refunds_on_time']:,} of {r['refunds_judged']:,} judged refund requests resolved within "
                   f"{m.refund_hours} h = {_pct(r['refunds_on_time'], r['refunds_judged'])}",
         "limit": f"at least {m.min_on_time_bps / BPS:.2%} (no judged request: met)"},
    ]  # fmt: skip
    failed = [c["rule"] for c in checks if not c["ok"]]
    if not r["enough_orders"]:
        why = f"not judged: {n:,} orders in the window, fewer than {m.min_orders:,}"
    elif failed:
        why = "rules not met: " + ", ".join(failed)
    else:
        why = "every rule is met"
    return {**out, "badge": bool(r["badge"]), **{k: r[k] for k in ("orders", "refunds", "complaints",
            "refunds_judged", "refunds_on_time")}, "checks": checks, "why": why}  # fmt: skip


def stored_days(wh: Warehouse) -> list[date]:
    """The days with stored badge rows, oldest first."""
    t = wh.table(PRODUCT_BADGES)
    return sorted(r["as_of"] for r in wh.fetch(t.select("as_of").distinct()).to_pylist())


def day_summary(d: BadgeDay) -> dict:
    return {**asdict(d), "as_of": d.as_of.isoformat()}


__all__ = ["BadgeDay", "BadgeError", "badge_days", "compute_day", "default_day", "explain_merchant",
           "explain_product", "run_badges", "stored_days"]  # fmt: skip
