"""What the app serves from: the application database, the ledger (one connection per worker thread), the
brand_deal fee rule, and what is computed once at startup from the warehouse: the catalog and the works'
owners (a sorted array of work ids and their creators: a delivery is checked against it, never against the
warehouse, which the app does not keep open — works ingested after startup are seen after a restart)."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from guanghe.appdb import AppDb
from guanghe.data.warehouse import Warehouse
from guanghe.ledger import LedgerStore, open_ledger
from guanghe.market.api.problems import Problem
from guanghe.market.discovery import SearchFilters, search
from guanghe.market.matching import Pool
from guanghe.market.order_types import Market
from guanghe.market.rates import rates_of
from guanghe.money.rules import BrandDealRule


def last_day(wh: Warehouse) -> date | None:
    """The warehouse's last platform day: the latest ``creator_daily`` date (None without rows)."""
    t = wh.table("creator_daily")
    return wh.fetch(t.aggregate(last=t.date.max())).column("last")[0].as_py()


def works_owners(wh: Warehouse) -> tuple[np.ndarray, np.ndarray]:
    """(work ids ascending, their creator ids): the warehouse's ``works`` table, read once."""
    t = wh.fetch(wh.table("works").select("work_id", "creator_id").order_by("work_id"))
    return (
        t.column("work_id").to_numpy().astype(np.int64),
        t.column("creator_id").to_numpy().astype(np.int64),
    )


@dataclass
class MarketState:
    """The catalog (``discovery.catalog`` as of ``as_of``), the works' owners, the open application database,
    the ledger URL (opened lazily, one store per thread: a store is one connection) and the fee rule.

    Prices: a creator's stored rate card (``rates.rates_of``, read per request), else the suggested one."""

    settings: object
    db: AppDb
    wh: Warehouse  # closed after the catalog is built: searches run on the cached catalog only
    kits: pa.Table
    as_of: date
    zone: ZoneInfo
    ledger_url: str = ""
    fees: BrandDealRule | None = None
    works: tuple[np.ndarray, np.ndarray] = field(
        default_factory=lambda: (np.zeros(0, np.int64), np.zeros(0, np.int64))
    )
    _row: dict[int, int] = field(default_factory=dict, repr=False)
    _local: threading.local = field(default_factory=threading.local, repr=False)
    _ledgers: list[LedgerStore] = field(default_factory=list, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        self._row = {int(c): i for i, c in enumerate(self.kits.column("creator_id").to_pylist())}

    def rates(self, deliverable: str) -> Mapping[int, int] | None:
        """creator id → its rate card's price for ``deliverable`` (None when no creator has one)."""
        found = {c: d[deliverable] for c, d in rates_of(self.db, None).items() if deliverable in d}
        return found or None

    def work_owner(self, work_id: int) -> int | None:
        """The creator of a work (the ``works`` table as of startup), None when there is no such work."""
        ids, owners = self.works
        i = int(np.searchsorted(ids, work_id))
        return int(owners[i]) if i < ids.size and ids[i] == work_id else None

    def ledger(self) -> LedgerStore:
        """This thread's ledger store (opened on first use; it must exist: ``guanghe ledger init``)."""
        store = getattr(self._local, "ledger", None)
        if store is None:
            store = self._local.ledger = open_ledger(self.ledger_url)
            with self._lock:
                self._ledgers.append(store)
        return store

    def market(self) -> Market:
        """The order use cases' ``Market`` for this thread."""
        if self.fees is None:
            raise Problem(503, "the app has no brand_deal fee rule: orders are unavailable")
        return Market(self.db, self.ledger(), self.fees, self.zone)

    def close(self) -> None:
        with self._lock:
            for store in self._ledgers:
                store.close()
            self._ledgers.clear()

    def kit(self, creator_id: int) -> dict | None:
        """One creator's catalog row (kit + guidance), or None."""
        i = self._row.get(creator_id)
        return None if i is None else self.kits.slice(i, 1).to_pylist()[0]

    def pool(
        self, filters: SearchFilters, objective: str, must: list[int], exclude: list[int]
    ) -> tuple[Pool, pa.Table]:
        """The matching pool: the creators ``filters`` finds (search order) plus the must-include ones, with
        the search's price (rate card, else suggested) and value = expected reach (or reach × engagement rate
        for ``engagement``). Unknown ids, or one both included and excluded, are 422 naming the field."""
        for name, ids in (("must_include", must), ("exclude", exclude)):
            for k, c in enumerate(ids):
                if c not in self._row:
                    raise Problem(422, f"{name}[{k}]: no creator {c}", f"{name}[{k}]")
        if both := sorted(set(must) & set(exclude)):
            raise Problem(422, f"exclude: creator {both[0]} is also in must_include", "exclude")
        everyone = SearchFilters(deliverable=filters.deliverable)
        rates, n = self.rates(filters.deliverable), self.kits.num_rows
        rows = search(self.wh, self.kits, everyone, rates, limit=n).rows
        found = search(self.wh, self.kits, filters, rates, limit=n).rows.column("creator_id")
        ids = rows.column("creator_id")
        wanted = pa.array(sorted(set(found.to_pylist()) | set(must)), pa.int64())
        rows = rows.filter(pc.is_in(ids, wanted))
        return pool_of(rows, objective, must, exclude), rows


def pool_of(rows: pa.Table, objective: str, must: list[int], exclude: list[int]) -> Pool:
    """A ``Pool`` from search rows (``price_fen``, ``reach``, ``engagement_rate``, ``mcn_id``)."""
    ids = rows.column("creator_id").to_numpy()
    value = np.nan_to_num(rows.column("reach").to_numpy(zero_copy_only=False).astype(np.float64), nan=0.0)
    if objective == "engagement":
        rate = rows.column("engagement_rate").to_numpy(zero_copy_only=False).astype(np.float64)
        value = value * np.nan_to_num(rate, nan=0.0)
    mcn = pc.fill_null(rows.column("mcn_id"), 0).to_numpy()
    return Pool(
        ids, mcn, rows.column("price_fen").to_numpy(), value, np.isin(ids, must), np.isin(ids, exclude)
    )
