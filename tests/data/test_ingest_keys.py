"""The key checks' fast paths (dense key ranges, strictly increasing keys) agree with the general ones."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from guanghe.data.ingest.keys import missing_references, repeats

small_ints = st.lists(st.integers(min_value=-3, max_value=12), max_size=30)


@settings(max_examples=150, deadline=None)
@given(values=small_ints, keys=st.sets(st.integers(min_value=0, max_value=10), max_size=11))
def test_missing_references_matches_sets(values, keys):
    got = missing_references(
        pa.chunked_array([pa.array(values, pa.int64())]), pa.array(sorted(keys), pa.int64())
    )
    assert got.tolist() == [i for i, v in enumerate(values) if v not in keys]


def test_dense_keys_still_catch_values_outside_and_nulls_are_skipped():
    keys = pa.array(np.arange(1, 101), pa.int64())  # dense: 1..100
    values = pa.chunked_array([pa.array([5, None, 0, 100, 101], pa.int64())])
    assert missing_references(values, keys).tolist() == [2, 4]


@settings(max_examples=150, deadline=None)
@given(pairs=st.lists(st.tuples(st.integers(0, 4), st.integers(0, 3), st.integers(0, 1)), max_size=25))
def test_repeats_matches_first_occurrence(pairs):
    rows = pa.table({
        "work_id": pa.array([p[0] for p in pairs], pa.int64()),
        "date": pa.array([dt.date(2023, 1, 1 + p[1]) for p in pairs], pa.date32()),
        "likes": pa.array([p[2] for p in pairs], pa.int64()),
    })  # fmt: skip
    got = repeats(rows, ("work_id", "date"), ("work_id", "date", "likes")).to_pylist()
    first: dict[tuple[int, int], int] = {}
    expected = []
    for i, (w, d, likes) in enumerate(pairs):
        if (w, d) in first:
            f = first[(w, d)]
            expected.append({"p": i, "first": f, "diff": "" if pairs[f][2] == likes else "likes"})
        else:
            first[(w, d)] = i
    assert got == expected


def test_sorted_keys_in_either_column_order_have_no_repeats():
    by_date = pa.table(
        {"work_id": [1, 2, 1, 2], "date": pa.array([dt.date(2023, 1, d) for d in (1, 1, 2, 2)])}
    )
    assert repeats(by_date, ("work_id", "date"), ("work_id", "date")).num_rows == 0
    twice = pa.table({"work_id": [1, 2, 2], "date": pa.array([dt.date(2023, 1, 1)] * 3)})
    assert repeats(twice, ("work_id", "date"), ("work_id", "date")).to_pylist() == [
        {"p": 2, "first": 1, "diff": ""}
    ]
