"""Task completions and rewards in the metric catalog and the HTML report, on the hand-built platform."""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import tasks_platform as tp

from guanghe.data.warehouse import open_warehouse
from guanghe.growth.tasks import load_tasks
from guanghe.growth.tasks.run import detect, store
from guanghe.metrics.compute import compute
from guanghe.metrics.report.build import render
from guanghe.metrics.report.tasks import NO_TASKS

UTC = ZoneInfo("UTC")
PLATFORM = {"task_rewards": [{"reward_id": 1, "task_id": "2023-05-T01", "creator_id": 2,
                              "completed_at": datetime(2023, 5, 5, 9), "reward_fen": 500}]}  # fmt: skip


def section(html: str) -> str:
    start = html.index("<h2>Task center 任务中心")
    return html[start : html.index("</section>", start)]


def test_catalog_and_report(tmp_path):
    tp.task_file(tmp_path / "t", "food", 'kind = "publish_count"\ncount = 2\ncategory = "food"', first=2,
                 audience='categories = ["food"]')  # fmt: skip
    tp.task_file(tmp_path / "t", "live", 'kind = "first_live"', reward=700)
    with open_warehouse(tp.write(tmp_path / "bare.duckdb")) as wh:
        empty = section(render(wh.tables()))
        assert f"{NO_TASKS}." in empty and 'class="spec"' not in empty
    with open_warehouse(tp.write(tmp_path / "w.duckdb", PLATFORM)) as wh:
        _, new = detect(wh, load_tasks(tmp_path / "t"), date(2023, 5, 31), UTC, {})
        store(wh, new, date(2023, 5, 31))
        got = {v.name: v.value for v in compute(wh.tables(), "2023-05", ["task_completions", "task_completers",
                                                                         "task_rewards_fen"], UTC)}  # fmt: skip
        # food: 3, 1, 2 complete (3 and 1 rewarded, 100 each); live: 3 and 6 (700 each); the platform's 500
        assert got == {
            "task_completions": 5,
            "task_completers": 4,
            "task_rewards_fen": 100 + 100 + 700 + 700 + 500,
        }
        april = compute(wh.tables(), "2023-04", ["task_completions", "task_rewards_fen"], UTC)
        assert [v.value for v in april] == [0, 0]
        part = section(render(wh.tables()))
    spec = json.loads(re.findall(r'class="spec">(.*?)</script>', part, re.S)[0])["option"]
    assert spec["xAxis"]["data"] == ["2023-04", "2023-05"]
    assert [[d["value"] for d in s["data"]] for s in spec["series"]] == [[0, 5], [0, 4]]
    assert "任务奖励 · task_rewards_fen" in part
