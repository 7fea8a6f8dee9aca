"""One invocation is one transaction: an error or a crash mid-load leaves the warehouse exactly as it was."""

from __future__ import annotations

import pytest
from ingest_world import VALID, kill_mid_load, make_platform

from guanghe.data.ingest import IngestError, ingest
from guanghe.data.warehouse.duckdb import DuckDBWarehouse


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


def test_sigkill_mid_load_leaves_warehouse_unchanged(tmp_path, counts):
    rows = make_platform(tmp_path / "data", creators=500, works=20_000, days=30, files=6)
    db = tmp_path / "wh.duckdb"
    wh = DuckDBWarehouse(str(db))
    ingest([tmp_path / "data" / "creators.parquet"], wh)
    before = counts(wh)
    wh.close()

    kill_mid_load(tmp_path / "data", f"duckdb:///{db}")

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
