"""The badges computed from a generated platform equal the generator's truth (truth/badge_*.parquet) on the
window's last day under the example rules — and naive rules (today's prices only; no handling-time rule) do
not, so the agreement is not by construction of the comparison."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from guanghe.data.warehouse.duckdb import DuckDBWarehouse
from guanghe.growth.badge_rules import MerchantRule, PriceRule, load_badge_rules
from guanghe.growth.badges import compute_day
from guanghe.programs.ibis_util import UTC_ZONE
from guanghe.synth import SynthConfig, generate

CFG = SynthConfig(creators=2_000, months=2, seed=5)
RULES = load_badge_rules()
END = CFG.end


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory):
    out: Path = tmp_path_factory.mktemp("synth-badges")
    generate(CFG, out)
    wh = DuckDBWarehouse.over_parquet(out / "data")
    yield out, wh
    wh.close()


def _computed(wh, rules=RULES) -> tuple[dict[int, bool], dict[int, bool]]:
    tables = {t: wh.table(t) for t in ("products", "product_prices", "merchant_orders", "after_sales")}
    p, m = compute_day(tables, END, rules, UTC_ZONE, wh.fetch)
    return (dict(zip(p["product_id"].to_pylist(), p["badge"].to_pylist(), strict=True)),
            dict(zip(m["merchant_id"].to_pylist(), m["badge"].to_pylist(), strict=True)))  # fmt: skip


def _truth(out: Path) -> tuple[dict[int, bool], dict[int, bool], dict[int, str]]:
    p = pq.read_table(out / "truth" / "badge_products.parquet").to_pylist()
    m = pq.read_table(out / "truth" / "badge_merchants.parquet").to_pylist()
    return ({r["product_id"]: r["price_badge"] for r in p}, {r["merchant_id"]: r["trusted"] for r in m},
            {r["merchant_id"]: r["behaviour"] for r in m})  # fmt: skip


def test_badges_equal_the_generators_truth(platform) -> None:
    out, wh = platform
    products, merchants = _computed(wh)
    true_products, true_merchants, behaviour = _truth(out)
    assert products == true_products
    assert merchants == true_merchants
    # the truth is not degenerate: both verdicts occur, every behaviour is present
    assert 0.05 < sum(products.values()) / len(products) < 0.5
    assert 0.1 < sum(merchants.values()) / len(merchants) < 0.6
    assert set(behaviour.values()) == {"small", "trusted", "refunds", "complaints", "slow"}


def test_naive_rules_disagree_with_the_truth(platform) -> None:
    out, wh = platform
    true_products, true_merchants, behaviour = _truth(out)
    m = RULES.merchant
    naive = RULES.__class__(
        PriceRule(1),  # today's prices only: a former leader's earlier low price is forgotten
        MerchantRule(
            m.window_days, m.min_orders, m.max_refund_rate_bps, m.max_complaint_rate_bps, m.refund_hours, 0
        ),  # (min_on_time_bps 0: no handling-time rule)
    )
    products, merchants = _computed(wh, naive)
    wrong_products = {k for k, v in products.items() if v != true_products[k]}
    wrong_merchants = {k for k, v in merchants.items() if v != true_merchants[k]}
    assert wrong_products and all(products[k] and not true_products[k] for k in wrong_products)
    assert wrong_merchants == {k for k, b in behaviour.items() if b == "slow"}


def test_generated_storefronts_are_consistent(platform) -> None:
    _, wh = platform
    one = lambda sql: wh.sql(sql).column(0)[0].as_py()  # noqa: E731
    assert one("SELECT count(*) FROM products p JOIN creators c ON p.merchant_id = c.creator_id "
               "WHERE NOT c.is_ecommerce OR p.listed_on < c.joined_on") == 0  # fmt: skip
    assert one("SELECT count(*) FROM merchant_orders o JOIN creators c ON o.merchant_id = c.creator_id "
               "WHERE NOT c.is_ecommerce") == 0  # fmt: skip
    # an after-sales request is about a product of its merchant, on sale on the request's day
    assert one("SELECT count(*) FROM after_sales a JOIN products p USING (product_id) WHERE "
               "p.merchant_id <> a.merchant_id OR p.listed_on > CAST(a.requested_at AS DATE)") == 0  # fmt: skip
    # every product has a price row on its listing day; outcomes exactly when resolved
    assert one("SELECT count(*) FROM products p ANTI JOIN product_prices r "
               "ON r.product_id = p.product_id AND r.date = p.listed_on") == 0  # fmt: skip
    assert one("SELECT count(*) FROM after_sales WHERE (outcome IS NULL) <> (resolved_at IS NULL)") == 0
    assert one("SELECT count(DISTINCT sku_group) FROM products") > 50
