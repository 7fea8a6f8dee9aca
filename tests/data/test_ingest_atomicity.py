"""One invocation is one transaction: an error or a crash mid-load leaves the warehouse exactly as it was."""

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
import pytest

from guanghe.data.ingest import IngestError, ingest
from guanghe.data.warehouse.duckdb import DuckDBWarehouse

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


def test_exception_mid_load_rolls_back(tmp_path, wh, counts):
    ingest([VALID / "creators.csv"], wh)
    before = counts(wh)

    def boom(report, done, total):
        if done == 2:
            raise RuntimeError("injected")

    with pytest.raises(RuntimeError, match="injected"):
        ingest([VALID], wh, on_file=boom)
    assert counts(wh) == before
    assert ingest([VALID], wh).total("loaded") == 6  # and it still works afterwards


def test_unreadable_file_found_mid_load_writes_nothing(tmp_path, wh, counts):
    data = tmp_path / "data"
    data.mkdir()
    for name in ("creators.csv", "creator_daily_2023.csv", "works.jsonl"):
        (data / name).write_bytes((VALID / name).read_bytes())
    (data / "works.jsonl").write_text((VALID / "works.jsonl").read_text() + '{"work_id": 9, "views": 3}\n')
    with pytest.raises(IngestError, match=r"works.jsonl: unknown column\(s\) views for table works"):
        ingest([data], wh)
    assert set(counts(wh).values()) == {0}


CHILD = textwrap.dedent("""
    import sys, time
    from guanghe.data.ingest import ingest

    def on_file(report, done, total):
        print(done, report.table, flush=True)
        if done == 4:
            time.sleep(60)  # parked mid-transaction, waiting for SIGKILL

    ingest([sys.argv[1]], sys.argv[2], on_file=on_file)
""")


def test_sigkill_mid_load_leaves_warehouse_unchanged(tmp_path, counts):
    rows = make_platform(tmp_path / "data", creators=500, works=20_000, days=30, files=6)
    db = tmp_path / "wh.duckdb"
    wh = DuckDBWarehouse(str(db))
    ingest([tmp_path / "data" / "creators.parquet"], wh)
    before = counts(wh)
    wh.close()

    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(tmp_path / "data"), f"duckdb:///{db}"],
        stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )  # fmt: skip
    try:
        lines = [child.stdout.readline().split() for _ in range(4)]
        assert [t for _, t in lines] == ["creators", "works", "work_daily", "work_daily"]
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL

    wh = DuckDBWarehouse(str(db))
    try:
        assert counts(wh) == before
        report = ingest([tmp_path / "data"], wh)
        assert report.total("loaded") == 20_000 + rows and report.total("duplicates") == 500
        after = counts(wh)
        assert (after["creators"], after["works"], after["work_daily"]) == (500, 20_000, rows)
        assert ingest([tmp_path / "data"], wh).total("loaded") == 0
        assert counts(wh)["work_daily"] == rows
    finally:
        wh.close()
