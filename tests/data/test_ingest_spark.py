"""Ingestion into the Spark warehouse (a folder of Parquet tables with a manifest): one invocation is one commit.
A crash mid-load leaves the last commit, a failed first load leaves no folder, a rerun loads each row once.
Ingest needs no Spark job (the writer and the reference checks read the files with PyArrow), so these tests
start no JVM; rows are counted from the manifest's files."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest
from ingest_world import VALID, kill_mid_load, make_platform

from guanghe.data.ingest import IngestError, ingest
from guanghe.data.warehouse import manifest


def stored_rows(root: Path) -> dict[str, int]:
    """Rows per table in the folder's committed state."""
    state = manifest.current(root)
    return {
        t: sum(pq.ParquetFile(root / f).metadata.num_rows for f in files) for t, files in state.tables.items()
    }


def test_sigkill_mid_load_leaves_the_last_commit(tmp_path) -> None:
    rows = make_platform(tmp_path / "data", creators=200, works=5_000, days=24, files=6)
    root = tmp_path / "wh"
    url = f"spark:///{root}"
    ingest([tmp_path / "data" / "creators.parquet"], url)
    before = stored_rows(root)
    assert before["creators"] == 200 and before["works"] == 0
    kill_mid_load(tmp_path / "data", url)
    assert stored_rows(root) == before  # the staged files are there, but no manifest names them
    report = ingest([tmp_path / "data"], url)
    assert report.total("loaded") == 5_000 + rows and report.total("duplicates") == 200
    after = stored_rows(root)
    assert (after["creators"], after["works"], after["work_daily"]) == (200, 5_000, rows)
    assert ingest([tmp_path / "data"], url).total("loaded") == 0
    assert stored_rows(root)["work_daily"] == rows and stored_rows(root)["loads"] == after["loads"] + 8


def test_a_failed_first_load_leaves_no_folder_and_references_see_the_same_load(tmp_path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    for name in ("creators.csv", "creator_daily_2023.csv", "works.jsonl"):
        (data / name).write_bytes((VALID / name).read_bytes())
    (data / "works.jsonl").write_text((VALID / "works.jsonl").read_text() + '{"work_id": 9, "views": 3}\n')
    with pytest.raises(IngestError, match=r"unknown column\(s\) views"):
        ingest([data], f"spark:///{tmp_path / 'wh'}")
    assert not (tmp_path / "wh").exists()
    (data / "works.jsonl").write_bytes((VALID / "works.jsonl").read_bytes())
    report = ingest([data], f"spark:///{tmp_path / 'wh'}")  # works reference creators of this same load
    stored = stored_rows(tmp_path / "wh")
    assert report.total("quarantined") == 0 and stored["quarantine"] == 0
    assert report.total("loaded") == stored["creators"] + stored["creator_daily"] + stored["works"] > 0
