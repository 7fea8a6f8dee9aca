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
    v = by_name(compute(tables, parse_period("2023-H1")))
    w = v["works_published"]
    # 2023-H1 16 works; prior year 2022-H1: c5's 2022-03-01 = 1; previous 2022-H2: 12
    assert (w.value, w.prior_value, w.previous_value) == (16, 1, 12)
    assert w.yoy == pytest.approx(16 / 1 - 1)  # +1500%
    assert w.pop == pytest.approx(16 / 12 - 1)  # +33.3%
    assert (w.prior_period.label, w.previous_period.label) == ("2022-H1", "2022-H2")
    inc = v["income_total_fen"]
    # 7650 vs prior 800 (c5 incentive) and previous 1200 (c1 task 500 + c6 700)
    assert (inc.value, inc.prior_value, inc.previous_value) == (7650, 800, 1200)
    assert inc.yoy == pytest.approx(7650 / 800 - 1)  # 8.5625
    assert inc.pop == pytest.approx(7650 / 1200 - 1)  # 5.375
    streak = v["creators_12_months"]
    assert (streak.value, streak.prior_value, streak.yoy, streak.pop) == (1, 0, None, None)  # prior 0 -> None
    assert v["income_incentive_fen"].yoy == -1.0  # 0 vs 800
    share = v["first_time_earner_share_brand_deal"]
    assert share.prior_value is None and share.yoy is None  # no brand_deal earners in 2022-H1


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
    # earliest: c5's opening follower row 2021-01-01; latest: c5's work and follower row on 2024-02-29
    assert data_range(tables) == (date(2021, 1, 1), date(2024, 2, 29))
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
        "label": "2023-Q2",
        "start": "2023-04-01",
        "end": "2023-06-30",
    }


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
