"""What the pages serve from: the marketplace API's state (catalog, works' owners, the application database,
per-thread ledgers, the fee rule — built the same way) and the warehouse URL, opened read-only per page."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from guanghe.appdb import AppDb, open_appdb
from guanghe.config import platform_zone
from guanghe.data.warehouse import Warehouse, WarehouseError, open_warehouse
from guanghe.market.api.state import MarketState, last_day, works_owners
from guanghe.market.discovery import catalog
from guanghe.programs import ProgramError
from guanghe.web.reads import ReadCache, T
from guanghe.web.settings import WebError, WebSettings
from guanghe.web.snapshot import Snapshots


@dataclass
class WebState:
    settings: WebSettings
    market: MarketState
    cache: ReadCache = field(init=False)
    snapshots: Snapshots = field(init=False)

    def __post_init__(self) -> None:
        self.cache = ReadCache(self.settings.warehouse, self.warehouse)
        self.snapshots = Snapshots(self.settings.warehouse, self.warehouse, self.as_of, self.zone)

    @property
    def db(self) -> AppDb:
        return self.market.db

    @property
    def zone(self) -> ZoneInfo:
        return self.market.zone

    @property
    def as_of(self) -> date:
        return self.market.as_of

    @contextmanager
    def warehouse(self) -> Iterator[Warehouse]:
        """The warehouse, read-only, for one page (closed after: ingestion and settlement may write)."""
        with open_warehouse(self.settings.warehouse, read_only=True) as wh:
            yield wh

    def read(self, section: str, key: Hashable, fn: Callable[[Warehouse], T]) -> T:
        """A page section's warehouse read, ``fn(wh)``, cached per process until the warehouse changes
        (``web.reads``): ``key`` must hold every input of ``fn`` (the creator, ``as_of``...)."""
        return self.cache.read(section, key, fn)

    def close(self) -> None:
        self.market.close()
        self.market.db.close()


def build_state(settings: WebSettings) -> WebState:
    """The catalog as of the warehouse's last day (or ``as_of``), the works' owners, the open database."""
    from guanghe.money.rules_load import load_rules

    zone = platform_zone(settings.timezone)
    try:
        rules, _names = load_rules(Path(settings.channels), Path(settings.programs))
    except (ProgramError, OSError) as e:
        raise WebError(f"channel rules: {e}") from e
    try:
        with open_warehouse(settings.warehouse, read_only=True) as wh:
            as_of = date.fromisoformat(settings.as_of) if settings.as_of else last_day(wh)
            if as_of is None:
                raise WebError(f"no data in {settings.warehouse} (no creator_daily rows): ingest it first")
            kits, _models = catalog(wh, as_of, zone)
            works = works_owners(wh)
    except WarehouseError as e:
        raise WebError(str(e)) from e
    db = open_appdb(settings.db)
    market = MarketState(settings, db, wh, kits, as_of, zone, settings.ledger, rules.brand_deal, works)
    return WebState(settings, market)
