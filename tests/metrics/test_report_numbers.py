"""Chinese units and round axis ticks: the report's one formatter, against hand-computed answers."""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from guanghe.metrics.report.numbers import cn, nice_axis, nice_step, percent, yuan

UNIT_LABEL = re.compile(r"^-?[\d,]+(\.\d+)?(万亿|亿|万|%)?$")


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (17_300_000, "1730万"),  # was "1.73e+03万"
        (31_800_000, "3180万"),  # was "3.18e+03万"
        (7_775, "7,775"),
        (15_500, "1.55万"),
        (10_000, "1万"),
        (9_999.6, "1万"),  # rounds up into the next unit, not "10,000"
        (99_996_000, "1亿"),  # not "10000万"
        (123_456_789, "1.23亿"),
        (1.2e12, "1.2万亿"),
        (0, "0"),
        (12.345, "12.3"),
        (0.000123, "0.000123"),
        (-15_500, "-1.55万"),
    ],
)
def test_cn_uses_chinese_units_and_never_scientific_notation(value, text):
    assert cn(value) == text


def test_money_and_percent():
    assert yuan(1_234_567_800) == "¥1235万"
    assert yuan(60_130_800) == "¥60.1万"
    assert percent(0.1234) == "12.3%"
    assert percent(0.0) == "0%"
    assert percent(0.000004) == "<0.1%"  # a tiny head-tier share is not "0%"


@pytest.mark.parametrize(
    ("rough", "step"), [(0.7, 1), (1, 1), (1.2, 2), (2, 2), (3, 5), (7, 10), (1_234, 2_000), (0.0031, 0.005)]
)
def test_nice_step_is_1_2_or_5_times_a_power_of_ten(rough, step):
    assert nice_step(rough) == pytest.approx(step)


@pytest.mark.parametrize(
    ("high", "labels"),
    [
        (7_775, ("0", "2,000", "4,000", "6,000", "8,000")),
        # one unit on the whole axis: never "7,775" beside "1.55万"
        (15_500, ("0", "0.5万", "1.0万", "1.5万", "2.0万")),
        (4_873, ("0", "1,000", "2,000", "3,000", "4,000", "5,000")),  # was 0, 1,218, 2,437, 3,655, 4,873
        (31_800_000, ("0", "1000万", "2000万", "3000万", "4000万")),  # was 794万 .. 3.18e+03万
        (2.3e9, ("0", "5亿", "10亿", "15亿", "20亿", "25亿")),
        (0.83, ("0", "0.2", "0.4", "0.6", "0.8", "1.0")),
    ],
)
def test_axis_ticks_are_round_and_share_one_unit(high, labels):
    assert nice_axis(high).labels == labels


def test_percent_axis_and_whole_counts():
    assert nice_axis(0.83, percent_axis=True).labels == ("0%", "20%", "40%", "60%", "80%", "100%")
    assert nice_axis(177.6, percent_axis=True).labels == ("0%", "5,000%", "10,000%", "15,000%", "20,000%")
    assert nice_axis(3, whole=True).labels == ("0", "1", "2", "3")
    assert nice_axis(0).labels[-1] == "1.0"  # an all-zero series still gets an axis


@given(
    high=st.floats(min_value=1e-6, max_value=1e15, allow_nan=False, allow_infinity=False),
    low=st.sampled_from([0.0, -1.0]),
    pct=st.booleans(),
)
def test_any_axis_is_round_covering_and_in_one_unit(high, low, pct):
    ax = nice_axis(high, low * high / 3, percent_axis=pct)
    ticks = ax.ticks
    assert ticks[0] <= low * high / 3 and ticks[-1] >= high * (1 - 1e-9)
    assert 2 <= len(ticks) <= 7
    mantissa = ax.step / 10 ** math.floor(math.log10(ax.step))
    assert min(abs(mantissa - m) for m in (1, 2, 5)) < 1e-6
    assert all(UNIT_LABEL.match(t) for t in ax.labels), ax.labels
    assert all("e" not in t for t in ax.labels)
    suffixes = {re.sub(r"[-\d.,]", "", t) for t in ax.labels if t not in ("0", "0%")}
    assert len(suffixes) <= 1, ax.labels


@given(st.floats(min_value=-1e15, max_value=1e15, allow_nan=False, allow_infinity=False))
def test_cn_of_any_value_reads_as_a_chinese_number(v):
    text = cn(v)
    assert "e" not in text and UNIT_LABEL.match(text), text
