"""Finding files, mapping them to tables, and the three readers (CSV, JSON Lines, Parquet)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from guanghe.data.ingest import IngestError, discover, ingest, table_for

FIXTURES = Path(__file__).parent / "fixtures"
VALID = FIXTURES / "valid"


@pytest.mark.parametrize(
    ("path", "table"),
    [
        ("data/work_daily/2023-01.parquet", "work_daily"),
        ("x/works/creators_2023.csv", "works"),  # the folder wins over the file name
        ("exports/work_daily_2023.csv", "work_daily"),  # longest prefix: not "works"... nor "work_boost"
        ("exports/works_2023.csv", "works"),
        ("exports/creator_daily.jsonl", "creator_daily"),  # not "creators"
        ("exports/income-march.csv", "income"),
        ("exports/misc.csv", None),
    ],
)
def test_table_for(path, table):
    assert table_for(Path(path)) == table


def test_discover_walks_folders_in_load_order(tmp_path):
    names = ("b/work_daily/2023-02.parquet", "b/work_daily/2023-01.parquet", "a/works.csv", "creators.jsonl",
             "a/.hidden/creators.csv", "a/README.md", "a/deep/er/income_1.csv")  # fmt: skip
    for rel in names:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x")
    found = [(s.path.relative_to(tmp_path).as_posix(), s.table, s.format) for s in discover([tmp_path])]
    assert found == [
        ("creators.jsonl", "creators", "jsonl"),
        ("a/deep/er/income_1.csv", "income", "csv"),
        ("a/works.csv", "works", "csv"),
        ("b/work_daily/2023-01.parquet", "work_daily", "parquet"),
        ("b/work_daily/2023-02.parquet", "work_daily", "parquet"),
    ]


def test_unmapped_file_needs_table_option(tmp_path, wh):
    shutil.copy(VALID / "creators.csv", tmp_path / "people.csv")
    with pytest.raises(IngestError, match=r"people.csv: cannot tell which table"):
        ingest([tmp_path / "people.csv"], wh)
    report = ingest([tmp_path / "people.csv"], wh, table="creators")
    assert report.files[0].loaded == 3


def test_missing_path_and_unknown_table_option(tmp_path):
    with pytest.raises(IngestError, match=r"nope\.csv: no such file"):
        discover([tmp_path / "nope.csv"])
    with pytest.raises(IngestError, match="unknown table 'people'"):
        discover([tmp_path], table="people")


def test_folder_of_mixed_formats_loads_in_reference_order(tmp_path, wh, counts):
    # works.jsonl sorts before creators by name only if order were by path: load order must win.
    data = tmp_path / "data"
    shutil.copytree(VALID, data)
    report = ingest([data], wh)
    assert [f.table for f in report.files] == ["creators", "creator_daily", "works"]
    assert {t: s.loaded for t, s in report.tables().items()} == {
        "creators": 3,
        "creator_daily": 3,
        "works": 3,
    }
    assert counts(wh)["quarantine"] == 0
    row = wh.raw.sql("SELECT published_at, duration_s, fingerprint FROM works WHERE work_id = 102").fetchall()
    assert row == [(dt.datetime(2023, 1, 7, 23, 59, 59, 500000), 3600, "00ff00ff00ff00ff")]
    assert wh.raw.sql("SELECT is_ecommerce, is_local_life FROM creators WHERE creator_id = 3").fetchall() == [
        (False, True)
    ]


def _work_daily(**overrides) -> dict:
    base = {
        "work_id": pa.array([100, 101, 102], pa.int64()),
        "date": pa.array([dt.date(2023, 1, 1)] * 3, pa.date32()),
    }
    for c in ("organic_impressions", "boosted_impressions", "plays", "completed_plays", "likes", "comments",
              "shares", "follows_gained"):  # fmt: skip
        base[c] = pa.array([10, 20, 30], pa.int64())
    base.update(overrides)
    return base


def test_parquet_typed_fast_path_and_row_numbers(tmp_path, wh, quarantine):
    ingest([VALID / "creators.csv", VALID / "works.jsonl"], wh)
    folder = tmp_path / "work_daily"
    folder.mkdir()
    pq.write_table(pa.table(_work_daily(likes=pa.array([1, -2, 3], pa.int64()))), folder / "2023-01.parquet")
    report = ingest([folder], wh)
    assert quarantine(wh) == [("2023-01.parquet", 2, "likes", "expected an integer >= 0, got '-2'")]
    assert (report.files[0].loaded, report.files[0].quarantined) == (2, 1)


def test_parquet_other_types_are_converted_or_checked(tmp_path, wh, quarantine):
    ingest([VALID / "creators.csv"], wh)
    shanghai = pa.array(
        [dt.datetime(2023, 1, 5, 4, 0, tzinfo=dt.UTC)] * 3, pa.timestamp("ns", tz="Asia/Shanghai")
    )
    works = pa.table({
        "work_id": pa.array([1, 2, 3], pa.int32()),  # narrower int: cast
        "creator_id": pa.array(["1", "2", "zz"]),  # text: parsed
        "published_at": shanghai,  # zone-aware, ns: converted to naive UTC microseconds
        "kind": pa.array(["live", "live", "live"]).dictionary_encode(),
        "category": ["food", "food", "food"],
        "duration_s": pa.array([1.0, 2.5, 3.0]),  # whole floats cast, 2.5 is not an integer
    })  # fmt: skip
    pq.write_table(works, tmp_path / "works.parquet")
    ingest([tmp_path / "works.parquet"], wh)
    assert quarantine(wh) == [
        ("works.parquet", 2, "duration_s", "expected an integer, got '2.5'"),
        ("works.parquet", 3, "creator_id", "expected an integer, got 'zz'"),
    ]
    assert wh.raw.sql("SELECT work_id, published_at, duration_s FROM works").fetchall() == [
        (1, dt.datetime(2023, 1, 5, 4, 0), 1)
    ]


def test_unreadable_files_name_the_file(tmp_path, wh):
    (tmp_path / "works.parquet").write_bytes(b"PAR1 not really")
    with pytest.raises(IngestError, match=r"works.parquet: cannot read"):
        ingest([tmp_path / "works.parquet"], wh)
    (tmp_path / "creators.csv").write_bytes(b"")
    with pytest.raises(IngestError, match=r"creators.csv: line 1 is empty"):
        ingest([tmp_path / "creators.csv"], wh)
    (tmp_path / "income.jsonl").write_bytes(b'{"income_id": "\xff"}\n')
    with pytest.raises(IngestError, match=r"income.jsonl: not UTF-8"):
        ingest([tmp_path / "income.jsonl"], wh)
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(IngestError, match=r"notes.txt: unsupported file type"):
        ingest([tmp_path / "notes.txt"], wh)


def test_csv_bom_and_padded_header_and_jsonl_raw_is_the_line(tmp_path, wh):
    header = "creator_id, joined_on ,region,category,mcn_id,is_ecommerce,is_local_life"
    (tmp_path / "creators.csv").write_bytes(
        ("\ufeff" + header + "\n1,2022-01-01,east,food,,true,false\n").encode()
    )
    line = '{"work_id": 5, "creator_id": 1, "published_at": "2023-01-01T00:00:00", "kind": "live", "category": "food", "duration_s": -1}'  # noqa: E501
    (tmp_path / "works.jsonl").write_text(line + "\n")
    report = ingest([tmp_path], wh)
    assert [(f.table, f.loaded, f.quarantined) for f in report.files] == [("creators", 1, 0), ("works", 0, 1)]
    assert wh.raw.sql("SELECT row_number, field, raw FROM quarantine").fetchall() == [(1, "duration_s", line)]
