"""Ground truth written beside the data: per-creator traits and true response curves, the parameters, and each
creator's earnings by (channel, month, line) as the money rules give them for the generated events."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from guanghe.data.ingest import mark_not_data
from guanghe.data.tiers import TIERS
from guanghe.synth.arrow import strings
from guanghe.synth.config import SynthConfig
from guanghe.synth.earnings import Earnings
from guanghe.synth.population import Population

TRUTH_SCHEMA = pa.schema(
    [
        pa.field("creator_id", pa.int64(), nullable=False),
        pa.field("tier_at_start", pa.string(), nullable=False),
        pa.field("followers_at_start", pa.int64(), nullable=False),
        pa.field("quality", pa.float64(), nullable=False),
        pa.field("follow_rate", pa.float64(), nullable=False),  # organic follows per organic impression
        pa.field("theta", pa.float64(), nullable=False),
        pa.field("s", pa.float64(), nullable=False),
        pa.field("posting_rate", pa.float64(), nullable=False),
        pa.field("monetisation", pa.float64(), nullable=False),
    ]
)


def true_follows(theta: np.ndarray, s: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Expected follows from x boosted impressions on one work-day: theta * s * ln(1 + x / s)."""
    return theta * s * np.log1p(x / s)


def truth_table(cfg: SynthConfig, pop: Population) -> pa.Table:
    tier = np.select([pop.followers0 >= low for _, low in TIERS], list(range(len(TIERS))), len(TIERS) - 1)
    return pa.Table.from_arrays(
        [
            pa.array(pop.creator_id),
            strings(tuple(name for name, _ in TIERS), tier),
            pa.array(pop.followers0),
            pa.array(pop.quality),
            pa.array(pop.quality * pop.follow_rate * cfg.follow_scale),
            pa.array(pop.theta),
            pa.array(pop.s),
            pa.array(pop.posting_rate),
            pa.array(pop.monetisation),
        ],
        schema=TRUTH_SCHEMA,
    )


def write_truth(cfg: SynthConfig, pop: Population, out_dir: Path) -> None:
    folder = Path(out_dir) / "truth"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "earnings.parquet").unlink(missing_ok=True)  # written last (write_earnings): never a stale one
    (folder / "reuploads.parquet").unlink(missing_ok=True)  # written last too (synth.reuploads)
    pq.write_table(truth_table(cfg, pop), folder / "creators.parquet")
    (folder / "params.json").write_text(cfg.to_json() + "\n")
    mark_not_data(
        folder, "the ground truth of a synthetic platform (`guanghe synth`); its data is in ../data/"
    )


def write_badge_truth(tables: dict[str, pa.Table], out_dir: Path) -> None:
    """``truth/badge_products.parquet`` and ``truth/badge_merchants.parquet`` (``commerce.Commerce.truth``)."""
    for name, table in tables.items():
        pq.write_table(table, Path(out_dir) / "truth" / f"{name}.parquet")


def write_earnings(earnings: Earnings, out_dir: Path) -> int:
    """``truth/earnings.parquet``; returns its number of rows."""
    table = earnings.table()
    pq.write_table(table, Path(out_dir) / "truth" / "earnings.parquet", compression="zstd")
    return table.num_rows
