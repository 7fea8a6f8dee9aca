"""compute(): prior year, previous period, YoY/PoP arithmetic; data_range; the catalog's shape."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from guanghe.data.schema import CHANNELS
from guanghe.metrics import CATALOG, MetricError, compute, data_range, evaluate, get, parse_period
from guanghe.metrics.compute import change

DOCS = Path(__file__).parents[2] / "docs" / "metrics.md"


def by_name(values) -> dict:
    return {v.name: v for v in values}


def test_yoy_and_pop_arithmetic(tables) -> None:
    # The data spans 2022-03-01 (c5's first work) .. 2024-02-29: 2023-Q3 and both its comparisons are covered.
    v = by_name(compute(tables, parse_period("2023-Q3")))
    w = v["works_published"]
    # 2023-Q3: c1 07-10, 08-10 + c4 07-01 00:00 = 3; prior 2022-Q3: c1 3 + c2 3 = 6; previous 2023-Q2: c1 3,
    # c2 3, c3 3, c4 06-30 23:59:59 1 = 10
    assert (w.value, w.prior_value, w.previous_value) == (3, 6, 10)
    assert w.yoy == pytest.approx(3 / 6 - 1)  # -50%
    assert w.pop == pytest.approx(3 / 10 - 1)  # -70%
    assert (w.prior_period.label, w.previous_period.label) == ("2022-Q3", "2023-Q2")
    assert not (w.period.partial or w.prior_period.partial or w.previous_period.partial)
    inc = v["income_total_fen"]
    # 2023-Q3 no income; prior 2022-Q3: c1 task 500; previous 2023-Q2: c2 400 + 600, c3 250, c6 100 = 1350
    assert (inc.value, inc.prior_value, inc.previous_value, inc.yoy) == (0, 500, 1350, -1.0)
    assert inc.pop == pytest.approx(0 / 1350 - 1)
    streak = v["creators_12_months"]
    # window 2022-10..2023-09: c1 stops after 2023-08 -> 0; prior window 2021-10..2022-09 -> 0 -> YoY None
    assert (streak.value, streak.prior_value, streak.yoy) == (0, 0, None)
    share = v["first_time_earner_share_task"]
    assert share.value is None and share.prior_value == 1.0  # c1's task 500 was its first-ever income


def test_comparison_windows_before_the_data_are_no_data(tables) -> None:
    # 2023-H1's prior year 2022-H1 starts 2022-01-01, before the data (2022-03-01): its value is "no data"
    # (None), not the 1 work / 800 fen of the two months it does hold, and YoY is None.
    v = by_name(compute(tables, parse_period("2023-H1")))
    w, inc = v["works_published"], v["income_total_fen"]
    assert (w.value, w.prior_value, w.yoy, w.previous_value) == (16, None, None, 12)
    assert w.pop == pytest.approx(16 / 12 - 1)
    assert (inc.value, inc.prior_value, inc.yoy, inc.previous_value) == (7650, None, None, 1200)
    assert all(x.prior_value is None and x.yoy is None for x in v.values())  # counts, fen and shares alike
    prior = w.prior_period
    assert (prior.partial, prior.covered_start, prior.covered_end) == (
        True,
        date(2022, 3, 1),
        date(2022, 6, 30),
    )
    assert not w.period.partial
    # A prior year that starts on the data's first day is covered: 2023-03 vs 2022-03 (c5's 2022-03-01).
    m = by_name(compute(tables, "2023-03-01..2023-03-31", ["works_published"]))["works_published"]
    assert (m.value, m.prior_value, m.yoy) == (1, 1, 0.0)  # c1 2023-03-10; c2 skipped March
    # One day earlier, it is not.
    m = by_name(compute(tables, "2023-02-28..2023-03-31", ["works_published"]))["works_published"]
    assert (m.value, m.prior_value, m.yoy) == (2, None, None)
    # The previous period too: 2022-03's previous month starts before the data.
    m = by_name(compute(tables, "2022-03", ["works_published"]))["works_published"]
    assert (m.value, m.previous_value, m.pop, m.previous_period.partial) == (1, None, None, True)


def test_explicit_partial_period_is_marked(tables) -> None:
    # 2024 asks for days after the data's end (2024-02-29): computed, but marked partial with its coverage.
    w = by_name(compute(tables, "2024", ["works_published"]))["works_published"]
    assert w.value == 1  # c5 2024-02-29
    assert (w.period.partial, w.period.covered_start, w.period.covered_end) == (
        True, date(2024, 1, 1), date(2024, 2, 29),
    )  # fmt: skip
    assert (w.period.data_start, w.period.data_end) == (date(2022, 3, 1), date(2024, 2, 29))
    assert w.to_dict()["period"]["partial"] is True
    assert not compute(tables, "2023", ["works_published"])[0].period.partial


def test_leap_day_prior_year_and_previous_day(tables) -> None:
    w = by_name(compute(tables, "2024-02-29..2024-02-29", ["works_published"]))["works_published"]
    # prior year clamps to 2023-02-28 (c5 posted that day too): 1 vs 1 -> 0.0; previous day 02-28: 0 -> None
    assert (w.prior_period.start, w.value, w.prior_value, w.yoy) == (date(2023, 2, 28), 1, 1, 0.0)
    assert (w.previous_period.start, w.previous_value, w.pop) == (date(2024, 2, 28), 0, None)


def test_change() -> None:
    assert change(115, 100) == pytest.approx(0.15)
    assert change(5, 0) is None
    assert change(None, 3) is None
    assert change(0.5, None) is None


def test_data_range_and_default_period(tables) -> None:
    # The data's span is that of works: c5's first work 2022-03-01 .. its work on 2024-02-29 (c5's opening
    # follower row of 2021-01-01 is a snapshot, not data of 2021).
    assert data_range(tables) == (date(2022, 3, 1), date(2024, 2, 29))
    values = compute(tables)  # last-12m = 2023-03-01..2024-02-29
    assert values[0].period.start == date(2023, 3, 1) and values[0].period.end == date(2024, 2, 29)
    # works in it: c1 Mar-Aug 6, c2 Apr-Jun 3, c3 3, c4 2, c5 2024-02-29 1 = 15
    assert by_name(values)["works_published"].value == 15
    assert len(values) == len(CATALOG)


def test_evaluate_by_name_and_unknown_metric(tables) -> None:
    assert evaluate("active_creators", tables, parse_period("2023-H1")) == 5
    with pytest.raises(MetricError, match="unknown metric 'nope'"):
        compute(tables, "2023", ["nope"])


def test_json_shape(tables) -> None:
    d = compute(tables, "2023-Q2", ["works_published"])[0].to_dict()
    assert json.loads(json.dumps(d))["period"] == {
        "label": "2023-Q2", "start": "2023-04-01", "end": "2023-06-30", "timezone": "UTC", "partial": False,
        "covered_start": "2023-04-01", "covered_end": "2023-06-30", "data_start": "2022-03-01",
        "data_end": "2024-02-29",
    }  # fmt: skip


def test_catalog_lists_the_shared_definitions_once() -> None:
    names = [m.name for m in get()]
    assert len(names) == len(set(names))
    core = {
        "works_published", "active_creators", "active_creators_10k", "creators_12_months", "income_total_fen",
        "creators_with_income", "creators_multi_income", "support_impressions", "creators_supported",
        "supported_follower_gain",
    }  # fmt: skip
    assert core <= set(names)
    for c in CHANNELS:
        assert f"income_{c}_fen" in names and f"first_time_earner_share_{c}" in names
    assert all(m.label and m.definition and m.formula and m.unit in ("count", "fen", "share") for m in get())


def test_docs_cover_every_metric() -> None:
    text = DOCS.read_text(encoding="utf-8")
    missing = [
        m.name for m in get() if m.name not in text and not m.name.startswith(("income_", "first_time"))
    ]
    assert not missing
    assert "income_<channel>_fen" in text and "first_time_earner_share_<channel>" in text
