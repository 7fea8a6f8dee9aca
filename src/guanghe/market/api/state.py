"""What the app serves from: the application database, and the catalog computed once at startup."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from guanghe.appdb import AppDb
from guanghe.data.warehouse import Warehouse
from guanghe.market.api.problems import Problem
from guanghe.market.discovery import SearchFilters, search
from guanghe.market.matching import Pool


def last_day(wh: Warehouse) -> date | None:
    """The warehouse's last platform day: the latest ``creator_daily`` date (None without rows)."""
    t = wh.table("creator_daily")
    return wh.fetch(t.aggregate(last=t.date.max())).column("last")[0].as_py()


@dataclass
class MarketState:
    """The catalog (``discovery.catalog`` as of ``as_of``) and the open application database.

    ``rate_cards``: deliverable → {creator_id: price_fen}; empty until rate cards are stored (a later part):
    every price is then the suggested one."""

    settings: object
    db: AppDb
    wh: Warehouse  # closed after the catalog is built: searches run on the cached catalog only
    kits: pa.Table
    as_of: date
    zone: ZoneInfo
    rate_cards: Mapping[str, Mapping[int, int]] = field(default_factory=dict)
    _row: dict[int, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._row = {int(c): i for i, c in enumerate(self.kits.column("creator_id").to_pylist())}

    def rates(self, deliverable: str) -> Mapping[int, int] | None:
        return self.rate_cards.get(deliverable) or None

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
