"""creator_features on the hand-made platform, against values computed by hand (as of 2023-06-30)."""

from __future__ import annotations

from datetime import date

import pytest

from guanghe.programs import FEATURES


def test_one_row_per_creator_joined_by_as_of(feature_rows):
    assert sorted(feature_rows) == [1, 2, 3, 5]  # creator 4 joins 2023-07-15


def test_every_rule_feature_is_a_column(features):
    assert set(FEATURES) <= set(features.columns)


def test_followers_latest_row_on_or_before_as_of(feature_rows):
    assert feature_rows[1]["followers"] == 12_000  # the 2023-07-02 row comes later
    assert feature_rows[2]["followers"] == 500
    assert feature_rows[3]["followers"] == 1_500_000
    assert feature_rows[5]["followers"] == 0  # no row at all
    assert [feature_rows[i]["tier"] for i in (1, 2, 3, 5)] == ["waist", "tail", "head", "tail"]


def test_tenure_and_is_new(feature_rows):
    assert feature_rows[1]["tenure_days"] == 1276
    assert (feature_rows[2]["tenure_days"], feature_rows[2]["is_new"]) == (121, True)
    assert (feature_rows[3]["tenure_days"], feature_rows[3]["is_new"]) == (180, True)  # boundary: within 180
    assert feature_rows[5]["is_new"] is False


def test_activity_windows(feature_rows):
    one = feature_rows[1]
    assert one["works_30d"] == 2  # works 101 (23:59:59 on as_of), 102 (first day of the window)
    assert one["works_90d"] == 4  # 101..104; 105 is a day early, 108 after as_of
    assert one["active_months_12"] == 4  # 2023-06, 2023-05, 2023-04, 2022-07 (2022-06 is outside)
    assert (feature_rows[2]["works_30d"], feature_rows[2]["works_90d"], feature_rows[2]["active_months_12"]) == (
        0, 1, 1,
    )  # fmt: skip
    assert feature_rows[5]["works_90d"] == 0


def test_quality_rates_over_90_days(feature_rows):
    one = feature_rows[1]
    assert one["impressions_90d"] == 4000  # (1000 + 500) + 2000 + 500
    assert one["plays_90d"] == 2200
    assert one["completion_rate"] == pytest.approx(600 / 2200)
    assert one["engagement_rate"] == pytest.approx(120 / 2200)
    assert one["follow_rate"] == pytest.approx(20 / 4000 * 1000)


def test_no_plays_gives_zero_rates(feature_rows):
    two = feature_rows[2]
    assert (two["completion_rate"], two["engagement_rate"]) == (0.0, 0.0)
    assert two["follow_rate"] == pytest.approx(1 / 400 * 1000)
    assert feature_rows[5]["follow_rate"] == 0.0


def test_membership_health_and_attributes(feature_rows):
    assert [feature_rows[i]["is_mcn"] for i in (1, 2)] == [False, True]
    assert feature_rows[1]["is_ecommerce"] and feature_rows[2]["is_local_life"]
    assert feature_rows[2]["mcn_id"] == 7
    assert {r["health"] for r in feature_rows.values()} == {1.0}
    assert (feature_rows[3]["region"], feature_rows[3]["category"]) == ("north", "tech")
    assert feature_rows[2]["joined_on"] == date(2023, 3, 1)
