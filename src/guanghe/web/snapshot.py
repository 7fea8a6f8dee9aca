"""Every creator's heaviest page sections — the overview's series, the level explanation, income by month and
channel, statements (creators' and MCNs') — read for ALL
creators in one pass (a few queries whatever the number of creators) and kept in memory while the warehouse
files are unchanged, so a creator's first page view is a lookup, not a scan of the platform's tables.

The snapshot is built in a background thread: at start, and again after any warehouse write (its identity,
``web.reads.identity``, changed). Until it is ready — or when the warehouse's engine gives no stamp (memory)
— pages read their sections for the one creator directly (``web.reads``), the same functions over one
creator's rows, so both paths give the same page (``tests/web/test_web_snapshot.py``). A build reads through
one read-only connection held for its duration (seconds at the demo's scale): a writer process waits for
that, as for any page read. A snapshot whose warehouse changed while it was built is discarded."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Hashable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from guanghe.data.warehouse import Warehouse
from guanghe.web.by_creator import ByCreator
from guanghe.web.reads import identity
from guanghe.web.views import creator_data, growth

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Snapshot:
    """The sections of every creator as of ``as_of``, valid for the warehouse files' ``identity``."""

    identity: Hashable
    overview: creator_data.OverviewRows
    levels: growth.LevelRows | None
    income: ByCreator  # income by creator, month and channel (12 months)
    statements: dict[str, ByCreator]  # payee kind (creator, mcn) -> statements by payee

    def creator_overview(self, creator_id: int) -> tuple[dict[str, Any], dict[str, Any] | None]:
        """(overview, level) of one creator: what ``/creator/`` shows."""
        return creator_data.overview_of(self.overview, creator_id), growth.level_of(self.levels, creator_id)

    def creator_income(self, creator_id: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """(income, statements) of one creator: what ``/creator/income`` shows."""
        return creator_data.income_of(self.income, creator_id), self.statements_of("creator", creator_id)

    def income_totals(self, creator_ids: tuple[int, ...]) -> dict[int, int]:
        return creator_data.totals_of(self.income, creator_ids)

    def statements_of(self, kind: str, payee_id: int) -> list[dict[str, Any]]:
        return creator_data.statements_of(self.statements[kind], payee_id)


def build_snapshot(wh: Warehouse, ident: Hashable, as_of: date, zone: ZoneInfo) -> Snapshot:
    return Snapshot(ident, creator_data.overview_rows(wh, as_of), growth.level_rows(wh, as_of, zone),
                    creator_data.income_rows(wh, as_of),
                    {kind: creator_data.statement_rows(wh, kind) for kind in ("creator", "mcn")})  # fmt: skip


class Snapshots:
    """The current snapshot, if built for the warehouse as it is now; starts a (re)build otherwise."""

    def __init__(self, url: str, opener: Callable[[], AbstractContextManager[Warehouse]], as_of: date,
                 zone: ZoneInfo) -> None:  # fmt: skip
        self.url, self.opener, self.as_of, self.zone = url, opener, as_of, zone
        self._snapshot: Snapshot | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.enabled = True  # False: pages always read directly (the benchmark's baseline)
        self.builds = 0  # snapshots built and kept
        self.error: str | None = None  # the last build's failure (pages then read directly)

    def current(self) -> Snapshot | None:
        """The snapshot of the warehouse as it is now, or None (a build is started if none runs)."""
        ident = identity(self.url) if self.enabled else None
        if ident is None:
            return None
        snap = self._snapshot
        if snap is not None and snap.identity == ident:
            return snap
        self.start()
        return None

    def start(self) -> None:
        """Build a snapshot in the background (no-op while one is being built or without a stamp)."""
        if identity(self.url) is None:
            return
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return
            self._thread = threading.Thread(target=self._build, name="guanghe-web-snapshot", daemon=True)
            self._thread.start()

    def wait(self, timeout: float | None = None) -> Snapshot | None:
        """Wait for a running build (benchmarks, tests); the current snapshot after it."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        return self.current()

    def _build(self) -> None:
        ident = identity(self.url)
        try:
            with self.opener() as wh:
                snap = build_snapshot(wh, ident, self.as_of, self.zone)  # type: ignore[arg-type]
        except Exception as e:  # a failed build leaves the pages on the direct path, never down
            self.error = f"{type(e).__name__}: {e}"
            log.warning("web snapshot not built: %s", self.error)
            return
        if identity(self.url) == ident:  # written meanwhile: the rows may mix old and new; don't keep them
            self._snapshot, self.error = snap, None
            self.builds += 1
