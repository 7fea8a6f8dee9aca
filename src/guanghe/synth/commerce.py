"""Storefronts of the e-commerce creators (小店): products in groups of comparable goods, their prices, the
daily orders and the after-sales requests — the inputs of the trust badges 敢比价 and 信任购 (growth/badges).

Both badges' truth on the window's last day, under the example rules (examples/growth/badges.toml: 30-day
windows, at least 30 orders, refund rate <= 5%, complaint rate <= 1%, 90% of refunds handled within 48 h), is
built in by construction: each group of comparable products has a *leader* whose price always stays below the
others' price band (it holds 敢比价), or a *former leader* that raised its price above the band during the last
30 days (then nobody holds it); each merchant behaves as one class (small: too few orders to be judged;
trusted; too many refunds; too many complaints; slow refunds) with margins no random draw can cross.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from guanghe.data.growth_schema import AFTER_SALES_KINDS, AFTER_SALES_OUTCOMES
from guanghe.data.schema import TABLES
from guanghe.synth.arrow import dates, optional_timestamps, strings, timestamps
from guanghe.synth.config import DAY_US, Month, SynthConfig
from guanghe.synth.population import Population

COMMERCE_TABLES = ("products", "product_prices", "merchant_orders", "after_sales")
CLASSES = ("small", "trusted", "refunds", "complaints", "slow")
ROLES = ("other", "leader", "former_leader")
TRUTH_WINDOW_DAYS = 30  # the example rules' price and merchant windows
HOUR_US = 3_600_000_000
_SPAWN = 4_000  # this module's random streams: SeedSequence(seed, spawn_key=(4000, i))


@dataclass(frozen=True)
class CommerceParams:
    storefront_share: float = (
        0.5  # e-commerce creators with a storefront of their own (the others only distribute)
    )
    products: float = 2.5  # products per merchant: 1 + Poisson
    group_sizes: tuple[int, int] = (2, 6)  # products per sku_group, uniform
    price_median_fen: float = 5_000.0  # a group's base price B: lognormal
    price_sigma: float = 0.8
    change_days: float = 20.0  # mean days between a product's price changes
    leader_share: float = 0.5  # groups with a leader; the others have a former leader
    leader_band: tuple[float, float] = (0.85, 1.0)  # x B, rounded down: always <= B
    other_band: tuple[float, float] = (1.05, 1.5)  # x B, rounded up
    raised_band: tuple[float, float] = (1.55, 2.0)  # a former leader after its raise
    class_p: tuple[float, ...] = (0.4, 0.36, 0.08, 0.08, 0.08)  # CLASSES
    small_p: float = 0.4  # a small merchant: one order on a day with this probability, else none
    base_orders: int = 5  # the others: base + Poisson(extra) orders every day, extra lognormal
    extra_median: float = 2.0
    extra_sigma: float = 1.0
    refund_bps: tuple[int, ...] = (300, 200, 1_200, 200, 200)  # requests per order, by class
    complaint_bps: tuple[int, ...] = (50, 20, 20, 400, 20)
    handled_hours: tuple[float, float] = (1.0, 40.0)  # refund handling time, uniform
    slow_hours: tuple[float, float] = (60.0, 120.0)  # ... of the slow class
    complaint_hours: tuple[float, float] = (1.0, 72.0)
    approved: float = 0.85  # P(a resolved request is approved)


def _uniform(rng: np.random.Generator, band: tuple[float, float], n: int) -> np.ndarray:
    return band[0] + (band[1] - band[0]) * rng.random(n)


class Commerce:
    """The storefronts' latent state (drawn once from their own stream) and each month's rows."""

    def __init__(self, cfg: SynthConfig, pop: Population, params: CommerceParams | None = None) -> None:
        self.cfg, self.p = cfg, params or CommerceParams()
        p = self.p
        self.seeds = [np.random.SeedSequence(cfg.seed, spawn_key=(_SPAWN, i)) for i in range(cfg.months + 1)]
        rng = np.random.default_rng(self.seeds[0])
        window = cfg.window()
        self.last = window[-1].last_day
        first = window[0].first_day
        opens = np.maximum(pop.join_day.astype(np.int64), first)
        store = rng.random(pop.size) < p.storefront_share
        keep = pop.is_ecommerce & store & (opens <= self.last - 1)  # the first product is listed on opening
        self.merchant = pop.creator_id[keep]
        self.opened = opens[keep]
        m = len(self.merchant)
        cls = rng.choice(len(CLASSES), m, p=np.array(p.class_p))
        late = self.opened > self.last - (TRUTH_WINDOW_DAYS - 1)  # open less than a whole window: few orders
        self.cls = np.where(late, 0, cls).astype(np.int8)
        self.extra = p.extra_median * np.exp(p.extra_sigma * rng.standard_normal(m))
        self.cum_orders = np.zeros(m, np.int64)

        # products: a merchant's first on its opening day, the others any day before the window's last
        count = 1 + rng.poisson(p.products, m)
        self.first_product = np.concatenate([[0], np.cumsum(count)[:-1]])
        self.count = count
        owner = np.repeat(np.arange(m), count)
        n = len(owner)
        self.owner = owner
        span = self.last - 1 - self.opened[owner]
        listed = self.opened[owner] + np.floor(rng.random(n) * (span + 1)).astype(np.int64)
        listed[self.first_product] = self.opened
        self.listed = listed

        # sku groups: the products shuffled and cut into groups of 2..6
        order = rng.permutation(n)
        sizes = rng.integers(p.group_sizes[0], p.group_sizes[1] + 1, max(1, n // 2 + 1))
        cuts = np.cumsum(sizes)
        cuts = cuts[cuts < n]
        if len(cuts) and n - cuts[-1] < p.group_sizes[0]:
            cuts = cuts[:-1]  # a last group too small joins the one before
        group_of = np.zeros(n, np.int64)
        group_of[order] = np.searchsorted(cuts, np.arange(n), side="right")
        self.group = group_of
        groups = int(group_of.max()) + 1 if n else 0
        self.base = np.maximum(
            100.0, p.price_median_fen * np.exp(p.price_sigma * rng.standard_normal(groups))
        )
        starts = np.concatenate([[0], cuts])
        pick = starts + np.floor(rng.random(groups) * np.diff(np.concatenate([starts, [n]]))).astype(np.int64)
        role = np.zeros(n, np.int8)
        role[order[pick]] = np.where(rng.random(groups) < p.leader_share, 1, 2)
        self.role = role
        # a former leader raises its price once, after the first day of the last window it was on sale
        lo = np.maximum(listed, self.last - (TRUTH_WINDOW_DAYS - 1)) + 1
        self.raise_day = np.where(
            role == 2, lo + np.floor(rng.random(n) * (self.last - lo + 1)).astype(np.int64), -1
        )
        self.next_request = 1

    @property
    def end_us(self) -> int:
        return (self.last + 1) * DAY_US

    # --- one month -----------------------------------------------------------------------------------------
    def month(self, month: Month) -> dict[str, pa.Table]:
        rng = np.random.default_rng(self.seeds[1 + month.index])
        orders, refunds, complaints = self._orders(month, rng)
        return {
            "products": self._products(month),
            "product_prices": self._prices(month, rng),
            "merchant_orders": orders,
            "after_sales": self._after_sales(month, refunds, complaints, rng),
        }

    def _products(self, month: Month) -> pa.Table:
        idx = np.flatnonzero((self.listed >= month.first_day) & (self.listed <= month.last_day))
        group = pa.array(self.group[idx]).cast(pa.string())
        sku = pc.binary_join_element_wise("sku-", group, "")
        merchant = self.merchant[self.owner[idx]]
        title = pc.binary_join_element_wise(sku, pa.array(merchant).cast(pa.string()), " · merchant ")
        return pa.Table.from_arrays(
            [pa.array(idx + 1), pa.array(merchant), sku, title, dates(self.listed[idx])],
            schema=TABLES["products"].arrow_schema(),
        )

    def _prices(self, month: Month, rng: np.random.Generator) -> pa.Table:
        first, last = month.first_day, month.last_day
        listing = np.flatnonzero((self.listed >= first) & (self.listed <= last))
        on_sale = np.flatnonzero(self.listed < last)
        lo = np.maximum(self.listed[on_sale] + 1, first)
        days = last - lo + 1
        k = rng.poisson(days / self.p.change_days)
        changed = np.repeat(on_sale, k)
        change_day = np.repeat(lo, k) + np.floor(rng.random(len(changed)) * np.repeat(days, k)).astype(
            np.int64
        )
        raised = np.flatnonzero((self.raise_day >= first) & (self.raise_day <= last))
        pid = np.concatenate([listing, changed, raised])
        day = np.concatenate([self.listed[listing], change_day, self.raise_day[raised]])
        key = np.unique(pid * 64 + (day - first))  # one row per (product, day), sorted
        pid, day = key // 64, key % 64 + first
        role, b = self.role[pid], self.base[self.group[pid]]
        high = (role == 2) & (day >= self.raise_day[pid])
        u = rng.random(len(pid))
        p = self.p
        price = np.where(
            (role == 1) | ((role == 2) & ~high),
            np.floor(b * (p.leader_band[0] + (p.leader_band[1] - p.leader_band[0]) * u)),
            np.ceil(b * np.where(high, p.raised_band[0] + (p.raised_band[1] - p.raised_band[0]) * u,
                                 p.other_band[0] + (p.other_band[1] - p.other_band[0]) * u)),
        ).astype(np.int64)  # fmt: skip
        return pa.Table.from_arrays(
            [pa.array(pid + 1), dates(day), pa.array(price)], schema=TABLES["product_prices"].arrow_schema()
        )

    def _orders(self, month: Month, rng: np.random.Generator) -> tuple[pa.Table, np.ndarray, np.ndarray]:
        """merchant_orders, and the refund and complaint requests per (merchant, day of the month): every
        request rate is applied to the running order count (the k-th request comes with order ~k / rate), so a
        window's requests are within one of rate x its orders."""
        p, first = self.p, month.first_day
        m = len(self.merchant)
        day = first + np.arange(month.days)
        n = np.zeros((m, month.days), np.int64)
        small = self.cls == 0
        n[small] = rng.random((int(small.sum()), month.days)) < p.small_p
        big = np.flatnonzero(~small)
        n[big] = p.base_orders + rng.poisson(np.repeat(self.extra[big], month.days).reshape(-1, month.days))
        n[day[None, :] < self.opened[:, None]] = 0
        cum = self.cum_orders[:, None] + np.cumsum(n, axis=1)
        before = cum - n
        refund_bps = np.array(p.refund_bps, np.int64)[self.cls][:, None]
        complaint_bps = np.array(p.complaint_bps, np.int64)[self.cls][:, None]
        refunds = cum * refund_bps // 10_000 - before * refund_bps // 10_000
        complaints = cum * complaint_bps // 10_000 - before * complaint_bps // 10_000
        self.cum_orders = cum[:, -1].copy() if month.days else self.cum_orders
        mi, di = np.nonzero(n)
        table = pa.Table.from_arrays(
            [pa.array(self.merchant[mi]), dates(day[di]), pa.array(n[mi, di])],
            schema=TABLES["merchant_orders"].arrow_schema(),
        )
        return table, refunds, complaints

    def _after_sales(
        self, month: Month, refunds: np.ndarray, complaints: np.ndarray, rng: np.random.Generator
    ) -> pa.Table:
        p = self.p
        parts = []
        for kind, counts in enumerate((refunds, complaints)):
            mi, di = np.nonzero(counts)
            reps = counts[mi, di]
            parts.append((np.full(reps.sum(), kind, np.int8), np.repeat(mi, reps), np.repeat(di, reps)))
        kind = np.concatenate([x[0] for x in parts])
        mi = np.concatenate([x[1] for x in parts])
        day = month.first_day + np.concatenate([x[2] for x in parts]).astype(np.int64)
        n = len(kind)
        requested = day * DAY_US + np.floor(rng.random(n) * DAY_US).astype(np.int64)
        slow = (kind == 0) & (self.cls[mi] == CLASSES.index("slow"))
        hours = np.where(
            kind == 1,
            _uniform(rng, p.complaint_hours, n),
            np.where(slow, _uniform(rng, p.slow_hours, n), _uniform(rng, p.handled_hours, n)),
        )
        resolved = requested + np.floor(hours * HOUR_US).astype(np.int64)
        resolved = np.where(resolved < self.end_us, resolved, -1)
        outcome = (rng.random(n) >= p.approved).astype(np.int8)
        product = self.first_product[mi] + np.floor(rng.random(n) * self.count[mi]).astype(np.int64)
        product = np.where(self.listed[product] <= day, product, self.first_product[mi])
        order = np.argsort(requested, kind="stable")
        kind, mi, requested, resolved, outcome, product = (
            x[order] for x in (kind, mi, requested, resolved, outcome, product)
        )
        ids = np.arange(self.next_request, self.next_request + n, dtype=np.int64)
        self.next_request += n
        outcomes = strings(AFTER_SALES_OUTCOMES, outcome)
        return pa.Table.from_arrays(
            [
                pa.array(ids),
                pa.array(self.merchant[mi]),
                pa.array(product + 1),
                strings(AFTER_SALES_KINDS, kind),
                timestamps(requested),
                optional_timestamps(resolved),
                pc.if_else(pa.array(resolved < 0), pa.scalar(None, pa.string()), outcomes),
            ],
            schema=TABLES["after_sales"].arrow_schema(),
        )

    # --- truth ---------------------------------------------------------------------------------------------
    def truth(self) -> dict[str, pa.Table]:
        """On the window's last day under the example rules: which products hold 敢比价 (the leaders) and
        which merchants hold 信任购 (the trusted class)."""
        sku = pc.binary_join_element_wise("sku-", pa.array(self.group).cast(pa.string()), "")
        products = pa.table(
            {
                "product_id": pa.array(np.arange(1, len(self.owner) + 1, dtype=np.int64)),
                "sku_group": sku,
                "role": strings(ROLES, self.role),
                "price_badge": pa.array(self.role == 1),
            }
        )
        merchants = pa.table(
            {
                "merchant_id": pa.array(self.merchant),
                "opened_on": dates(self.opened),
                "behaviour": strings(CLASSES, self.cls),
                "trusted": pa.array(self.cls == CLASSES.index("trusted")),
            }
        )
        return {"badge_products": products, "badge_merchants": merchants}
