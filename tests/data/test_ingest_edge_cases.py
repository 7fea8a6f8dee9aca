"""Edge cases of ingestion (issue 8, section 4): each one is written by the test into tmp_path and checked
against the exact outcome it must have."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from guanghe.cli import app
from guanghe.data.ingest import IngestError, ingest
from guanghe.data.warehouse.duckdb import DuckDBWarehouse

VALID = Path(__file__).parent / "fixtures" / "valid"
CREATORS_HEADER = "creator_id,joined_on,region,category,mcn_id,is_ecommerce,is_local_life\n"
runner = CliRunner()


def _creators_csv(path: Path, ids: list[str]) -> Path:
    path.write_text(CREATORS_HEADER + "".join(f"{i},2022-01-01,east,food,,true,false\n" for i in ids))
    return path


# --- integers: the whole int64 range, the same with or without a bad row beside ---------------------------

INT64_MAX, INT64_MIN = "9223372036854775807", "-9223372036854775808"
OUTSIDE = "expected an integer, got '9223372036854775808' (outside the int64 range -9223372036854775808 to "


WORKS_HEADER = "work_id,creator_id,published_at,kind,category,duration_s,title\n"


def _works_csv(path: Path, ids: list[str]) -> Path:
    rows = "".join(f"{i},42,2022-02-01T00:00:00,short_video,food,30,\n" for i in ids)
    path.write_text(WORKS_HEADER + rows)
    return path


@pytest.mark.parametrize("others", [[], ["x"], ["9223372036854775808"]], ids=["alone", "bad-row", "too-big"])
def test_int64_range_is_accepted_whether_or_not_another_row_is_bad(tmp_path, wh, quarantine, others):
    ingest([_creators_csv(tmp_path / "creators.csv", ["42"])], wh)
    ingest([_works_csv(tmp_path / "works.csv", [INT64_MAX, "0000000000000000000042", *others])], wh)
    assert [r[0] for r in wh.raw.sql("SELECT work_id FROM works ORDER BY 1").fetchall()] == [
        42,
        int(INT64_MAX),
    ]
    got = quarantine(wh)
    assert [r[:3] for r in got] == [("works.csv", 4, "work_id")] * len(others)
    if others == ["x"]:
        assert got[0][3] == "expected an integer, got 'x'"
    if others == ["9223372036854775808"]:
        assert got[0][3] == OUTSIDE + "9223372036854775807)"


def test_party_ids_keep_to_what_ledger_accounts_hold(tmp_path, wh, quarantine):
    """Creator (and agency, merchant, store, brand) ids become ledger account ids: at most 2^48 - 1."""
    ingest([_creators_csv(tmp_path / "creators.csv", ["281474976710655", "281474976710656"])], wh)
    assert [r[0] for r in wh.raw.sql("SELECT creator_id FROM creators").fetchall()] == [2**48 - 1]
    assert quarantine(wh) == [
        ("creators.csv", 3, "creator_id", "expected an integer <= 281474976710655, got '281474976710656'")
    ]


def test_int64_minimum_and_int32_overflow_reasons(tmp_path, wh, quarantine):
    ingest([VALID / "creators.csv"], wh)
    path = tmp_path / "work_daily.csv"
    header = "work_id,date,organic_impressions,boosted_impressions,plays,completed_plays,likes,comments,shares,follows_gained\n"
    path.write_text(header + f"1,2023-01-01,0,0,0,0,0,0,0,{INT64_MIN}\n")
    ingest([path], wh)  # the type's minimum parses (then fails the column's >= 0 rule)
    assert quarantine(wh) == [
        ("work_daily.csv", 2, "follows_gained", f"expected an integer >= 0, got '{INT64_MIN}'")
    ]
    works = tmp_path / "works.jsonl"
    works.write_text(json.dumps({"work_id": 5, "creator_id": 1, "published_at": "2023-01-01T00:00:00",
                                 "kind": "live", "category": "food", "duration_s": 2147483648}) + "\n")  # fmt: skip
    ingest([works], wh)
    assert quarantine(wh)[-1] == (
        "works.jsonl", 1, "duration_s",
        "expected an integer, got '2147483648' (outside the int32 range -2147483648 to 2147483647)",
    )  # fmt: skip


# --- a CSV field of megabytes ----------------------------------------------------------------------------

WORKS_HEADER = "work_id,creator_id,published_at,kind,category,duration_s,title\n"


def test_csv_field_of_two_megabytes_loads_and_keeps_line_numbers(tmp_path, wh, quarantine):
    big = "长" * 700_000 + "x" * 100  # 2.1 MB of UTF-8 in one field
    spanning = "first line\n" + "y" * (2 * 1024 * 1024) + "\nlast line"  # and one spanning 3 lines
    path = tmp_path / "works.csv"
    path.write_text(
        WORKS_HEADER
        + f"1,1,2023-01-01T00:00:00,live,food,10,{big}\n"
        + f'2,1,2023-01-01T00:00:00,live,food,10,"{spanning}"\n'
        + "3,1,2023-01-01T00:00:00,vlog,food,10,short\n"
    )
    report = ingest([VALID / "creators.csv", path], wh)
    assert (report.files[1].loaded, report.files[1].quarantined) == (2, 1)
    titles = wh.raw.sql("SELECT work_id, title FROM works ORDER BY 1").fetchall()
    assert titles == [(1, big), (2, spanning)]
    # line 1 the header, line 2 work 1, lines 3 to 5 work 2, line 6 work 3
    assert quarantine(wh) == [
        ("works.csv", 6, "kind", "expected one of short_video, live, image; got 'vlog'")
    ]


# --- timestamps and dates: strict times and offsets, plausible ranges per column ---------------------------


def _works_jsonl(path: Path, stamps: list[str]) -> Path:
    rows = [
        {
            "work_id": i,
            "creator_id": 1,
            "published_at": s,
            "kind": "live",
            "category": "food",
            "duration_s": 1,
        }
        for i, s in enumerate(stamps, 1)
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_timestamps_outside_the_clock_the_offsets_and_the_plausible_range_are_quarantined(
    tmp_path, wh, quarantine
):
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    soon, later = now + dt.timedelta(hours=1), now + dt.timedelta(days=2)
    stamps = [
        "2023-01-01T10:00:00+14:00",  # 1: the widest real offset
        "2023-01-01T10:00:00+25:00",  # 2
        "2023-01-01T24:00:00",  # 3
        "2023-01-01T10:60",  # 4
        "0000-01-01T00:00:00",  # 5: 1 BC
        "1999-12-31T23:00:00-01:00",  # 6: 2000-01-01T00:00Z, the earliest plausible
        "2000-01-01T07:59:59+08:00",  # 7: 1999-12-31T23:59:59Z
        f"{soon:%Y-%m-%dT%H:%M:%S}Z",  # 8: within now + 1 day
        f"{later:%Y-%m-%dT%H:%M:%S}Z",  # 9
        "2023-01-01T10",  # 10: an hour without minutes (Arrow alone would read it)
        "2023-01-01T10:00:00-13:45",  # 11
    ]
    ingest([VALID / "creators.csv", _works_jsonl(tmp_path / "works.jsonl", stamps)], wh)
    loaded = wh.raw.sql("SELECT work_id, published_at FROM works ORDER BY 1").fetchall()
    assert loaded == [
        (1, dt.datetime(2022, 12, 31, 20, 0)),
        (6, dt.datetime(2000, 1, 1, 0, 0)),
        (8, soon),
        (11, dt.datetime(2023, 1, 1, 23, 45)),
    ]
    got = {row: reason for _, row, field, reason in quarantine(wh)}
    ts = "expected an ISO-8601 timestamp"
    assert got[2] == f"{ts}, got '2023-01-01T10:00:00+25:00' (a UTC offset runs from -14:00 to +14:00)"
    assert got[3] == f"{ts}, got '2023-01-01T24:00:00' (a time of day runs from 00:00:00 to 23:59:59)"
    assert got[4] == f"{ts}, got '2023-01-01T10:60' (a time of day runs from 00:00:00 to 23:59:59)"
    plausible = f"{ts} from 2000-01-01T00:00:00Z to "
    for row in (5, 7, 9):
        assert got[row].startswith(plausible) and "(now + 1 day), got '" in got[row], got[row]
    assert got[9].endswith(f"got '{later:%Y-%m-%dT%H:%M:%S}Z'")
    assert got[10] == f"{ts}, got '2023-01-01T10'"
    assert sorted(got) == [2, 3, 4, 5, 7, 9, 10]


def test_dates_and_parquet_timestamps_out_of_range(tmp_path, wh, quarantine):
    path = tmp_path / "creators.csv"
    path.write_text(
        CREATORS_HEADER
        + "1,0000-01-01,east,food,,true,false\n"
        + "2,1969-12-31,east,food,,true,false\n"
        + "3,1970-01-01,east,food,,true,false\n"
    )
    ingest([path], wh)
    assert [r[0] for r in wh.raw.sql("SELECT creator_id FROM creators").fetchall()] == [3]
    joined = quarantine(wh)
    assert [r[1] for r in joined] == [2, 3]
    assert joined[0][3].startswith("expected a date YYYY-MM-DD from 1970-01-01 to ")
    assert joined[0][3].endswith("(now + 1 day), got '0000-01-01'")
    # Parquet keeps its types: year 10000 and 1 BC fit timestamp[us] and date32, not the plausible range.
    far = pa.array(
        [253_402_300_800_000_000, -62_167_219_200_000_000, 1_672_531_200_000_000], pa.timestamp("us")
    )
    pq.write_table(pa.table({
        "work_id": [1, 2, 3], "creator_id": [3, 3, 3], "published_at": far, "kind": ["live"] * 3,
        "category": ["food"] * 3, "duration_s": pa.array([1, 1, 1], pa.int32()),
    }), tmp_path / "works.parquet")  # fmt: skip
    days = pa.array([2_932_897, 10_957, 10_956], pa.int32()).view(
        pa.date32()
    )  # 10000-01-01, 2000-01-01, 1999-12-31
    counts = {c: [0, 0, 0] for c in ("organic_impressions", "boosted_impressions", "plays", "completed_plays",
                                     "likes", "comments", "shares", "follows_gained")}  # fmt: skip
    pq.write_table(pa.table({"work_id": [3, 3, 3], "date": days, **counts}), tmp_path / "work_daily.parquet")
    ingest([tmp_path / "works.parquet", tmp_path / "work_daily.parquet"], wh)
    assert wh.raw.sql("SELECT work_id FROM works").fetchall() == [(3,)]
    assert wh.raw.sql("SELECT date FROM work_daily").fetchall() == [(dt.date(2000, 1, 1),)]
    rest = [r for r in quarantine(wh) if r[0] != "creators.csv"]
    assert [(r[0], r[1], r[2]) for r in rest] == [
        ("work_daily.parquet", 1, "date"), ("work_daily.parquet", 3, "date"),
        ("works.parquet", 1, "published_at"), ("works.parquet", 2, "published_at"),
    ]  # fmt: skip
    assert rest[0][3].endswith("got '10000-01-01'") and rest[1][3].endswith("got '1999-12-31'")
    assert rest[2][3].endswith("got '10000-01-01 00:00:00.000000'")
    assert rest[3][3].endswith("got '0000-01-01 00:00:00.000000'")
    raw = wh.raw.sql(
        "SELECT raw FROM quarantine WHERE file LIKE '%works.parquet' AND row_number = 1"
    ).fetchall()
    assert json.loads(raw[0][0])["published_at"] == "10000-01-01 00:00:00.000000"


# --- Parquet types are not coerced ------------------------------------------------------------------------


def _creators_parquet(path: Path, flags: pa.Array) -> Path:
    n = len(flags)
    pq.write_table(pa.table({
        "creator_id": list(range(1, n + 1)), "joined_on": pa.array([dt.date(2022, 1, 1)] * n),
        "region": ["east"] * n, "category": ["food"] * n, "is_ecommerce": flags,
        "is_local_life": pa.array([False] * n),
    }), path)  # fmt: skip
    return path


def test_parquet_float_column_for_a_boolean_rejects_the_file(tmp_path, wh, counts):
    path = _creators_parquet(tmp_path / "creators.parquet", pa.array([2.0, 0.5, 1.0]))
    with pytest.raises(IngestError) as e:
        ingest([path], wh)
    assert str(e.value).startswith(
        f"{path}: column is_ecommerce has type double: expected bool (a boolean (true/false/1/0)) or text, "
        "integer; values are not coerced"
    )
    assert counts(wh)["creators"] == 0 and counts(wh)["loads"] == 0


def test_parquet_integer_column_for_a_boolean_takes_only_zero_and_one(tmp_path, wh, quarantine):
    ingest([_creators_parquet(tmp_path / "creators.parquet", pa.array([0, 1, 2], pa.int8()))], wh)
    assert wh.raw.sql("SELECT creator_id, is_ecommerce FROM creators ORDER BY 1").fetchall() == [
        (1, False),
        (2, True),
    ]
    assert quarantine(wh) == [
        ("creators.parquet", 3, "is_ecommerce", "expected a boolean (true/false/1/0), got '2'")
    ]


# --- JSON Lines keys and blank keys ---------------------------------------------------------------------

INCOME = '"creator_id": 1, "channel": "task", "amount_fen": 100, "occurred_at": "2023-03-01T10:00:00", "line": "earning"'


def test_jsonl_duplicated_key_quarantines_the_row(tmp_path, wh, quarantine):
    path = tmp_path / "income.jsonl"
    twice = '{"income_id": "i2", ' + INCOME + ', "amount_fen": 999}'
    path.write_text('{"income_id": "i1", ' + INCOME + "}\n" + twice + "\n")
    report = ingest([VALID / "creators.csv", path], wh)
    assert (report.files[1].loaded, report.files[1].quarantined) == (1, 1)
    assert wh.raw.sql("SELECT income_id, amount_fen FROM income").fetchall() == [("i1", 100)]
    assert quarantine(wh) == [
        ("income.jsonl", 2, "amount_fen", "duplicate key amount_fen: a key may appear once in an object")
    ]
    assert wh.raw.sql("SELECT raw FROM quarantine").fetchall() == [(twice,)]


def test_blank_text_keys_are_quarantined(tmp_path, wh, quarantine):
    path = tmp_path / "income.jsonl"
    path.write_text(
        "".join('{"income_id": ' + json.dumps(k) + ", " + INCOME + "}\n" for k in ("", "  ", "i1"))
    )
    pq.write_table(pa.table({"work_id": [1], "date": [dt.date(2023, 1, 1)], "program": [""],
                             "impressions": [5]}), tmp_path / "work_boost.parquet")  # fmt: skip
    ingest([VALID / "creators.csv", VALID / "works.jsonl", path, tmp_path / "work_boost.parquet"], wh)
    assert wh.raw.sql("SELECT income_id FROM income").fetchall() == [("i1",)]
    assert wh.count("work_boost") == 0
    blank = "expected a non-blank text value (required field), got "
    assert quarantine(wh) == [
        ("income.jsonl", 1, "income_id", blank + "''"),
        ("income.jsonl", 2, "income_id", blank + "'  '"),
        ("work_boost.parquet", 1, "program", blank + "''"),
    ]


# --- files without rows ---------------------------------------------------------------------------------


def test_files_without_rows_say_no_rows(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "creators.csv").write_text(CREATORS_HEADER)
    (folder / "works.jsonl").write_text("\n\n")
    _creators_parquet(folder / "creators.parquet", pa.array([], pa.bool_()))
    result = runner.invoke(app, ["ingest", str(folder), "-w", f"duckdb:///{tmp_path / 'wh.duckdb'}"])
    assert result.exit_code == 1
    assert "nothing loaded: no rows in creators.csv, creators.parquet, works.jsonl" in (result.stderr)
    assert "quarantined" not in result.stderr


# --- synth's folder ingests as it is ---------------------------------------------------------------------


def test_synth_folder_ingests_without_its_truth(tmp_path):
    out = tmp_path / "D"
    made = runner.invoke(app, ["synth", "--creators", "60", "--months", "1", "--out", str(out)])
    assert made.exit_code == 0, made.output
    assert (out / "truth" / "creators.parquet").exists()
    url = f"duckdb:///{tmp_path / 'wh.duckdb'}"
    result = runner.invoke(app, ["ingest", str(out), "-w", url, "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert not any("truth" in f["path"] for f in report["files"])
    assert (
        report["tables"]["creators"]["loaded"]
        == pq.read_metadata(out / "data" / "creators" / "creators.parquet").num_rows
    )
    assert report["totals"]["quarantined"] == 0
    truth = runner.invoke(app, ["ingest", str(out / "truth"), "-w", url])
    assert truth.exit_code == 2
    assert (
        "truth: this folder is marked as not data by its .guanghe-not-data file: the ground truth"
        in truth.stderr
    )


# --- a failed load leaves no warehouse behind ----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("works.parquet", b"garbage", "works.parquet: cannot read the file"),  # fails the header check
        ("works.jsonl", b'{"work_id": 1, "nickname": "x"}\n', "unknown column(s) nickname"),  # fails mid-load
    ],
)
def test_failed_load_creates_no_warehouse_and_keeps_an_existing_one(tmp_path, name, content, message):
    bad = tmp_path / name
    bad.write_bytes(content)
    db = tmp_path / "wh.duckdb"
    result = runner.invoke(app, ["ingest", str(VALID / "creators.csv"), str(bad), "-w", f"duckdb:///{db}"])
    assert result.exit_code == 2 and message in result.stderr and "Nothing was written" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]
    with pytest.raises(IngestError):
        ingest([VALID / "creators.csv", bad], f"duckdb:///{db}")
    assert not db.exists()
    assert ingest([VALID / "creators.csv"], f"duckdb:///{db}").total("loaded") == 3
    with pytest.raises(IngestError):
        ingest([VALID / "works.jsonl", bad], f"duckdb:///{db}")
    assert db.exists()
    wh = DuckDBWarehouse(str(db))
    assert (wh.count("creators"), wh.count("works")) == (3, 0)
    wh.close()
