"""Every validation rule, with the exact quarantine records it produces."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from guanghe.data.ingest import IngestError, ingest

FIXTURES = Path(__file__).parent / "fixtures"
VALID = FIXTURES / "valid"


def _check(got, expected):
    assert len(got) == len(expected), got
    for (name, row, field, reason), (e_name, e_row, e_field, fragment) in zip(got, expected, strict=True):
        assert (name, row, field) == (e_name, e_row, e_field), (name, row, field, reason)
        assert fragment in reason, (row, field, reason)


def test_creators_rules(wh, quarantine):
    report = ingest([FIXTURES / "rules" / "creators_rules.csv"], wh)
    f = "creators_rules.csv"
    _check(quarantine(wh), [
        (f, 3, "creator_id", "expected an integer, got 'x1'"),
        (f, 4, "creator_id", "expected an integer >= 1, got '0'"),
        (f, 5, "joined_on", "expected a date YYYY-MM-DD, got '2022-13-01'"),
        (f, 6, "joined_on", "expected a date YYYY-MM-DD, got '01/02/2022'"),
        (f, 7, "region", "expected one of north, northeast, east, south, central, southwest, northwest; "
                         "got 'mars'"),
        (f, 8, "is_ecommerce", "expected a boolean (true/false/1/0), got 'maybe'"),
        (f, 9, "joined_on", "expected a date YYYY-MM-DD, got nothing (required field)"),
        (f, 10, "mcn_id", "expected an integer >= 1, got '-5'"),
        (f, 11, "", "expected 7 comma-separated fields, got 6"),
        (f, 12, "category", "got 'FOOD'"),
        (f, 13, "creator_id", "expected an integer, got 'x'"),
        (f, 13, "joined_on", "got 'bad'"),
        (f, 13, "region", "got 'mars'"),
        (f, 14, "joined_on", "got '2022-02-29'"),
        (f, 16, "creator_id", "expected an integer, got '0x15'"),
    ])  # fmt: skip
    (fr,) = report.files
    assert (fr.rows_read, fr.loaded, fr.duplicates, fr.quarantined) == (15, 2, 0, 13)
    rows = wh.raw.sql("SELECT * FROM creators ORDER BY creator_id").fetchall()
    assert rows == [
        (10, dt.date(2022, 1, 1), "east", "food", None, True, False),
        (20, dt.date(2022, 3, 1), "east", "food", None, True, False),
    ]
    raw = wh.raw.sql("SELECT raw FROM quarantine WHERE row_number = 10").fetchall()[0][0]
    assert '"mcn_id": "-5"' in raw and '"creator_id": "16"' in raw


def test_works_rules_jsonl_timestamps_and_references(wh, quarantine):
    report = ingest([VALID / "creators.csv", FIXTURES / "rules" / "works_rules.jsonl"], wh)
    f = "works_rules.jsonl"
    _check(quarantine(wh), [
        (f, 2, "creator_id", "expected a creators.creator_id present in this load or the warehouse, "
                             "got '999'"),
        (f, 3, "published_at", "expected an ISO-8601 timestamp, got 'yesterday'"),
        (f, 5, "kind", "expected one of short_video, live, image; got 'vlog'"),
        (f, 6, "duration_s", "expected an integer, got '99999999999'"),
        (f, 7, "", "expected a JSON object, got 'not json at all'"),
        (f, 8, "", "expected a JSON object, got '[1, 2]'"),
        (f, 10, "duration_s", "expected an integer, got '3.5'"),
        (f, 11, "published_at", "got '2023-02-30T00:00:00'"),
        (f, 12, "published_at", "got nothing (required field)"),
    ])  # fmt: skip
    works = report.files[1]
    assert (works.rows_read, works.loaded, works.quarantined) == (11, 2, 9)
    rows = wh.raw.sql("SELECT work_id, published_at FROM works ORDER BY work_id").fetchall()
    assert rows == [(200, dt.datetime(2023, 1, 5, 4, 0)), (205, dt.datetime(2023, 1, 6, 8, 30))]


def test_income_rules_duplicates_and_conflicts_in_one_file(wh, quarantine):
    report = ingest([VALID / "creators.csv", FIXTURES / "rules" / "income_rules.csv"], wh)
    f = "income_rules.csv"
    _check(quarantine(wh), [
        (f, 3, "channel", "got 'lottery'"),
        (f, 4, "line", "expected one of earning, fee, clawback; got 'bonus'"),
        (f, 5, "amount_fen", "expected an integer, got '12.50'"),
        (f, 7, "income_id", "expected a text value, got nothing (required field)"),
        (f, 9, "amount_fen", "conflict: income_id=i1 appeared before at line 2 of this file "
                             "with different amount_fen"),
    ])  # fmt: skip
    income = report.files[1]
    assert (income.rows_read, income.loaded, income.duplicates, income.quarantined) == (8, 2, 1, 5)
    assert wh.raw.sql("SELECT income_id, amount_fen FROM income ORDER BY 1").fetchall() == [
        ("i1", 1500),
        ("i5", -700),  # fees and clawbacks are negative rows
    ]


def test_multiline_csv_values_keep_line_numbers(wh, quarantine):
    ingest([VALID / "creators.csv", FIXTURES / "rules" / "works_multiline.csv"], wh)
    f = "works_multiline.csv"
    _check(quarantine(wh), [
        (f, 4, "duration_s", "expected an integer >= 0, got '-10'"),
        (f, 8, "kind", "got 'blog'"),
    ])  # fmt: skip
    titles = wh.raw.sql("SELECT title FROM works ORDER BY work_id").fetchall()
    assert titles == [("two\nlines",), ("three\nwhole\nlines",)]


def test_blank_lines_and_crlf_keep_line_numbers(wh, quarantine):
    ingest([FIXTURES / "rules" / "creators_blank_lines.csv"], wh)
    assert quarantine(wh) == [
        ("creators_blank_lines.csv", 5, "region", "expected one of north, northeast, east, south, central, "
         "southwest, northwest; got 'mars'"),
    ]  # fmt: skip
    assert wh.count("creators") == 1


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("creators_unknown_column.csv", "unknown column(s) nickname for table creators"),
        ("creators_missing_column.csv", "missing required column(s) region for table creators"),
    ],
)
def test_bad_columns_reject_the_file(wh, quarantine, name, fragment):
    with pytest.raises(IngestError, match=name) as e:
        ingest([VALID / "creators.csv", FIXTURES / "rules" / name], wh)
    assert fragment in str(e.value)
    assert wh.count("creators") == 0 and wh.count("loads") == 0
