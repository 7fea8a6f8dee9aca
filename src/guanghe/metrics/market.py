"""Marketplace (磁力聚星) metrics: active advertisers, orders and GMV of the completed brand orders.

``brand_orders`` holds one row per completed brand deal; an order belongs to the platform day (the platform's
time zone) of its ``completed_at``, the same day rule as every timestamp of the catalog.
"""

from __future__ import annotations

import ibis

from guanghe.metrics.catalog import Metric, Source, Tables, each_period, register
from guanghe.metrics.followers import in_days
from guanghe.metrics.period import Period


def _orders(tables: Tables, p: Period) -> ibis.Table:
    o = tables["brand_orders"]
    return o.filter(in_days(o.completed_at, p)).select("brand_id", "price_fen")


ORDERS = Source("orders", "brand_orders completed in the period (brand_id, price_fen).", each_period(_orders))

register(
    Metric(
        "market_advertisers", "磁力聚星活跃广告主数",
        "Active advertisers of the brand marketplace: distinct brands with at least one order completed in "
        "the period (platform day of brand_orders.completed_at).",
        "count", "count(distinct brand_orders.brand_id where date(completed_at) in P)",
        ORDERS, lambda t: t.brand_id.nunique(),
    ),
    Metric(
        "market_orders", "磁力聚星订单数",
        "Brand orders (商单) of the marketplace completed in the period.",
        "count", "count(brand_orders where date(completed_at) in P)",
        ORDERS, lambda t: t.count(),
    ),
    Metric(
        "market_gmv_fen", "磁力聚星成交额",
        "Marketplace GMV: sum of price_fen of the brand orders completed in the period (what brands pay "
        "creators, before the platform's fee).",
        "fen", "sum(brand_orders.price_fen where date(completed_at) in P)",
        ORDERS, lambda t: t.price_fen.sum(),
    ),
)  # fmt: skip
