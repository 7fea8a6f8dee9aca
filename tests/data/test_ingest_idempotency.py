"""Loading the same or overlapping files again never double-counts; conflicts are quarantined, not written."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from guanghe.data.ingest import ingest

FIXTURES = Path(__file__).parent / "fixtures"
VALID = FIXTURES / "valid"


def test_same_files_twice(wh, counts):
    first = ingest([VALID], wh)
    before = counts(wh)
    second = ingest([VALID], wh)
    after = counts(wh)
    assert {k: v for k, v in after.items() if k != "loads"} == {
        k: v for k, v in before.items() if k != "loads"
    }
    assert after["loads"] == before["loads"] + 3  # one row per (load, file)
    assert first.total("loaded") == 9 and second.total("loaded") == 0
    assert second.total("duplicates") == 9 and second.ok
    loads = wh.raw.sql(
        "SELECT rows_read, rows_loaded, rows_duplicate, rows_quarantined FROM loads "
        "WHERE load_id = ? ORDER BY file",
        params=[second.load_id],
    ).fetchall()
    assert loads == [(3, 0, 3, 0), (3, 0, 3, 0), (3, 0, 3, 0)]


def test_bad_file_twice_does_not_duplicate_quarantine(wh, counts):
    path = FIXTURES / "rules" / "creators_rules.csv"
    ingest([path], wh)
    q = counts(wh)["quarantine"]
    again = ingest([path], wh)
    assert counts(wh)["quarantine"] == q == 15
    assert again.files[0].quarantined == 13 and again.files[0].duplicates == 2


def test_overlapping_files_in_one_load_first_occurrence_wins(tmp_path, wh, quarantine):
    shutil.copy(VALID / "creators.csv", tmp_path / "creators.csv")
    shutil.copy(FIXTURES / "update" / "creators_update.csv", tmp_path / "creators_update.csv")
    report = ingest([tmp_path / "creators_update.csv", tmp_path / "creators.csv"], wh)  # loaded by path order
    assert [Path(f.path).name for f in report.files] == ["creators.csv", "creators_update.csv"]
    update = report.files[1]
    assert (update.rows_read, update.loaded, update.duplicates, update.quarantined) == (4, 2, 1, 1)
    ((name, row, field, reason),) = quarantine(wh)
    assert (name, row, field) == ("creators_update.csv", 3, "region,is_local_life")
    assert "creator_id=2 is already loaded with different region, is_local_life" in reason
    assert f"existing row from {tmp_path / 'creators.csv'} line 3" in reason
    assert wh.raw.sql("SELECT region FROM creators WHERE creator_id = 2").fetchall() == [("north",)]
    assert wh.count("creators") == 5


def test_conflict_with_an_earlier_load(wh, quarantine):
    ingest([VALID / "creators.csv"], wh)
    report = ingest([FIXTURES / "update" / "creators_update.csv"], wh)
    assert report.files[0].loaded == 2 and report.files[0].duplicates == 1
    ((_, row, _, reason),) = quarantine(wh)
    assert row == 3 and "(existing row from an earlier load)" in reason


def test_references_to_rows_already_in_the_warehouse(tmp_path, wh):
    ingest([VALID / "creators.csv"], wh)
    report = ingest([VALID / "works.jsonl", VALID / "creator_daily_2023.csv"], wh)
    assert report.total("loaded") == 6 and report.total("quarantined") == 0


def test_renamed_copy_is_all_duplicates(tmp_path, wh, counts):
    ingest([VALID / "creators.csv"], wh)
    shutil.copy(VALID / "creators.csv", tmp_path / "creators_copy.csv")
    report = ingest([tmp_path / "creators_copy.csv"], wh)
    assert report.files[0].duplicates == 3 and counts(wh)["creators"] == 3


def test_overlapping_parquet_months_name_the_earlier_row(tmp_path, wh, quarantine):
    ingest([VALID / "creators.csv", VALID / "works.jsonl"], wh)
    folder = tmp_path / "work_daily"
    folder.mkdir()
    counts = ("organic_impressions", "boosted_impressions", "plays", "completed_plays", "likes", "comments",
              "shares", "follows_gained")  # fmt: skip

    def day(work_ids: list[int], likes: list[int]) -> pa.Table:
        n = len(work_ids)
        cols = {"work_id": pa.array(work_ids, pa.int64()), "date": pa.array([dt.date(2023, 1, 31)] * n)}
        cols |= {c: pa.array(likes if c == "likes" else [1] * n, pa.int64()) for c in counts}
        return pa.table(cols)

    pq.write_table(day([100, 101], [5, 6]), folder / "2023-01a.parquet")
    pq.write_table(day([101, 102, 100], [6, 7, 9]), folder / "2023-01b.parquet")
    report = ingest([folder], wh)
    assert [(f.loaded, f.duplicates, f.quarantined) for f in report.files] == [(2, 0, 0), (1, 1, 1)]
    ((name, row, field, reason),) = quarantine(wh)
    assert (name, row, field) == ("2023-01b.parquet", 3, "likes")
    assert f"(existing row from {folder / '2023-01a.parquet'} row 1)" in reason
