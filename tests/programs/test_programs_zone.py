"""Creator features and posting weekdays count days in the platform's time zone (GUANGHE_TIMEZONE).

On the hand-made platform (programs_platform.py), work 101 is published 2023-06-30T23:59:59Z: June 30 in UTC,
but 07:59 on July 1 in Asia/Shanghai; work 102 (2023-06-01T00:00Z) is 08:00 on June 1 there.
"""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from programs_platform import AS_OF, build_platform

from guanghe.allocate.quotas import weekday_counts
from guanghe.programs import creator_features
from guanghe.programs.features import last_activity_day

SH, UTC = ZoneInfo("Asia/Shanghai"), ZoneInfo("UTC")


@pytest.fixture(scope="module")
def tables(tmp_path_factory: pytest.TempPathFactory):
    wh = build_platform(tmp_path_factory.mktemp("zone") / "wh.duckdb")
    yield wh.tables()
    wh.close()


def creator1(tables, as_of: date, zone: ZoneInfo) -> dict:
    f = creator_features(tables, as_of, zone)
    return f.filter(f.creator_id == 1).to_pyarrow().to_pylist()[0]


def test_activity_windows_in_the_platform_zone(tables) -> None:
    utc, sh = creator1(tables, AS_OF, UTC), creator1(tables, AS_OF, SH)
    assert (utc["works_30d"], utc["works_90d"]) == (2, 4)  # 101, 102 | 101..104
    assert (sh["works_30d"], sh["works_90d"]) == (1, 3)  # 101 is July 1 in Shanghai
    july1 = creator1(tables, date(2023, 7, 1), SH)
    assert july1["works_30d"] == 2  # 101 and 108 (2023-07-01T00:00Z = 08:00 local); 102 is out of the window


def test_posting_weekdays_in_the_platform_zone(tables) -> None:
    ids = np.array([1, 2], dtype=np.int64)
    utc = weekday_counts(tables, ids, AS_OF, UTC)[0]
    sh = weekday_counts(tables, ids, AS_OF, SH)[0]
    # Monday first: 102 Thursday, 103 Wednesday, 104 Sunday in both; 101 is a Friday in UTC, outside in Shanghai
    assert utc.tolist() == [0, 0, 1, 1, 1, 0, 1] and sh.tolist() == [0, 0, 1, 1, 0, 0, 1]


def test_last_activity_day_is_a_platform_day(tables) -> None:
    assert last_activity_day(tables, UTC) == date(2023, 7, 1)  # work 108, 2023-07-01T00:00Z
    assert last_activity_day(tables, ZoneInfo("America/New_York")) == date(
        2023, 6, 30
    )  # 20:00 the day before
