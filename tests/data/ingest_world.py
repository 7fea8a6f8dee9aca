"""Shared by the ingestion tests on both engines: a generated platform of Parquet files, and a load killed
(SIGKILL) in a child process after its fourth file, parked mid-transaction."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

FIXTURES = Path(__file__).parent / "fixtures"
VALID = FIXTURES / "valid"
COUNTS = ("organic_impressions", "boosted_impressions", "plays", "completed_plays", "likes", "comments",
          "shares", "follows_gained")  # fmt: skip


def make_platform(root: Path, creators: int, works: int, days: int, files: int) -> int:
    """Write creators.parquet, works.parquet, work_daily/<n>.parquet; return the work_daily row count."""
    rng = np.random.default_rng(7)
    root.mkdir(parents=True, exist_ok=True)
    joined = pa.array(np.full(creators, 18_000, np.int32)).view(pa.date32())
    pq.write_table(pa.table({
        "creator_id": np.arange(1, creators + 1), "joined_on": joined,
        "region": ["east"] * creators, "category": ["food"] * creators,
        "mcn_id": pa.nulls(creators, pa.int64()),
        "is_ecommerce": np.zeros(creators, bool), "is_local_life": np.zeros(creators, bool),
    }), root / "creators.parquet")  # fmt: skip
    pq.write_table(pa.table({
        "work_id": np.arange(1, works + 1), "creator_id": rng.integers(1, creators + 1, works),
        "published_at": pa.array(np.full(works, 1_672_531_200_000_000), pa.timestamp("us")),
        "kind": ["short_video"] * works, "category": ["food"] * works,
        "duration_s": pa.array(rng.integers(0, 600, works), pa.int32()),
        "title": pa.nulls(works, pa.string()), "fingerprint": pa.nulls(works, pa.string()),
    }), root / "works.parquet")  # fmt: skip
    (root / "work_daily").mkdir(exist_ok=True)
    per = days // files
    for f in range(files):
        n = works * per
        table = {
            "work_id": np.tile(np.arange(1, works + 1), per),
            "date": pa.array(
                np.repeat(np.arange(19_358 + f * per, 19_358 + (f + 1) * per, dtype=np.int32), works)
            ).view(pa.date32()),
        }
        table.update({c: rng.integers(0, 1000, n) for c in COUNTS})
        pq.write_table(pa.table(table), root / "work_daily" / f"{f:03d}.parquet")
    return works * per * files


CHILD = textwrap.dedent("""
    import sys, time
    from guanghe.data.ingest import ingest

    def on_file(report, done, total):
        print(done, report.table, flush=True)
        if done == 4:
            time.sleep(60)  # parked mid-transaction, waiting for SIGKILL

    ingest([sys.argv[1]], sys.argv[2], on_file=on_file)
""")


def kill_mid_load(data: Path, url: str) -> None:
    """Ingest ``data`` into ``url`` in a child process and SIGKILL it after its fourth file (creators, works,
    two work_daily files), while its transaction is still open."""
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(data), url],
        stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )  # fmt: skip
    try:
        assert child.stdout is not None
        lines = [child.stdout.readline().split() for _ in range(4)]
        assert [t for _, t in lines] == ["creators", "works", "work_daily", "work_daily"]
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
