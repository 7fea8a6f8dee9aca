"""Benchmark of the trust badges: what the storefronts add to the synthetic generator, and one day's badges.

    python benchmarks/bench_badges.py [--creators 50000] [--months 24] [--repeat 3]

1. the storefront generator (``synth/commerce.py``: latent state, every month's four tables, their Parquet
   encoding as the writer does it) beside the whole ``generate()`` of the same platform (which includes it);
2. one day's badges (each Ibis expression, fetched) over the generated Parquet files (DuckDB views), beside a
   naive 敢比价 that compares every pair of products of a group (a self-join) instead of the group's two lowest
   prices — it must give the same badges.

Medians over ``--repeat`` runs are printed last, as JSON.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import pyarrow.parquet as pq


def _commerce_seconds(cfg) -> tuple[float, int]:
    from guanghe.synth import population
    from guanghe.synth.commerce import Commerce

    pop = population.build(cfg, cfg.seeds()[0])
    t0 = time.perf_counter()
    c = Commerce(cfg, pop)
    c.truth()
    rows = 0
    for month in cfg.window():
        for table in c.month(month).values():
            pq.write_table(table, io.BytesIO(), compression="zstd", compression_level=1)
            rows += table.num_rows
    return time.perf_counter() - t0, rows


def _naive_price(tables, as_of, window_days):
    """敢比价 by comparing each product with every other product of its group (a self-join)."""
    import ibis

    from guanghe.growth.badge_compute import window_prices

    t = window_prices(tables, as_of, window_days)
    o = t.select(o_group=t.sku_group, o_product=t.product_id, o_low=t.low)
    pairs = t.join(o, (t.sku_group == o.o_group) & (t.product_id != o.o_product))
    m = pairs.group_by("product_id").aggregate(price=pairs.price_fen.max(), cmp=pairs.o_low.min())
    return m.select("product_id", badge=ibis.ifelse(m.price <= m.cmp, True, False))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--creators", type=int, default=50_000)
    ap.add_argument("--months", type=int, default=24)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    from guanghe.data.warehouse.duckdb import DuckDBWarehouse
    from guanghe.growth.badge_compute import merchant_badges, price_badges
    from guanghe.growth.badge_rules import load_badge_rules
    from guanghe.synth import SynthConfig, generate

    cfg = SynthConfig(creators=args.creators, months=args.months)
    rules = load_badge_rules()
    commerce, rows = [], 0
    _commerce_seconds(SynthConfig(creators=500, months=1))  # warm-up: imports, first Arrow conversions
    for _ in range(args.repeat):
        s, rows = _commerce_seconds(cfg)
        commerce.append(s)
    with tempfile.TemporaryDirectory(prefix="guanghe-bench-badges-") as tmp:
        summary = generate(cfg, Path(tmp))
        wh = DuckDBWarehouse.over_parquet(Path(tmp) / "data")
        tables = {t: wh.table(t) for t in ("products", "product_prices", "merchant_orders", "after_sales")}
        as_of = cfg.end
        ours, merchants, naive, same = [], [], [], True
        wh.fetch(price_badges(tables, as_of, rules.price))  # warm-up
        wh.fetch(_naive_price(tables, as_of, rules.price.window_days))
        for i in range(args.repeat):
            day = as_of - timedelta(days=i)
            t0 = time.perf_counter()
            p = wh.fetch(price_badges(tables, day, rules.price))
            t1 = time.perf_counter()
            n = wh.fetch(_naive_price(tables, day, rules.price.window_days))
            t2 = time.perf_counter()
            wh.fetch(merchant_badges(tables, day, rules.merchant))
            merchants.append(time.perf_counter() - t2)
            ours.append(t1 - t0)
            naive.append(t2 - t1)
            mine = {r["product_id"]: r["badge"] for r in p.to_pylist() if r["comparables"]}
            same &= mine == {r["product_id"]: r["badge"] for r in n.to_pylist()}
        wh.close()
    out = {
        "creators": args.creators,
        "months": args.months,
        "storefront_rows": rows,
        "storefront_seconds": round(statistics.median(commerce), 3),
        "generate_seconds_with_storefronts": summary["seconds"],
        "price_badges_seconds": round(statistics.median(ours), 3),
        "merchant_badges_seconds": round(statistics.median(merchants), 3),
        "naive_price_pairs_seconds": round(statistics.median(naive), 3),
        "naive_agrees": same,
        "products": summary["rows"]["products"],
    }
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
