"""Benchmark of discovery (guanghe.market): media kits for every creator, price guidance, random searches.

    python benchmarks/bench_discovery.py [--creators 50000] [--months 24] [--seed 7] [--searches 100]
                                         [--zone Asia/Shanghai] [--repeat 3] [--keep DIR]

Untimed: a synthetic platform (guanghe.synth.generate) in a temporary folder, ingested into a DuckDB file.
Timed, as of the window's last day: ``media_kits`` for all creators (``--repeat`` runs, median reported),
``catalog`` (media kits + the reach fit, which computes kits as of 60 days before too, + the price fit), and
``--searches`` searches with random filters (seeded), reporting the median and p95 per search in ms.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

from guanghe.data.ingest.load import ingest
from guanghe.data.schema import CATEGORIES, REGIONS
from guanghe.data.warehouse.duckdb import DuckDBWarehouse
from guanghe.market.discovery import TIER_NAMES, SearchFilters, catalog, search
from guanghe.market.media_kit import media_kits
from guanghe.synth import SynthConfig, generate


def random_filters(rng: np.random.Generator, programs: list[str]) -> SearchFilters:
    def some(values, p: float) -> tuple[str, ...]:
        if rng.random() >= p:
            return ()
        return tuple(rng.choice(values, size=int(rng.integers(1, 4)), replace=False).tolist())

    low = int(10 ** rng.uniform(2, 5)) if rng.random() < 0.5 else None
    return SearchFilters(
        categories=some(list(CATEGORIES), 0.6),
        tiers=some(list(TIER_NAMES), 0.3),
        regions=some(list(REGIONS), 0.4),
        min_followers=low,
        max_followers=low * 100 if low is not None and rng.random() < 0.5 else None,
        min_engagement_rate=float(rng.uniform(0, 0.06)) if rng.random() < 0.4 else None,
        min_completion_rate=float(rng.uniform(0, 0.2)) if rng.random() < 0.4 else None,
        max_price_fen=int(10 ** rng.uniform(4, 7)) if rng.random() < 0.5 else None,
        programs=some(programs, 0.2),
        deliverable="live_mention" if rng.random() < 0.2 else "short_video",
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--creators", type=int, default=50_000)
    ap.add_argument("--months", type=int, default=24)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--searches", type=int, default=100)
    ap.add_argument("--zone", default="Asia/Shanghai")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--keep", type=Path, help="reuse (or create) the platform and warehouse in this folder")
    args = ap.parse_args()
    zone = ZoneInfo(args.zone)
    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp)
        db = root / "wh.duckdb"
        cfg = SynthConfig(creators=args.creators, months=args.months, seed=args.seed)
        if not db.exists():
            t = time.perf_counter()
            generate(cfg, root / "synth")
            wh = DuckDBWarehouse(str(db))
            ingest([root / "synth" / "data"], wh)
            wh.close()
            print(f"setup (untimed): synth + ingest {time.perf_counter() - t:.1f} s")
        as_of: date = cfg.end
        wh = DuckDBWarehouse(str(db), read_only=True)
        try:
            kit_s = []
            for _ in range(args.repeat):
                t = time.perf_counter()
                kits = media_kits(wh, None, as_of, zone)
                kit_s.append(time.perf_counter() - t)
            print(f"media kits, {kits.num_rows:,} creators as of {as_of} ({args.zone}): "
                  f"median {statistics.median(kit_s):.2f} s ({', '.join(f'{s:.2f}' for s in kit_s)})")  # fmt: skip
            t = time.perf_counter()
            cat, models = catalog(wh, as_of, zone)
            print(f"catalog (kits + reach fit + price fit): {time.perf_counter() - t:.2f} s")
            print(f"  {models.reach}\n  {models.prices}")
            programs = sorted(str(p) for p in wh.keys("work_boost", "program").to_pylist())
            rng = np.random.default_rng(args.seed)
            ms, totals = [], []
            rates = {int(c): int(p) for c, p in zip(cat.column("creator_id").to_numpy()[::10],
                                                    cat.column("suggested_fen").to_numpy()[::10] * 2, strict=True)}  # fmt: skip
            for i in range(args.searches):
                f = random_filters(rng, programs)
                t = time.perf_counter()
                page = search(
                    wh, cat, f, rates if i % 2 else None, limit=20, offset=int(rng.integers(0, 3)) * 20
                )
                ms.append((time.perf_counter() - t) * 1000)
                totals.append(page.total)
            print(f"{args.searches} searches (half with rate cards for 10 % of creators): "
                  f"median {statistics.median(ms):.2f} ms, p95 {np.percentile(ms, 95):.2f} ms, "
                  f"max {max(ms):.2f} ms; matches median {statistics.median(totals):,.0f}")  # fmt: skip
        finally:
            wh.close()


if __name__ == "__main__":
    main()
