"""The trust badges of one day, in Ibis (DuckDB or PySpark): 敢比价 per product, 信任购 per merchant.

Rows come out in the columns of ``data.growth_schema.PRODUCT_BADGES`` and ``MERCHANT_BADGES``; days are
platform days (``zone``); only data dated on or before ``as_of`` counts, so a past day can be recomputed.
"""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import ibis
import ibis.expr.types as ir

from guanghe.growth.badge_rules import BPS, MerchantRule, PriceRule
from guanghe.programs.ibis_util import UTC_ZONE, day, midnight, ts_in

# Pack (day, price) in one integer so "the price of the latest row on or before d" is a plain max().
_SHIFT = 2**40
_DAY_OFFSET = 2**20


def _latest_price(prices: ibis.Table, name: str) -> ibis.Table:
    """product_id, ``name``: the price of each product's latest row of ``prices``."""
    key = (prices.date.epoch_days().cast("int64") + _DAY_OFFSET) * _SHIFT + prices.price_fen
    at = prices.group_by("product_id").aggregate(_key=key.max())
    return at.select("product_id", **{name: at._key % _SHIFT})


def _least(a: ir.IntegerColumn, b: ir.IntegerColumn) -> ir.IntegerColumn:
    """The smaller of two values, either of which may be null (null when both are)."""
    return ibis.least(a.coalesce(b), b.coalesce(a))


def window_prices(tables: dict[str, ibis.Table], as_of: date, window_days: int) -> ibis.Table:
    """product_id, merchant_id, sku_group, price_fen (on ``as_of``), low (the lowest price of the window, the
    ``window_days`` ending ``as_of``; a price holds from its row's day until the next row) of every product
    on sale by ``as_of`` (listed, with a price row)."""
    start = as_of - timedelta(days=window_days - 1)
    products = tables["products"].filter(tables["products"].listed_on <= day(as_of))
    pp = tables["product_prices"]
    prices = pp.filter(pp.date <= day(as_of))
    current = _latest_price(prices, "price_fen")
    at_start = _latest_price(prices.filter(prices.date <= day(start)), "at_start")
    inside = prices.filter(prices.date > day(start))
    inside = inside.group_by("product_id").aggregate(inside_low=inside.price_fen.min())
    t = (
        products.select("product_id", "merchant_id", "sku_group")
        .join(current, "product_id")
        .left_join(at_start, "product_id")
        .left_join(inside, "product_id")
    )
    return t.select(
        "product_id", "merchant_id", "sku_group", "price_fen", low=_least(t.at_start, t.inside_low)
    )


def price_badges(tables: dict[str, ibis.Table], as_of: date, rule: PriceRule) -> ibis.Table:
    """敢比价 as of ``as_of``: a product on sale by that day holds it when its price is at or below the lowest
    price any *other* product of its sku_group had on a day of the window (``window_prices``). The product's
    own past prices do not count; a group of one has nothing to compare with: no badge."""
    t = window_prices(tables, as_of, rule.window_days)
    # the lowest of the *other* products' lows: the group's lowest, unless this product alone holds it
    g = t.group_by("sku_group").aggregate(members=t.count(), m1=t.low.min())
    t = t.join(g, "sku_group")
    g2 = t.group_by("sku_group").aggregate(
        n1=(t.low == t.m1).cast("int64").sum(), m2=t.low.nullif(t.m1).min()
    )
    t = t.join(g2, "sku_group")
    comparable = ibis.ifelse((t.low == t.m1) & (t.n1 == 1), t.m2, t.m1)
    return t.select(
        as_of=day(as_of),
        product_id="product_id",
        merchant_id="merchant_id",
        sku_group="sku_group",
        price_fen=t.price_fen.cast("int64"),
        comparable_min_fen=comparable.cast("int64"),
        comparables=(t.members - 1).cast("int64"),
        badge=(comparable.notnull() & (t.price_fen <= comparable)).coalesce(False),
    )


def merchant_badges(
    tables: dict[str, ibis.Table], as_of: date, rule: MerchantRule, zone: ZoneInfo = UTC_ZONE
) -> ibis.Table:
    """信任购 as of ``as_of``, over the ``window_days`` ending it: orders (merchant_orders), refund requests and
    complaints made in the window (after_sales), and the refund handling: a refund request is *judged* once
    resolved by the end of ``as_of`` or open longer than ``refund_hours``, and *on time* when resolved within
    ``refund_hours``. Every rule must hold; rates are compared in integers (refunds x 10000 <= bps x orders)."""
    start = as_of - timedelta(days=rule.window_days - 1)
    products = tables["products"]
    listed = products.filter(products.listed_on <= day(as_of)).select("merchant_id")
    mo = tables["merchant_orders"]
    mo = mo.filter((mo.date >= day(start)) & (mo.date <= day(as_of)))
    orders = mo.group_by("merchant_id").aggregate(orders=mo.orders.sum())
    a = tables["after_sales"]
    a = a.filter(ts_in(a.requested_at, start, as_of, zone))
    end = midnight(as_of + timedelta(days=1), zone)
    limit = a.requested_at + ibis.interval(hours=rule.refund_hours)
    refund = a.kind == "refund"
    resolved = a.resolved_at.notnull() & (a.resolved_at < end)
    requests = a.group_by("merchant_id").aggregate(
        refunds=refund.cast("int64").sum(),
        complaints=(a.kind == "complaint").cast("int64").sum(),
        refunds_judged=(refund & (resolved | (limit <= end))).cast("int64").sum(),
        refunds_on_time=(refund & resolved & (a.resolved_at <= limit)).cast("int64").sum(),
    )
    who = ibis.union(listed, orders.select("merchant_id"), requests.select("merchant_id"), distinct=True)
    t = who.left_join(orders, "merchant_id").left_join(requests, "merchant_id")
    n = {c: t[c].coalesce(0).cast("int64") for c in ("orders", "refunds", "complaints", "refunds_judged",
                                                      "refunds_on_time")}  # fmt: skip
    enough = n["orders"] >= rule.min_orders
    refund_ok = n["refunds"] * BPS <= n["orders"] * rule.max_refund_rate_bps
    complaint_ok = n["complaints"] * BPS <= n["orders"] * rule.max_complaint_rate_bps
    handling_ok = (n["refunds_judged"] == 0) | (
        n["refunds_on_time"] * BPS >= n["refunds_judged"] * rule.min_on_time_bps
    )
    return t.select(
        as_of=day(as_of),
        merchant_id="merchant_id",
        **n,
        enough_orders=enough,
        refund_rate_ok=refund_ok,
        complaint_rate_ok=complaint_ok,
        handling_ok=handling_ok,
        badge=enough & refund_ok & complaint_ok & handling_ok,
    )
