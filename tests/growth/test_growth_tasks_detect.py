"""Completions from a hand-built warehouse: each goal kind, audience filters, unoriginal works, first K, the
budget cap, per-creator limits and the platform zone — every expected completion worked out by hand in
``tasks_platform``."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pyarrow as pa
import pytest
import tasks_platform as tp

from guanghe.data.growth_schema import WORK_ORIGINALITY as ORIGINALITY
from guanghe.data.warehouse import open_warehouse
from guanghe.growth.tasks import countable_works, load_tasks
from guanghe.growth.tasks.detect import assign, candidates, reward_id
from guanghe.growth.tasks.run import detect

UTC, SHANGHAI = ZoneInfo("UTC"), ZoneInfo("Asia/Shanghai")
END = date(2023, 5, 31)
FOOD = 'kind = "publish_count"\ncount = 2\ncategory = "food"'


def flags(work_ids: list[int], flagged: list[bool]) -> pa.Table:
    """Rows of the originality room's table: only ``flagged`` matters to the task center."""
    n = len(work_ids)
    return pa.table({
        "work_id": work_ids, "creator_id": [1] * n, "flagged": flagged, "original_work_id": [99] * n,
        "original_creator_id": [9] * n, "signal": ["frames"] * n, "frame_share": [1.0] * n, "bits": [0] * n,
        "audio_match": [None] * n, "title_similarity": [0.0] * n, "decision": [None] * n,
        "detected_on": [date(2023, 5, 31)] * n, "scan": ["platform"] * n,
    }, schema=ORIGINALITY.arrow_schema())  # fmt: skip


@pytest.fixture
def wh(tmp_path):
    w = open_warehouse(tp.write(tmp_path / "w.duckdb"))
    yield w
    w.close()


def _task(tmp_path, goal, **kw):
    tp.task_file(tmp_path / "t", "t1", goal, **kw)
    return load_tasks(tmp_path / "t")[0]


def _found(wh, task, through=END, zone=UTC):
    return [(c.creator_id, c.seq, c.completed_at) for c in candidates(wh, task, through, zone, {})]


def test_publish_count_ranks_by_completion_time(wh, tmp_path):
    t = _task(tmp_path, FOOD)
    assert _found(wh, t) == [(4, 1, datetime(2023, 5, 2, 2)), (3, 1, datetime(2023, 5, 2, 13)),
                             (1, 1, datetime(2023, 5, 3, 10)), (2, 1, datetime(2023, 5, 4, 8))]  # fmt: skip
    food = _task(tmp_path, FOOD, audience='categories = ["food"]')
    assert [c for c, _, _ in _found(wh, food)] == [3, 1, 2]  # creator 4 is a travel creator
    assert [c for c, _, _ in _found(wh, food, through=date(2023, 5, 3))] == [3, 1]
    assert _found(wh, food, through=date(2023, 4, 30)) == []


def test_keyword_kind_and_per_creator_limit(wh, tmp_path):
    t = _task(tmp_path, 'kind = "publish_count"\ncount = 1\nkeyword = "food vlog"\nwork_kind = "short_video"',
              audience="categories = [\"food\"]\nregions = [\"east\"]", limits="per_creator = 2")  # fmt: skip
    assert _found(wh, t) == [(2, 1, datetime(2023, 5, 1, 9)), (1, 1, datetime(2023, 5, 2, 10)),
                             (3, 1, datetime(2023, 5, 2, 12)), (3, 2, datetime(2023, 5, 2, 13)),
                             (1, 2, datetime(2023, 5, 3, 10)), (2, 2, datetime(2023, 5, 4, 8))]  # fmt: skip


def test_work_plays_day_in_the_platform_zone(wh, tmp_path):
    t = _task(tmp_path, 'kind = "work_plays"\nplays = 1000')
    assert _found(wh, t) == [(1, 1, datetime(2023, 5, 3))]  # 600 + 500 plays by 05-03; work 1 has 900
    assert _found(wh, t, zone=SHANGHAI) == [(1, 1, datetime(2023, 5, 2, 16))]  # 05-03 starts at 16:00 UTC
    assert _found(wh, t, through=date(2023, 5, 2)) == []
    assert _found(wh, _task(tmp_path, 'kind = "work_plays"\nplays = 1101')) == []


def test_first_live_counts_only_a_first_ever_live(wh, tmp_path):
    t = _task(tmp_path, 'kind = "first_live"')
    assert _found(wh, t) == [(3, 1, datetime(2023, 5, 5, 21)), (6, 1, datetime(2023, 5, 12, 20))]  # not 2
    newbies = _task(tmp_path, 'kind = "first_live"', audience="joined_from = 2023-05-01")
    assert _found(wh, newbies) == [(6, 1, datetime(2023, 5, 12, 20))]
    assert _found(wh, newbies, through=date(2023, 5, 11)) == []  # 6 had not joined by then


def test_storefront_sales_net_of_refunds_as_of_the_day(wh, tmp_path):
    t = _task(tmp_path, 'kind = "storefront_sales"\ngmv_fen = 5000')
    assert _found(wh, t) == [
        (1, 1, datetime(2023, 5, 6, 11))
    ]  # 3000 + 2500; the 9000 short-video order is not
    first = _task(tmp_path, 'kind = "storefront_sales"\norders = 1')
    assert [c for c, _, _ in _found(wh, first)] == [1]  # creator 2's order was refunded on 05-07
    assert [c for c, _, _ in _found(wh, first, through=date(2023, 5, 6))] == [2, 1]  # not yet refunded then


def test_unoriginal_works_do_not_count(wh, tmp_path):
    t = _task(tmp_path, FOOD, audience='categories = ["food"]')
    assert len(wh.fetch(countable_works(wh)).to_pylist()) == len(tp.WORKS)
    with wh.writer() as w:
        w.ensure(ORIGINALITY)
        w.insert(ORIGINALITY, flags([2, 5, 3], [True, False, False]))
    assert sorted(wh.fetch(countable_works(wh)).column("work_id").to_pylist()) == [
        w for w, *_ in tp.WORKS if w != 2
    ]
    # creator 1's second food work (05-03) is flagged: the third one (05-09) completes instead
    assert _found(wh, t) == [(3, 1, datetime(2023, 5, 2, 13)), (2, 1, datetime(2023, 5, 4, 8)),
                             (1, 1, datetime(2023, 5, 9, 10))]  # fmt: skip


def test_first_k_and_budget_count_stored_completions(wh, tmp_path):
    t = _task(tmp_path, FOOD, first=2)
    found = candidates(wh, t, END, UTC, {})
    fresh = assign(t, found, [])
    assert [(c.creator_id, c.reward_fen) for c in fresh] == [(4, 100), (3, 100), (1, 0), (2, 0)]
    assert fresh[0].reward_id == reward_id("t1", 4, 1) and fresh[0].reward_id >> 62 == 1
    # a later run with two stored (one rewarded) fills the one remaining slot and never revisits them
    kept = [fresh[1], fresh[2]]
    later = assign(t, found, kept)
    assert [(c.creator_id, c.reward_fen) for c in later] == [(4, 100), (2, 0)]
    capped = _task(tmp_path, FOOD, limits="budget_fen = 250")
    assert [c.reward_fen for c in assign(capped, candidates(wh, capped, END, UTC, {}), [])] == [
        100,
        100,
        0,
        0,
    ]


def test_detect_reports_per_task(wh, tmp_path):
    tp.task_file(tmp_path / "many", "a", FOOD, first=1)
    tp.task_file(tmp_path / "many", "b", 'kind = "first_live"', reward=700)
    outcomes, new = detect(wh, load_tasks(tmp_path / "many"), END, UTC, {})
    assert [o.as_dict() for o in outcomes] == [
        {"task_id": "a", "completions": 4, "stored": 0, "new": 4, "rewarded": 1, "reward_fen": 100},
        {"task_id": "b", "completions": 2, "stored": 0, "new": 2, "rewarded": 2, "reward_fen": 1400},
    ]
    assert len({c.reward_id for c in new if c.reward_id}) == 3
